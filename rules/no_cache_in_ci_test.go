package rules_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/cachelint/cachelint/buildconfig"
	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// lintFixtureRepo lints the configuration files of a rule fixture as one
// repository and returns the findings of one code.
func lintFixtureRepo(t *testing.T, fixture, code string) []lint.Finding {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join("..", "testdata", "rules", fixture))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var configs []buildconfig.Input
	for _, f := range ar.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		if buildconfig.KindOf(f.Name) != 0 {
			configs = append(configs, buildconfig.Input{Path: f.Name, Abs: p})
		}
	}
	linter, err := lint.New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	var out []lint.Finding
	for _, fr := range linter.LintRepo(lint.RepoUnit{Root: dir, Files: configs}) {
		for _, f := range fr.Findings {
			if f.Code == code {
				out = append(out, f)
			}
		}
	}
	return out
}

// TestNoCacheInCISeverity checks that CL110 is a warning on a build that
// runs on every push and info on a scheduled one.
func TestNoCacheInCISeverity(t *testing.T) {
	for fixture, want := range map[string]rules.Severity{
		"no-cache-in-ci/build-push-cache-from.txtar": rules.SeverityWarning,
		"no-cache-in-ci/scheduled-rebuild.txtar":     rules.SeverityInfo,
	} {
		got := lintFixtureRepo(t, fixture, "CL110")
		if len(got) != 1 || got[0].Severity != want {
			t.Errorf("%s: got %v, want one finding of severity %v", fixture, got, want)
		}
	}
}
