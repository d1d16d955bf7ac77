package lint_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/cachelint/cachelint/buildconfig"
	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// FuzzLintRepo lints a repository's build configuration end to end: a
// workflow, a bake file and the Dockerfile they build, through the
// parsers, every build-configuration rule, suppressions and fingerprints.
// No input may make a rule fail (the only errors are files that cannot be
// read or parsed, which CL901 reports too) or put a finding or an edit
// outside its file.
//
// The seeds are the fixtures of the build-configuration rules.
func FuzzLintRepo(f *testing.F) {
	fixtures, _ := filepath.Glob("../testdata/rules/*/*.txtar")
	for _, p := range fixtures {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			continue
		}
		var wf, bake, df []byte
		for _, file := range ar.Files {
			switch {
			case buildconfig.KindOf(file.Name) == buildconfig.Workflow && wf == nil:
				wf = file.Data
			case buildconfig.KindOf(file.Name) == buildconfig.Bake && bake == nil:
				bake = file.Data
			case file.Name == "Dockerfile":
				df = file.Data
			}
		}
		if wf != nil || bake != nil {
			f.Add(wf, bake, df)
		}
	}
	l, err := lint.New(rules.All())
	if err != nil {
		f.Fatal(err)
	}
	all := lint.DefaultSettings(rules.All())
	for _, r := range rules.All() {
		all.Severity[r.Code] = r.Severity
	}
	l.SettingsFor = func(lint.Unit) *lint.Settings { return all }

	f.Fuzz(func(t *testing.T, wf, bake, df []byte) {
		dir := t.TempDir()
		files := map[string][]byte{".github/workflows/ci.yml": wf, "docker-bake.hcl": bake, "Dockerfile": df}
		var inputs []buildconfig.Input
		for name, data := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if buildconfig.KindOf(name) != 0 {
				inputs = append(inputs, buildconfig.Input{Path: name, Abs: p})
			}
		}
		start := time.Now()
		results := l.LintRepo(lint.RepoUnit{Root: dir, Files: inputs})
		if d := time.Since(start); d > 10*time.Second { // a hang, not a slow machine
			t.Fatalf("took %v", d)
		}
		for _, res := range results {
			// A file that cannot be read or parsed is also a CL901
			// finding; any other error is a rule failing.
			if res.Err != nil && !slices.ContainsFunc(res.Findings, func(f lint.Finding) bool { return f.Code == "CL901" }) {
				t.Fatalf("%s: lint error: %v", res.Path, res.Err)
			}
			for _, fd := range res.Findings {
				checkRange(t, &res, fd.Code+" finding", fd.Line, fd.Col, fd.EndLine, fd.EndCol)
				for _, fix := range fd.Fixes {
					for _, e := range fix.Edits {
						checkRange(t, &res, fd.Code+" edit", e.Line, e.Col, e.EndLine, e.EndCol)
					}
				}
			}
		}
	})
}
