// Package buildcontext models a Dockerfile's build context as the rules see
// it: which files the context holds and which of them its .dockerignore
// keeps out of the build.
package buildcontext

import (
	"bytes"
	"errors"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"golang.org/x/tools/go/analysis"
)

// Analyzer provides the build context of the unit's Dockerfile as a
// *Context. Rules must not read the disk, and a go/analysis pass has no
// place for a directory, so the driver builds the Context and hands it to
// the rules as this analyzer's result; Run is never called by the driver.
var Analyzer = &analysis.Analyzer{
	Name:             "buildcontext",
	Doc:              "provides the build context (its files and .dockerignore) that rules read",
	Run:              func(*analysis.Pass) (any, error) { return nil, errNotProvided },
	ResultType:       reflect.TypeFor[*Context](),
	RunDespiteErrors: true,
}

var errNotProvided = errors.New("the build context is provided by the driver")

// Context is a build context directory and its ignore file.
type Context struct {
	dir string // absolute; "" when unknown

	// IgnoreFile is the ignore file in effect ("" when there is none):
	// <Dockerfile>.dockerignore beside the Dockerfile, else the context's
	// .dockerignore. IgnoreErr says why it could not be parsed.
	IgnoreFile string
	IgnoreErr  error
	patterns   []string
	matcher    *patternmatcher.PatternMatcher

	dirs   map[string]map[string]bool // listings read so far: dir → names (nil: not a directory)
	lister *Lister
}

// Lister reads each directory once and shares its listing between the
// build contexts of one run (Dockerfiles of one directory share their
// context). It is safe for concurrent use.
type Lister struct {
	dirs sync.Map // absolute directory → map[string]bool, nil when not a directory
}

// List returns the names in an absolute directory, nil when it is not
// one or cannot be read.
func (l *Lister) List(dir string) map[string]bool {
	if v, ok := l.dirs.Load(dir); ok {
		return v.(map[string]bool)
	}
	var names map[string]bool
	if entries, err := os.ReadDir(dir); err == nil {
		names = make(map[string]bool, len(entries))
		for _, e := range entries {
			names[e.Name()] = true
		}
	}
	v, _ := l.dirs.LoadOrStore(dir, names)
	return v.(map[string]bool)
}

// Has reports whether an absolute path names an entry of its directory.
func (l *Lister) Has(p string) bool {
	return l.List(filepath.Dir(p))[filepath.Base(p)]
}

// New returns the context rooted at dir ("" when the Dockerfile came from
// standard input with no name: then nothing is known to exist) with the
// given ignore file and its content. Directories are read through lister
// (nil: a private one).
func New(dir, ignoreFile string, ignoreData []byte, lister *Lister) *Context {
	if lister == nil {
		lister = &Lister{}
	}
	c := &Context{dir: dir, IgnoreFile: ignoreFile, dirs: map[string]map[string]bool{}, lister: lister}
	if ignoreFile == "" {
		return c
	}
	patterns, err := ignorefile.ReadAll(bytes.NewReader(ignoreData))
	if err == nil {
		c.matcher, err = patternmatcher.New(patterns)
	}
	if err != nil {
		c.IgnoreErr = err
		c.matcher = nil
		return c
	}
	c.patterns = patterns
	return c
}

// Matcher returns the matcher of the ignore file's patterns, nil when
// there is no ignore file or it could not be parsed.
func (c *Context) Matcher() *patternmatcher.PatternMatcher { return c.matcher }

// Known reports whether the context directory is known, so that Exists
// answers for real.
func (c *Context) Known() bool { return c != nil && c.dir != "" }

// Patterns returns the ignore file's patterns, cleaned as BuildKit reads
// them.
func (c *Context) Patterns() []string { return c.patterns }

// Exists reports whether rel, a slash-separated path relative to the
// context root, is on disk in the context. Paths that leave the context
// do not exist. It answers false when the context is unknown. Each
// directory is listed once, however many questions are asked.
func (c *Context) Exists(rel string) bool {
	if !c.Known() {
		return false
	}
	rel = clean(rel)
	if rel == "" {
		return false
	}
	dir, name := path.Split(rel)
	return c.list(strings.TrimSuffix(dir, "/"))[name]
}

// list returns the names in a directory of the context ("" is the root),
// nil when it is not a directory.
func (c *Context) list(dir string) map[string]bool {
	if names, ok := c.dirs[dir]; ok {
		return names
	}
	var names map[string]bool
	if dir == "" || c.list(path.Dir(strings.TrimSuffix("/"+dir, "/"))[1:])[path.Base(dir)] {
		names = c.lister.List(filepath.Join(c.dir, filepath.FromSlash(dir)))
	}
	c.dirs[dir] = names
	return names
}

// Sent reports whether rel exists and the ignore file does not exclude
// it, so that a COPY from the context would find it.
func (c *Context) Sent(rel string) bool {
	return c.Exists(rel) && !c.Ignored(rel)
}

// Ignored reports whether the ignore file excludes rel (or a directory
// above it) from the context.
func (c *Context) Ignored(rel string) bool {
	if c == nil || c.matcher == nil {
		return false
	}
	rel = clean(rel)
	if rel == "" {
		return false
	}
	ok, err := c.matcher.MatchesOrParentMatches(rel)
	return err == nil && ok
}

// clean makes rel a clean relative path inside the context, or "" when it
// leaves the context or names its root.
func clean(rel string) string {
	rel = path.Clean("/" + strings.ReplaceAll(rel, "\\", "/"))
	return strings.TrimPrefix(rel, "/")
}

// Glob returns the context paths that match a slash-separated pattern
// (path.Match syntax, element by element) and that the ignore file does
// not exclude, sorted. It returns nothing when the context is unknown.
func (c *Context) Glob(pattern string) []string {
	if !c.Known() {
		return nil
	}
	pattern = clean(pattern)
	if pattern == "" {
		return nil
	}
	matches := []string{""}
	for _, elem := range strings.Split(pattern, "/") {
		var next []string
		for _, m := range matches {
			names := c.list(m)
			if !hasMeta(elem) {
				if names[elem] {
					next = append(next, path.Join(m, elem))
				}
				continue
			}
			for name := range names {
				if ok, err := path.Match(elem, name); err == nil && ok {
					next = append(next, path.Join(m, name))
				}
			}
		}
		matches = next
	}
	var out []string
	for _, m := range matches {
		if !c.Ignored(m) {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

func hasMeta(s string) bool { return strings.ContainsAny(s, `*?[\`) }
