package lint

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
	"github.com/cachelint/cachelint/rules"
)

// TestSeverityCategories checks that a diagnostic's category can make one
// finding an error or only info, whatever its rule's severity, and that
// a rule turned off stays off.
func TestSeverityCategories(t *testing.T) {
	report := &analysis.Analyzer{
		Name:     "two_findings",
		Doc:      "reports the first instruction twice",
		Requires: []*analysis.Analyzer{dockerfile.Analyzer},
		Run: func(pass *analysis.Pass) (any, error) {
			f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
			in := f.Instructions[0]
			pass.Report(analysis.Diagnostic{Pos: in.Pos, Message: "lowered", Category: rules.LowerToInfo})
			pass.Report(analysis.Diagnostic{Pos: in.Pos, Message: "raised", Category: rules.RaiseToError})
			pass.Report(analysis.Diagnostic{Pos: in.Pos, Message: "as configured"})
			return nil, nil
		},
	}
	rule := &rules.Rule{Analyzer: report, Code: "CL999", Severity: rules.SeverityWarning}
	l, err := New([]*rules.Rule{rule})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(path, []byte("FROM alpine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := map[string]rules.Severity{}
	for _, f := range l.Lint(Unit{Path: "Dockerfile", AbsPath: path}).Findings {
		if f.Code != "CL999" {
			t.Errorf("finding has code %s, want CL999", f.Code)
		}
		got[f.Message] = f.Severity
	}
	want := map[string]rules.Severity{"lowered": rules.SeverityInfo, "raised": rules.SeverityError, "as configured": rules.SeverityWarning}
	for m, s := range want {
		if got[m] != s {
			t.Errorf("%q: severity %v, want %v", m, got[m], s)
		}
	}

	off := DefaultSettings([]*rules.Rule{rule})
	off.Severity["CL999"] = rules.SeverityNone
	l.SettingsFor = func(Unit) *Settings { return off }
	if fs := l.Lint(Unit{Path: "Dockerfile", AbsPath: path}).Findings; len(fs) != 0 {
		t.Errorf("rule off: %d findings, want none", len(fs))
	}
}
