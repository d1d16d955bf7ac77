package report_test

import (
	"strings"
	"testing"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/report"
)

func TestEscapeControls(t *testing.T) {
	in := "a\x1b[31mb\tc\nd\re\x07\xff\u009bf"
	if got, want := report.EscapeControls(in, false), `a\x1b[31mb`+"\t"+`c\x0ad\x0de\x07\xff\u009bf`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := report.EscapeControls(in, true), `a\x1b[31mb`+"\t"+"c\n"+`d\x0de\x07\xff\u009bf`; got != want {
		t.Errorf("keeping newlines: got %q, want %q", got, want)
	}
}

// TestGitHubEscapesControls: a job's log renders escape sequences, so the
// github format shows them escaped too, in messages and file names; line
// breaks stay encoded as workflow commands want them.
func TestGitHubEscapesControls(t *testing.T) {
	path := "evil\x1b[2J/Dockerfile"
	results := []lint.FileResult{{
		Path: path, Lines: []string{"FROM x"},
		Findings: []lint.Finding{finding(ruleCopy, path, 1, 1, 1, 2, "red \x1b[31mtext\x1b[0m\nnext\x07")},
	}}
	got := write(t, results, report.Options{Format: "github"})
	if strings.ContainsAny(got, "\x1b\x07") {
		t.Errorf("raw control characters:\n%q", got)
	}
	want := `::warning file=evil\x1b[2J/Dockerfile,line=1,col=1,endLine=1,endColumn=2,title=CL001 copy-before-install::red \x1b[31mtext\x1b[0m%0Anext\x07` + "\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
