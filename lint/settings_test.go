package lint_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// TestSettings checks that a unit's settings turn rules off and change
// their severity, and that the defaults leave off-by-default rules off.
func TestSettings(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Dockerfile")
	src := "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := lint.New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	codes := func(res lint.FileResult) map[string]rules.Severity {
		m := map[string]rules.Severity{}
		for _, f := range res.Findings {
			m[f.Code] = f.Severity
		}
		return m
	}
	def := codes(l.Lint(lint.Unit{Path: "Dockerfile", AbsPath: path}))
	if def["CL001"] != rules.SeverityWarning || def["CL003"] != rules.SeverityInfo {
		t.Fatalf("defaults: %v", def)
	}
	for _, r := range rules.All() {
		if _, ok := lint.DefaultSettings(rules.All()).Severity[r.Code]; ok == r.Off {
			t.Errorf("%s: off by default is %v, but the default settings say the opposite", r.Code, r.Off)
		}
	}

	custom := &lint.Settings{Severity: map[string]rules.Severity{"CL001": rules.SeverityError}}
	l.SettingsFor = func(lint.Unit) *lint.Settings { return custom }
	got := codes(l.Lint(lint.Unit{Path: "Dockerfile", AbsPath: path}))
	if len(got) != 1 || got["CL001"] != rules.SeverityError {
		t.Errorf("with only CL001 on, as an error: %v", got)
	}
}
