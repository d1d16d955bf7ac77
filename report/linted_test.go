package report_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/report"
	"github.com/cachelint/cachelint/rules"
)

// TestSARIFOfLintedFixture lints real Dockerfiles with every rule (findings
// of CL001, CL014 and CL900, one file BuildKit cannot parse) and validates
// the SARIF log against the SARIF 2.1.0 schema.
func TestSARIFOfLintedFixture(t *testing.T) {
	sch := sarifSchema(t)
	dir := t.TempDir()
	files := map[string]string{
		"app/Dockerfile":      "FROM node:22\nARG NPM_TOKEN\nWORKDIR /app\nCOPY . .\nRUN npm ci\n",
		"broken/Dockerfile":   "FROM alpine\nRUN <<EOF\necho unterminated\n",
		"bad-flag/Dockerfile": "FROM alpine\nRUN --mont=type=cache,target=/x true\n",
	}
	var units []lint.Unit
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		units = append(units, lint.Unit{Path: name, AbsPath: p})
	}
	l, err := lint.New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	results := l.LintAll(units)
	var buf bytes.Buffer
	if err := report.Write(&buf, results, report.Options{Format: "sarif", ToolVersion: "test", RepoRoot: dir, Rules: rules.All()}); err != nil {
		t.Fatal(err)
	}
	if err := validate(sch, buf.String()); err != nil {
		t.Fatalf("SARIF output is not valid: %v\n%s", err, buf.String())
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	// Every rule carries the properties GitHub code scanning ranks alerts
	// by, and the security rules a security severity.
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		p := r.Properties
		if !slices.Contains([]any{"very-high", "high", "medium", "low"}, p["precision"]) ||
			!slices.Contains([]any{"error", "warning", "recommendation"}, p["problem.severity"]) {
			t.Errorf("%s: precision %v, problem.severity %v", r.ID, p["precision"], p["problem.severity"])
		}
		tags, _ := p["tags"].([]any)
		security := slices.Contains(tags, any("security"))
		if sev, ok := p["security-severity"]; ok && (!security || reflect.TypeOf(sev).Kind() != reflect.String) {
			t.Errorf("%s: security-severity %v with tags %v", r.ID, sev, tags)
		}
		if (r.ID == "CL014" || r.ID == "CL015") && p["security-severity"] == nil {
			t.Errorf("%s has no security-severity", r.ID)
		}
	}
	got := map[string]int{}
	for _, r := range log.Runs[0].Results {
		got[r.RuleID]++
	}
	want := map[string]int{"CL001": 1, "CL014": 1, "CL900": 2}
	for code, n := range want {
		if got[code] != n {
			t.Errorf("%s: %d results, want %d (all: %v)", code, got[code], n, got)
		}
	}
}

// lintTree writes files under a new directory, lints each with every rule
// and returns the SARIF log made with that directory as repository root.
func lintTree(t *testing.T, files map[string]string) *sarif.Report {
	t.Helper()
	dir := t.TempDir()
	var units []lint.Unit
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		units = append(units, lint.Unit{Path: name, AbsPath: p})
	}
	l, err := lint.New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, l.LintAll(units), report.Options{Format: "sarif", RepoRoot: dir, Rules: rules.All()}); err != nil {
		t.Fatal(err)
	}
	log, err := sarif.FromBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// TestSARIFFingerprintsOfLintedFixture lints a Dockerfile, then the same
// file with unrelated lines inserted above and between its findings: every
// finding moves down, and every fingerprint stays. Two stages with the
// same lines give identical findings, which must not share a fingerprint.
func TestSARIFFingerprintsOfLintedFixture(t *testing.T) {
	before := strings.Join([]string{
		"FROM node:22 AS web",
		"WORKDIR /app",
		"COPY . .",
		"RUN npm ci",
		"",
		"FROM node:22 AS api",
		"WORKDIR /app",
		"COPY . .",
		"RUN npm ci",
		"",
	}, "\n")
	after := strings.Join([]string{
		"# Two services built from one Dockerfile.",
		"",
		"FROM node:22 AS web",
		"LABEL org.opencontainers.image.title=web",
		"WORKDIR /app",
		"EXPOSE 8080",
		"COPY . .",
		"RUN npm ci",
		"",
		"# The API.",
		"FROM node:22 AS api",
		"LABEL org.opencontainers.image.title=api",
		"WORKDIR /app",
		"EXPOSE 8081",
		"COPY . .",
		"RUN npm ci",
		"",
	}, "\n")

	type result struct {
		rule        string
		line        int
		fingerprint string
	}
	results := func(src string) []result {
		log := lintTree(t, map[string]string{"svc/Dockerfile": src})
		var out []result
		for _, r := range log.Runs[0].Results {
			fp, _ := r.PartialFingerprints[lint.FingerprintScheme].(string)
			out = append(out, result{deref(r.RuleID), deref(r.Locations[0].PhysicalLocation.Region.StartLine), fp})
		}
		return out
	}
	was, is := results(before), results(after)

	// The fixture is not vacuous: two CL001 and two CL003 findings, on
	// identical lines, each with its own fingerprint.
	count := map[string]int{}
	seen := map[string]bool{}
	for _, r := range was {
		count[r.rule]++
		if r.fingerprint == "" || seen[r.fingerprint] {
			t.Errorf("%s on line %d: fingerprint %q missing or shared", r.rule, r.line, r.fingerprint)
		}
		seen[r.fingerprint] = true
	}
	if count["CL001"] != 2 || count["CL003"] != 2 {
		t.Fatalf("want two CL001 and two CL003 findings, got %v", was)
	}

	if len(is) != len(was) {
		t.Fatalf("inserting unrelated lines changed the findings:\n before %v\n  after %v", was, is)
	}
	for i := range was {
		if is[i].rule != was[i].rule || is[i].line == was[i].line {
			t.Fatalf("finding %d: %v became %v; want the same rule on a later line", i, was[i], is[i])
		}
		if is[i].fingerprint != was[i].fingerprint {
			t.Errorf("%s moved from line %d to %d and its fingerprint changed: %s -> %s",
				was[i].rule, was[i].line, is[i].line, was[i].fingerprint, is[i].fingerprint)
		}
	}
}

// TestSARIFFingerprintIsTheFindings checks that a SARIF result carries the
// fingerprint the linter gave its finding, the one baselines match by.
func TestSARIFFingerprintIsTheFindings(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(p, []byte("FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := lint.New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	l.Root = dir
	results := l.LintAll([]lint.Unit{{Path: "Dockerfile", AbsPath: p}})
	var buf bytes.Buffer
	if err := report.Write(&buf, results, report.Options{Format: "sarif", RepoRoot: dir, Rules: rules.All()}); err != nil {
		t.Fatal(err)
	}
	log, err := sarif.FromBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	fs := results[0].Findings
	if len(fs) == 0 || len(log.Runs[0].Results) != len(fs) {
		t.Fatalf("%d findings, %d results", len(fs), len(log.Runs[0].Results))
	}
	for i, r := range log.Runs[0].Results {
		if got := r.PartialFingerprints[lint.FingerprintScheme]; got != fs[i].Fingerprint || fs[i].Fingerprint == "" {
			t.Errorf("result %d: fingerprint %v, finding's %q", i, got, fs[i].Fingerprint)
		}
	}
}
