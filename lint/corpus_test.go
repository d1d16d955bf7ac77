package lint_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// TestCorpus lints the shared corpus of real-world Dockerfiles: no rule may
// fail, the only errors allowed are BuildKit's parse errors, and the output
// must not depend on concurrency.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run skipped in -short mode")
	}
	units, _ := corpusUnits(t)
	l, err := lint.New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	parallel := l.LintAll(units)
	parseErrors := 0
	for _, r := range parallel {
		if r.Err == nil {
			continue
		}
		if !strings.HasPrefix(r.Err.Error(), "BuildKit cannot parse it: ") {
			t.Errorf("%s: %v", r.Path, r.Err)
			continue
		}
		parseErrors++
	}
	t.Logf("%d files, %d that BuildKit cannot parse", len(units), parseErrors)

	l.Jobs = 1
	serial := l.LintAll(units)
	if !reflect.DeepEqual(findingsOf(parallel), findingsOf(serial)) {
		t.Error("findings differ between a parallel and a serial run")
	}
}

func findingsOf(results []lint.FileResult) [][]lint.Finding {
	out := make([][]lint.Finding, len(results))
	for i, r := range results {
		out[i] = r.Findings
	}
	return out
}
