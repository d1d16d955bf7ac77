package buildcontext

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestPathsLeavingTheContext: .. and absolute paths stay inside the
// context, as BuildKit makes them: a file that exists only beside the
// context is never found, and globs do not list outside it.
func TestPathsLeavingTheContext(t *testing.T) {
	root := t.TempDir()
	ctx := filepath.Join(root, "app")
	for _, f := range []string{"app/Dockerfile", "app/src/main.go", "package-lock.json", "secret/id_rsa"} {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := New(ctx, "", nil, nil)
	for rel, want := range map[string]bool{
		"../package-lock.json": false, "../../package-lock.json": false, "/package-lock.json": false,
		"../secret/id_rsa": false, "/../secret": false,
		"../Dockerfile": true, "/src/main.go": true, "src/../../src/main.go": true, `..\Dockerfile`: true,
	} {
		if got := c.Exists(rel); got != want {
			t.Errorf("Exists(%q) = %v, want %v", rel, got, want)
		}
	}
	for pattern, want := range map[string][]string{
		"../*":     {"Dockerfile", "src"},
		"/../../*": {"Dockerfile", "src"},
		"../*/*":   {"src/main.go"},
		"../s*/*":  {"src/main.go"},
	} {
		if got := c.Glob(pattern); !slices.Equal(got, want) {
			t.Errorf("Glob(%q) = %q, want %q", pattern, got, want)
		}
	}
}
