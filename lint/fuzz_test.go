package lint_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// FuzzLint lints arbitrary Dockerfiles with every rule, BuildKit's checks
// included: nothing may panic (a panic in a goroutine BuildKit starts
// would take the whole run down) and every finding must start in the file.
// The seeds are the rule fixtures' Dockerfiles.
func FuzzLint(f *testing.F) {
	fixtures, _ := filepath.Glob(filepath.Join("..", "testdata", "rules", "*", "*.txtar"))
	for _, file := range fixtures {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, af := range ar.Files {
			if strings.HasPrefix(af.Name, "Dockerfile") && !strings.HasSuffix(af.Name, ".dockerignore") {
				f.Add(af.Data)
				break
			}
		}
	}
	l, err := lint.New(rules.All())
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("*.env\nsecrets\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		res := l.Lint(lint.Unit{Path: "Dockerfile", AbsPath: filepath.Join(dir, "Dockerfile"), Src: src})
		for _, fd := range res.Findings {
			if fd.Line > len(res.Lines)+1 {
				t.Errorf("finding %s at line %d, outside the file of %d lines", fd.Code, fd.Line, len(res.Lines))
			}
		}
	})
}
