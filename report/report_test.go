package report_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/report"
	"github.com/cachelint/cachelint/rules"
)

// testRule builds a rule the way the registry does, from an analyzer named
// with underscores.
func testRule(name, code string, sev rules.Severity, tags ...string) *rules.Rule {
	kebab := strings.ReplaceAll(name, "_", "-")
	return &rules.Rule{
		Analyzer: &analysis.Analyzer{
			Name: name,
			Doc:  "summary of " + kebab + "\n\nWhy it matters for the cache: because.\n\nFix: do better.",
			URL:  rules.DocsBaseURL + kebab + ".md",
			Run:  func(*analysis.Pass) (any, error) { return nil, nil },
		},
		Code:      code,
		Severity:  sev,
		Tags:      tags,
		Precision: rules.PrecisionHigh,
	}
}

// finding builds a finding of rule r at a range of byte columns.
func finding(r *rules.Rule, path string, line, col, endLine, endCol int, msg string, fixes ...lint.Fix) lint.Finding {
	return lint.Finding{
		Path: path, Line: line, Col: col, EndLine: endLine, EndCol: endCol,
		Code: r.Code, Rule: r.Name(), Severity: r.Severity,
		Message: msg, URL: r.URL(), Fixes: fixes,
	}
}

var (
	ruleCopy   = testRule("copy_before_install", "CL001", rules.SeverityWarning, "cache", "performance")
	ruleSecret = testRule("secret_in_arg_env", "CL014", rules.SeverityError, "security")
	ruleHint   = testRule("pin_base_image", "CL020", rules.SeverityInfo)
	ruleOff    = func() *rules.Rule {
		r := testRule("never_reported", "CL030", rules.SeverityNone)
		r.Precision = "" // no precision, no tags, no problem.severity: no properties
		return r
	}()
	allRules = []*rules.Rule{ruleCopy, ruleSecret, ruleHint, ruleOff}
)

// write runs report.Write and fails the test on error.
func write(t *testing.T, results []lint.FileResult, opt report.Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := report.Write(&buf, results, opt); err != nil {
		t.Fatalf("Write(%s): %v", opt.Format, err)
	}
	return buf.String()
}

func TestFormats(t *testing.T) {
	want := []string{"text", "json", "sarif", "github"}
	if got := report.Formats(); !slices.Equal(got, want) {
		t.Errorf("Formats() = %q, want %q", got, want)
	}
	// The slice is the caller's to keep.
	report.Formats()[0] = "changed"
	if got := report.Formats()[0]; got != "text" {
		t.Errorf("Formats()[0] = %q after the caller changed its copy", got)
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	var buf bytes.Buffer
	err := report.Write(&buf, nil, report.Options{Format: "xml"})
	if err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("Write(xml) error = %v, want one naming the format", err)
	}
	if buf.Len() != 0 {
		t.Errorf("Write(xml) wrote %q", buf.String())
	}
}

func TestWriteDefaultsToText(t *testing.T) {
	results := []lint.FileResult{{Path: "Dockerfile", Lines: []string{"FROM x"}}}
	if got, want := write(t, results, report.Options{}), write(t, results, report.Options{Format: "text"}); got != want {
		t.Errorf("empty Format wrote %q, text wrote %q", got, want)
	}
}

var errTest = errors.New("cannot read")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReportsWriterError(t *testing.T) {
	results := []lint.FileResult{{
		Path: "Dockerfile", Lines: []string{"COPY . ."},
		Findings: []lint.Finding{finding(ruleCopy, "Dockerfile", 1, 1, 1, 9, "msg")},
	}}
	for _, format := range report.Formats() {
		err := report.Write(failWriter{}, results, report.Options{Format: format, Rules: allRules})
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("Write(%s) to a failing writer: error = %v", format, err)
		}
	}
}

// TestUnreadableFile feeds every format a file that could not be read:
// no lines, but findings with and without a position.
func TestUnreadableFile(t *testing.T) {
	results := []lint.FileResult{{
		Path:    "broken/Dockerfile",
		AbsPath: "/repo/broken/Dockerfile",
		Err:     errTest,
		Findings: []lint.Finding{
			finding(ruleSecret, "broken/Dockerfile", 0, 0, 0, 0, "no position"),
			finding(ruleSecret, "broken/Dockerfile", 3, 4, 3, 9, "past the known lines",
				lint.Fix{Message: "fix it", Edits: []lint.Edit{{Line: 3, Col: 4, EndLine: 3, EndCol: 9, NewText: "x"}}}),
		},
	}}
	for _, format := range report.Formats() {
		out := write(t, results, report.Options{Format: format, RepoRoot: "/repo", Rules: allRules})
		if !strings.Contains(out, "past the known lines") {
			t.Errorf("%s output lacks the finding:\n%s", format, out)
		}
	}
}
