package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"

	"github.com/cachelint/cachelint/buildconfig"
	"github.com/cachelint/cachelint/lint"
)

// skippedDirs are never walked.
var skippedDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true}

// pathError is a path that could not be walked or read.
type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string { return e.path + ": " + e.err.Error() }

func (e *pathError) Unwrap() error { return e.err }

// walkDir returns the Dockerfiles and the build configuration files
// (buildconfig.KindOf) under dir (as dir-joined paths, sorted by
// the walk), skipping .git, node_modules, vendor and whatever the
// repository's .gitignore files ignore. Errors on parts of the tree are
// returned beside the files found elsewhere.
func walkDir(dir string) ([]string, []string, []error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, []error{&pathError{dir, err}}
	}
	root := repoRoot(abs)
	patterns := ancestorIgnores(root, abs)
	var files, configs []string
	var errs []error
	walkErr := filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		shown := filepath.Join(dir, strings.TrimPrefix(strings.TrimPrefix(p, abs), string(filepath.Separator)))
		if err != nil {
			errs = append(errs, &pathError{shown, lint.Cause(err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		rel := relParts(root, p)
		if d.IsDir() {
			if p != abs && (skippedDirs[d.Name()] || ignored(patterns, rel, true)) {
				return fs.SkipDir
			}
			patterns = append(patterns, readIgnoreFile(p, rel)...)
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 || ignored(patterns, rel, false) {
			return nil
		}
		switch {
		case lint.IsDockerfileName(d.Name()):
			files = append(files, shown)
		case buildconfig.KindOf(filepath.ToSlash(p)) != 0:
			configs = append(configs, shown)
		}
		return nil
	})
	if walkErr != nil {
		errs = append(errs, &pathError{dir, walkErr})
	}
	return files, configs, errs
}

// repoRoot is the nearest directory at or above dir holding .git, or dir.
func repoRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// ancestorIgnores reads the .gitignore files from root down to, but not
// including, dir.
func ancestorIgnores(root, dir string) []gitignore.Pattern {
	var ps []gitignore.Pattern
	rel := relParts(root, dir)
	for i := range rel {
		ps = append(ps, readIgnoreFile(filepath.Join(append([]string{root}, rel[:i]...)...), rel[:i])...)
	}
	return ps
}

// readIgnoreFile parses dir/.gitignore; domain is dir relative to the root.
func readIgnoreFile(dir string, domain []string) []gitignore.Pattern {
	data, err := lint.ReadFile(filepath.Join(dir, ".gitignore"), lint.DefaultMaxFileSize)
	if err != nil {
		return nil
	}
	var ps []gitignore.Pattern
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(line, append([]string{}, domain...)))
	}
	return ps
}

func ignored(ps []gitignore.Pattern, rel []string, isDir bool) bool {
	return len(ps) > 0 && len(rel) > 0 && gitignore.NewMatcher(ps).Match(rel, isDir)
}

// relParts splits p relative to root into its components.
func relParts(root, p string) []string {
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == "." {
		return nil
	}
	return strings.Split(filepath.ToSlash(rel), "/")
}

// configRoot is the root of the repository a configuration file belongs
// to: the directory holding the .github of a workflow, else the nearest
// directory at or above the file's, and not above stop, that holds .git,
// .github or .gitlab-ci.yml; else stop (the directory the user named), or
// the file's directory when stop is "".
func configRoot(abs, stop string) string {
	slash := filepath.ToSlash(abs)
	if i := strings.LastIndex(slash, "/.github/workflows/"); i >= 0 {
		return filepath.FromSlash(slash[:i])
	}
	for d := filepath.Dir(abs); ; {
		for _, marker := range []string{".git", ".github", ".gitlab-ci.yml"} {
			if _, err := os.Lstat(filepath.Join(d, marker)); err == nil {
				return d
			}
		}
		parent := filepath.Dir(d)
		if d == stop || parent == d {
			break
		}
		d = parent
	}
	if stop == "" {
		return filepath.Dir(abs)
	}
	return stop
}
