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
	"strings"

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

	exists map[string]bool
}

// New returns the context rooted at dir ("" when the Dockerfile came from
// standard input with no name: then nothing is known to exist) with the
// given ignore file and its content.
func New(dir, ignoreFile string, ignoreData []byte) *Context {
	c := &Context{dir: dir, IgnoreFile: ignoreFile, exists: map[string]bool{}}
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

// Known reports whether the context directory is known, so that Exists
// answers for real.
func (c *Context) Known() bool { return c != nil && c.dir != "" }

// Patterns returns the ignore file's patterns, cleaned as BuildKit reads
// them.
func (c *Context) Patterns() []string { return c.patterns }

// Exists reports whether rel, a slash-separated path relative to the
// context root, is on disk in the context. Paths that leave the context
// do not exist. It answers false when the context is unknown.
func (c *Context) Exists(rel string) bool {
	if !c.Known() {
		return false
	}
	rel = clean(rel)
	if rel == "" {
		return false
	}
	if ok, seen := c.exists[rel]; seen {
		return ok
	}
	_, err := os.Lstat(filepath.Join(c.dir, filepath.FromSlash(rel)))
	c.exists[rel] = err == nil
	return err == nil
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
// (filepath.Match syntax) and that the ignore file does not exclude,
// sorted. It returns nothing when the context is unknown.
func (c *Context) Glob(pattern string) []string {
	if !c.Known() {
		return nil
	}
	pattern = clean(pattern)
	if pattern == "" {
		return nil
	}
	matches, err := filepath.Glob(filepath.Join(c.dir, filepath.FromSlash(pattern)))
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range matches {
		rel, err := filepath.Rel(c.dir, m)
		if err != nil {
			continue
		}
		if rel = filepath.ToSlash(rel); !c.Ignored(rel) {
			out = append(out, rel)
		}
	}
	return out
}
