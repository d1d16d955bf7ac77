package rules_test

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/rules"
)

var update = flag.Bool("update", false, "rewrite docs/rules from the rules' docs")

// TestDocsFresh checks that docs/rules/<name>.md is the rendering of each
// rule's doc, and that no page is left for a rule that no longer exists.
// Run `go test ./rules -run TestDocsFresh -update` after changing a doc.
func TestDocsFresh(t *testing.T) {
	dir := filepath.Join("..", "docs", "rules")
	want := map[string]bool{}
	for _, r := range rules.All() {
		name := r.Name() + ".md"
		want[name] = true
		page := filepath.Join(dir, name)
		if *update {
			if err := os.WriteFile(page, []byte(r.Markdown()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(page)
		if err != nil {
			t.Errorf("%s: %v (run go test ./rules -run TestDocsFresh -update)", r.Code, err)
			continue
		}
		if string(got) != r.Markdown() {
			t.Errorf("%s is stale: run go test ./rules -run TestDocsFresh -update", page)
		}
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	for _, p := range pages {
		if !want[filepath.Base(p)] {
			t.Errorf("%s documents no rule", p)
		}
	}
}

// TestRegistry checks what every rule must have.
func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range rules.All() {
		keys := []string{r.Code, r.Name()}
		if r.Code == r.Name() {
			keys = keys[:1] // one of BuildKit's checks: one name for both
		}
		for _, key := range keys {
			if seen[key] {
				t.Errorf("duplicate rule code or name %s", key)
			}
			seen[key] = true
		}
		if r.Summary() == "" || r.URL() == "" || len(r.Tags) == 0 || r.Severity == rules.SeverityNone {
			t.Errorf("%s: summary, URL, tags and severity are required", r.Code)
		}
		tags := map[string]bool{}
		for _, tag := range r.Tags {
			if tags[tag] {
				t.Errorf("%s: duplicate tag %s", r.Code, tag)
			}
			tags[tag] = true
		}
		switch r.Precision {
		case rules.PrecisionVeryHigh, rules.PrecisionHigh, rules.PrecisionMedium, rules.PrecisionLow:
		default:
			t.Errorf("%s: precision %q is not very-high, high, medium or low", r.Code, r.Precision)
		}
		// Every page link goes through DocsBaseURL, the one place to
		// change when the pages move; BuildKit's checks (code = name)
		// link BuildKit's page when BuildKit has one.
		want := rules.DocsBaseURL + r.Name() + ".md"
		if r.Code == r.Name() && strings.HasPrefix(r.URL(), "https://docs.docker.com/go/dockerfile/rule/") {
			want = r.URL()
		}
		if r.URL() != want {
			t.Errorf("%s: URL %q, want %q (build it with docURL)", r.Code, r.URL(), want)
		}
		if sev := r.SecuritySeverity(); sev != "" {
			// GitHub reads a number from 0.1 to 10.0 and treats the
			// rule as a security rule only with the security tag.
			if f, err := strconv.ParseFloat(sev, 64); err != nil || f <= 0 || f > 10 {
				t.Errorf("%s: security severity %q is not a number in (0, 10]", r.Code, sev)
			}
			if !tags["security"] {
				t.Errorf("%s: has a security severity but no security tag", r.Code)
			}
		}
		if d := r.Description(); !strings.HasPrefix(d, strings.ToUpper(r.Summary()[:1])+r.Summary()[1:]+". ") || strings.Contains(d, "\n") {
			t.Errorf("%s: description %q: want the summary and the why paragraph on one line", r.Code, d)
		}
		if got, ok := rules.Lookup(r.Code); !ok || got != r {
			t.Errorf("Lookup(%s) failed", r.Code)
		}
		if got, ok := rules.Lookup(r.Name()); !ok || got != r {
			t.Errorf("Lookup(%s) failed", r.Name())
		}
	}
}
