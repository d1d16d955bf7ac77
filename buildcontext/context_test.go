package buildcontext

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestContext(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"package.json", "package-lock.json", "node_modules/x/index.js", "src/a.go", ".git/HEAD"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := New(dir, filepath.Join(dir, ".dockerignore"), []byte("# deps\nnode_modules\n.git\n*.md\n!README.md\n"), nil)
	if c.IgnoreErr != nil {
		t.Fatal(c.IgnoreErr)
	}
	for rel, want := range map[string]bool{
		"package.json": true, "./package.json": true, "src/a.go": true, "src": true,
		"node_modules/x/index.js": true, "missing.txt": false, "../package.json": true, "": false,
	} {
		if got := c.Exists(rel); got != want {
			t.Errorf("Exists(%q) = %v, want %v", rel, got, want)
		}
	}
	for rel, want := range map[string]bool{
		"node_modules": true, "node_modules/x/index.js": true, ".git/HEAD": true,
		"CHANGES.md": true, "README.md": false, "package.json": false,
	} {
		if got := c.Ignored(rel); got != want {
			t.Errorf("Ignored(%q) = %v, want %v", rel, got, want)
		}
	}
	if c.Sent("node_modules/x/index.js") || !c.Sent("package-lock.json") {
		t.Error("Sent must be Exists and not Ignored")
	}
	if got := c.Glob("package*.json"); !slices.Equal(got, []string{"package-lock.json", "package.json"}) {
		t.Errorf("Glob = %q", got)
	}
}

func TestUnknownContext(t *testing.T) {
	c := New("", "", nil, nil)
	if c.Known() || c.Exists("Dockerfile") || c.Glob("*") != nil || c.Ignored("x") {
		t.Error("an unknown context holds nothing")
	}
	bad := New(t.TempDir(), ".dockerignore", []byte("[\n"), nil)
	if bad.IgnoreErr == nil {
		t.Error("a bad pattern must be reported")
	}
}
