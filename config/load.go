package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// FileNames are the names a configuration file may have.
var FileNames = []string{".cachelint.yaml", ".cachelint.yml"}

// Options are the command line's part in the configuration.
type Options struct {
	// File is the configuration file given with --config: it applies to
	// every linted file, and no other is looked for.
	File string
	// NoConfig (--no-config) uses no configuration file at all.
	NoConfig bool
	// CLI is the command line's layer (--select, --extend-select,
	// --ignore, --severity), applied after the file's.
	CLI Selection
	// FailLevel is --fail-level when HasFailLevel is set: it wins over
	// the file's.
	FailLevel    rules.Severity
	HasFailLevel bool
}

// DefaultFailLevel is the fail level when neither the command line nor
// the configuration file gives one.
const DefaultFailLevel = rules.SeverityWarning

// Effective is the configuration in effect for one path.
type Effective struct {
	// File is the configuration file that applies, nil when none does.
	File *File
	// PerPath are the indexes of the File's per-path entries that match
	// the path.
	PerPath []int
	// Settings are the rules that report on the path and their
	// severities, and the configured tools. The same pointer is returned
	// for every path with the same file and per-path entries.
	Settings *lint.Settings
	// FailLevel is the lowest severity that fails the run for findings
	// in this path.
	FailLevel rules.Severity
}

// Loader finds, reads and resolves configuration files, each once.
type Loader struct {
	opt       Options
	rules     []*rules.Rule
	files     map[string]*loaded // by absolute path
	dirs      map[string]string  // directory → configuration file found from it ("" none)
	dirErrs   map[string]error   // directory → error (two files in one directory)
	effective map[string]*Effective
	errs      []error // each file's error, once
}

type loaded struct {
	file *File
	err  error
}

// NewLoader returns a loader for the given options and rules.
func NewLoader(opt Options, rs []*rules.Rule) *Loader {
	return &Loader{opt: opt, rules: rs, files: map[string]*loaded{}, dirs: map[string]string{},
		dirErrs: map[string]error{}, effective: map[string]*Effective{}}
}

// Errors returns every error met so far, each once, in the order met.
func (l *Loader) Errors() []error { return l.errs }

// For returns the configuration in effect for the file at path (made
// absolute), or for a directory when dir is set (`cachelint config DIR`).
// An empty path is standard input with no name: it takes the
// configuration found from the current directory, and no per-path entry
// matches it.
func (l *Loader) For(path string, dir bool) (*Effective, error) {
	var start, target string
	switch {
	case path == "":
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		start = wd
	case dir:
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		start, target = abs, abs
	default:
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		start, target = filepath.Dir(abs), abs
	}
	f, err := l.fileFor(start)
	if err != nil {
		return nil, err
	}
	var matched []int
	if f != nil && target != "" {
		if rel, err := filepath.Rel(f.Dir, target); err == nil {
			rel = filepath.ToSlash(rel)
			for i, e := range f.PerPath {
				for _, g := range e.Paths {
					if ok, _ := doublestar.Match(g, rel); ok {
						matched = append(matched, i)
						break
					}
				}
			}
		}
	}
	return l.resolve(f, matched), nil
}

// fileFor returns the configuration file for a directory: the --config
// file, none with --no-config, else the nearest .cachelint.yaml or
// .cachelint.yml at or above dir, up to the repository root (the
// directory holding .git) or the filesystem root.
func (l *Loader) fileFor(dir string) (*File, error) {
	switch {
	case l.opt.NoConfig:
		return nil, nil
	case l.opt.File != "":
		abs, err := filepath.Abs(l.opt.File)
		if err != nil {
			return nil, err
		}
		return l.load(abs, l.opt.File)
	}
	p, err := l.find(dir)
	if err != nil || p == "" {
		return nil, err
	}
	return l.load(p, shownPath(p))
}

// LoadExplicit reads the --config file, if one is given, so that a
// missing or broken one is reported even when no file is linted.
func (l *Loader) LoadExplicit() error {
	if l.opt.NoConfig || l.opt.File == "" {
		return nil
	}
	_, err := l.fileFor("")
	return err
}

// shownPath is p relative to the current directory when it is inside it.
func shownPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return rel
	}
	return p
}

// find returns the configuration file nearest to dir, "" when there is
// none.
func (l *Loader) find(dir string) (string, error) {
	if p, ok := l.dirs[dir]; ok {
		return p, l.dirErrs[dir]
	}
	var found []string
	for _, name := range FileNames {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			found = append(found, p)
		}
	}
	var p string
	var err error
	switch {
	case len(found) > 1:
		err = &Error{File: shownPath(found[1]), Msg: fmt.Sprintf("%s is here too: keep one of the two", FileNames[0])}
		l.errs = append(l.errs, err)
	case len(found) == 1:
		p = found[0]
	default:
		_, gitErr := os.Lstat(filepath.Join(dir, ".git"))
		if parent := filepath.Dir(dir); gitErr != nil && parent != dir {
			p, err = l.find(parent)
		}
	}
	l.dirs[dir], l.dirErrs[dir] = p, err
	return p, err
}

// load reads and parses a configuration file once; shown is its path as
// messages give it.
func (l *Loader) load(abs, shown string) (*File, error) {
	if ld, ok := l.files[abs]; ok {
		return ld.file, ld.err
	}
	ld := &loaded{}
	l.files[abs] = ld
	data, err := lint.ReadFile(abs, lint.DefaultMaxFileSize)
	if err != nil {
		ld.err = fmt.Errorf("%s: %w", shown, err)
	} else if ld.file, ld.err = Parse(shown, data); ld.file != nil {
		ld.file.Dir = filepath.Dir(abs)
	}
	if ld.err != nil {
		l.errs = append(l.errs, ld.err)
	}
	return ld.file, ld.err
}

// resolve returns the effective configuration of a file and the per-path
// entries that match, made once for each combination.
func (l *Loader) resolve(f *File, perPath []int) *Effective {
	key := ""
	if f != nil {
		key = fmt.Sprintf("%p", f)
		for _, i := range perPath {
			key += "\x00" + strconv.Itoa(i)
		}
	}
	if e, ok := l.effective[key]; ok {
		return e
	}
	var layers []*Selection
	var tools []rules.ExtraTool
	e := &Effective{File: f, PerPath: perPath, FailLevel: DefaultFailLevel}
	if f != nil {
		layers = append(layers, &f.Selection)
		for _, i := range perPath {
			layers = append(layers, &f.PerPath[i].Selection)
		}
		tools = f.Tools
		if f.HasFailLevel {
			e.FailLevel = f.FailLevel
		}
	}
	layers = append(layers, &l.opt.CLI)
	if l.opt.HasFailLevel {
		e.FailLevel = l.opt.FailLevel
	}
	e.Settings = Resolve(l.rules, layers, tools)
	l.effective[key] = e
	return e
}

// Describe says where an effective configuration comes from, for
// messages: the file and the per-path entries that apply.
func (e *Effective) Describe() string {
	if e.File == nil {
		return "no configuration file"
	}
	var entries []string
	for _, i := range e.PerPath {
		entries = append(entries, fmt.Sprintf("%s (line %d)", strings.Join(e.File.PerPath[i].Paths, ", "), e.File.PerPath[i].Line))
	}
	if len(entries) == 0 {
		return e.File.Path
	}
	return e.File.Path + ", per-path " + strings.Join(entries, "; ")
}
