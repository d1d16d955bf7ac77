// Package testfiles finds the files cachelint's tests share: the module's
// fixtures (seeds for the fuzz targets) and the project's shared directory
// beside the repository (the corpus of real-world Dockerfiles).
package testfiles

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/txtar"
)

// ModuleRoot is the directory holding go.mod at or above the working
// directory (a test runs in its package's directory), or "" when there is
// none.
func ModuleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Shared returns the path of name (slash-separated) in the project's
// shared directory, a "shared" directory beside the repository or beside
// any directory above it, so that it is found from the main checkout
// (/work/main → /work/shared) and from a worktree nested deeper
// (/work/wt/x → /work/shared). ok is false when it is nowhere.
func Shared(name string) (string, bool) {
	root := ModuleRoot()
	if root == "" {
		return "", false
	}
	for dir := filepath.Dir(root); ; {
		p := filepath.Join(dir, "shared", filepath.FromSlash(name))
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// Dockerfiles returns the Dockerfiles of the module's fixtures, sorted by
// where they come from: every file named Dockerfile* in the txtar archives
// under testdata/rules and testdata/script, and every Dockerfile under
// testdata/examples and testdata/json-output. They seed the fuzz targets.
func Dockerfiles() [][]byte {
	root := ModuleRoot()
	if root == "" {
		return nil
	}
	type seed struct {
		from string
		data []byte
	}
	var seeds []seed
	seen := map[string]bool{}
	add := func(from string, data []byte) {
		if seen[string(data)] {
			return
		}
		seen[string(data)] = true
		seeds = append(seeds, seed{from, data})
	}
	testdata := filepath.Join(root, "testdata")
	_ = filepath.WalkDir(testdata, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		switch {
		case strings.HasSuffix(p, ".txtar"):
			ar, err := txtar.ParseFile(p)
			if err != nil {
				return nil
			}
			for _, f := range ar.Files {
				if strings.HasPrefix(filepath.Base(f.Name), "Dockerfile") || strings.HasSuffix(f.Name, ".Dockerfile") {
					add(p+"/"+f.Name, f.Data)
				}
			}
		case strings.HasPrefix(d.Name(), "Dockerfile") || strings.HasSuffix(d.Name(), ".Dockerfile"):
			if data, err := os.ReadFile(p); err == nil {
				add(p, data)
			}
		}
		return nil
	})
	sort.SliceStable(seeds, func(i, j int) bool { return seeds[i].from < seeds[j].from })
	out := make([][]byte, len(seeds))
	for i, s := range seeds {
		out[i] = s.data
	}
	return out
}

// Sections returns the named sections of every txtar archive under
// testdata/<dir> (for seeds other than Dockerfiles: configuration files).
func Sections(dir, name string) [][]byte {
	root := ModuleRoot()
	if root == "" {
		return nil
	}
	var out [][]byte
	_ = filepath.WalkDir(filepath.Join(root, "testdata", dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".txtar") {
			return nil
		}
		ar, err := txtar.ParseFile(p)
		if err != nil {
			return nil
		}
		for _, f := range ar.Files {
			if filepath.Base(f.Name) == name && !containsBytes(out, f.Data) {
				out = append(out, f.Data)
			}
		}
		return nil
	})
	return out
}

func containsBytes(list [][]byte, b []byte) bool {
	for _, x := range list {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}
