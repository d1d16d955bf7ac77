package lint_test

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/internal/testfiles"
	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/report"
	"github.com/cachelint/cachelint/rules"
)

// corpusDir is the shared corpus of real-world Dockerfiles, beside the
// repository or beside a directory above it (from a worktree); "" when it
// is absent.
var corpusDir, _ = testfiles.Shared("corpus")

// TestCorpus lints the shared corpus of real-world Dockerfiles with every
// rule (those off by default too): no rule may fail or panic, the only
// errors allowed are BuildKit's parse errors (logged), and the output,
// every format byte for byte, must be the same on a second run and with
// GOMAXPROCS=1.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run skipped in -short mode")
	}
	units, _ := corpusUnits(t)
	all := lint.DefaultSettings(rules.All())
	for _, r := range rules.All() {
		all.Severity[r.Code] = r.Severity
	}
	lintAll := func() []lint.FileResult {
		l, err := lint.New(rules.All())
		if err != nil {
			t.Fatal(err)
		}
		l.SettingsFor = func(lint.Unit) *lint.Settings { return all }
		return l.LintAll(units)
	}
	outputs := func(results []lint.FileResult) map[string][]byte {
		out := map[string][]byte{}
		for _, format := range report.Formats() {
			var buf bytes.Buffer
			opt := report.Options{Format: format, RepoRoot: corpusDir, Rules: rules.All(), ToolVersion: "test"}
			if err := report.Write(&buf, results, opt); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			out[format] = buf.Bytes()
		}
		return out
	}

	first := lintAll()
	parseErrors, findings := 0, 0
	for _, r := range first {
		findings += len(r.Findings)
		if r.Err == nil {
			continue
		}
		if !strings.HasPrefix(r.Err.Error(), "BuildKit cannot parse it: ") {
			t.Errorf("%s: %v", r.Path, r.Err)
			continue
		}
		parseErrors++
		t.Logf("parse error: %s: %v", strings.TrimPrefix(r.Path, corpusDir+"/"), r.Err)
	}
	t.Logf("%d files, %d findings, %d that BuildKit cannot parse", len(units), findings, parseErrors)
	want := outputs(first)

	again := outputs(lintAll())
	prev := runtime.GOMAXPROCS(1)
	serial := outputs(lintAll())
	runtime.GOMAXPROCS(prev)
	for _, format := range report.Formats() {
		if !bytes.Equal(again[format], want[format]) {
			t.Errorf("%s output differs between two runs", format)
		}
		if !bytes.Equal(serial[format], want[format]) {
			t.Errorf("%s output differs with GOMAXPROCS=1 (from %d)", format, prev)
		}
	}
}
