package lint_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/buildconfig"
	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// TestLintRepoMasksSecrets: the literal value of a build argument named
// like a credential, and a URL password, in a workflow are secrets: their
// ranges are given for reporters to mask, and no finding's message holds
// them.
func TestLintRepoMasksSecrets(t *testing.T) {
	dir := t.TempDir()
	wf := "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n" +
		"      - run: docker build --build-arg NPM_TOKEN=s3cr3t-value --build-arg VERSION=1.2.3 .\n" +
		"      - run: git clone https://bot:hunter2-pw@example.com/r.git\n"
	for name, src := range map[string]string{".github/workflows/ci.yml": wf, "Dockerfile": "FROM alpine\nARG NPM_TOKEN\n"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := lint.New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	rs := l.LintRepo(lint.RepoUnit{Root: dir, Files: []buildconfig.Input{{Path: ".github/workflows/ci.yml", Abs: filepath.Join(dir, ".github/workflows/ci.yml")}}})
	if len(rs) != 1 {
		t.Fatalf("%d results, want 1", len(rs))
	}
	r := rs[0]
	var masked []string
	for _, s := range r.Secrets {
		if s.Line != s.EndLine {
			t.Fatalf("secret range %+v spans lines", s)
		}
		masked = append(masked, r.Lines[s.Line-1][s.Col-1:s.EndCol-1])
	}
	if strings.Join(masked, ",") != "s3cr3t-value,hunter2-pw" {
		t.Errorf("secret ranges hold %q, want the token's value and the URL password", masked)
	}
	found := false
	for _, f := range r.Findings {
		found = found || f.Code == "CL116"
		if strings.Contains(f.Message, "s3cr3t-value") || strings.Contains(f.Message, "hunter2-pw") {
			t.Errorf("%s message holds a secret: %s", f.Code, f.Message)
		}
	}
	if !found {
		t.Errorf("no CL116 finding for the token passed as a build argument: %+v", r.Findings)
	}
}
