package report_test

import (
	"strings"
	"testing"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/report"
)

func TestGitHub(t *testing.T) {
	odd := "we,ird:dir/Docker%file"
	results := []lint.FileResult{
		{
			Path: odd, Lines: []string{"FROM x", `RUN echo "é" && npm ci`},
			Findings: []lint.Finding{
				finding(ruleSecret, odd, 1, 1, 1, 7, "plain"),
				finding(ruleHint, odd, 2, 1, 2, 4, "a note"),
				// é is two bytes: byte column 18 ("npm") is character 17.
				finding(ruleCopy, odd, 2, 18, 2, 24, "50% of builds:\nslow, really\r"),
			},
		},
		{Path: "clean/Dockerfile", Lines: []string{"FROM x"}},
		{Path: "gone/Dockerfile", Err: errTest, Findings: []lint.Finding{finding(ruleSecret, "gone/Dockerfile", 0, 0, 0, 0, "no position")}},
	}
	want := strings.Join([]string{
		"::error file=we%2Cird%3Adir/Docker%25file,line=1,col=1,endLine=1,endColumn=7,title=CL014 secret-in-arg-env::plain",
		"::notice file=we%2Cird%3Adir/Docker%25file,line=2,col=1,endLine=2,endColumn=4,title=CL020 pin-base-image::a note",
		"::warning file=we%2Cird%3Adir/Docker%25file,line=2,col=17,endLine=2,endColumn=23,title=CL001 copy-before-install::50%25 of builds:%0Aslow, really%0D",
		"::error file=gone/Dockerfile,title=CL014 secret-in-arg-env::no position",
		"",
	}, "\n")
	if got := write(t, results, report.Options{Format: "github"}); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestGitHubNoFindings(t *testing.T) {
	results := []lint.FileResult{{Path: "Dockerfile", Lines: []string{"FROM x"}}}
	if got := write(t, results, report.Options{Format: "github"}); got != "" {
		t.Errorf("clean run wrote %q", got)
	}
}
