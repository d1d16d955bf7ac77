package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/owenrumney/go-sarif/v2/sarif"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/report"
	"github.com/cachelint/cachelint/rules"
)

// schemaName is the SARIF 2.1.0 schema in the project's shared directory,
// which sits beside the repository (../shared) or, for a git worktree
// nested deeper, beside one of its parent directories.
const schemaName = "shared/schemas/sarif-schema-2.1.0.json"

// findSchema looks for schemaName beside the repository and then beside
// each directory above it.
func findSchema(t *testing.T) (string, bool) {
	t.Helper()
	dir, err := filepath.Abs("..") // the repository root
	if err != nil {
		t.Fatal(err)
	}
	for {
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
		p := filepath.Join(dir, filepath.FromSlash(schemaName))
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
	}
}

// sarifSchema compiles the SARIF 2.1.0 schema, skipping the test when the
// shared schema is not checked out beside the repository.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	abs, ok := findSchema(t)
	if !ok {
		t.Skipf("SARIF schema %s not found beside the repository or above it; skipping validation", schemaName)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reading %s: %v", abs, err)
	}
	// The shared copy keeps the log's schema under definitions/Root and
	// leaves the top level without constraints, which would accept
	// anything; validate against Root when that is the case.
	loc := abs
	if top, _ := doc.(map[string]any); top["properties"] == nil {
		if defs, _ := top["definitions"].(map[string]any); defs["Root"] != nil {
			loc += "#/definitions/Root"
		}
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(abs, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(loc)
	if err != nil {
		t.Fatalf("compiling %s: %v", loc, err)
	}
	return sch
}

func validate(sch *jsonschema.Schema, out string) error {
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

func sarifFixture() []lint.FileResult {
	emoji := "RUN echo 🙂 && npm ci"
	npm := strings.Index(emoji, "npm") + 1
	return []lint.FileResult{
		{
			Path: "Dockerfile", AbsPath: "/src/repo/Dockerfile",
			Lines: []string{"FROM node:20", "ARG NPM_TOKEN=abc", "COPY . .", emoji},
			Findings: []lint.Finding{
				finding(ruleSecret, "Dockerfile", 2, 5, 2, 14, "NPM_TOKEN is baked into the image"),
				finding(ruleCopy, "Dockerfile", 3, 1, 3, 9, "COPY . . before install",
					lint.Fix{Message: "copy the manifests first", Edits: []lint.Edit{
						{Line: 3, Col: 1, EndLine: 3, EndCol: 1, NewText: "COPY package*.json ./\n"},
						{Line: 4, Col: npm - 3, EndLine: 4, EndCol: npm + 6}, // deletion
					}}),
				finding(ruleHint, "Dockerfile", 4, npm, 4, npm+6, "after an emoji"),
			},
		},
		{
			Path: "sub dir/Dockerfile.dev", AbsPath: "/src/repo/sub dir/Dockerfile.dev",
			Lines: []string{"FROM alpine"},
			Findings: []lint.Finding{
				finding(ruleHint, "sub dir/Dockerfile.dev", 1, 6, 1, 12, "pin it"),
				{Path: "sub dir/Dockerfile.dev", Line: 1, Col: 1, EndLine: 1, EndCol: 5, Code: "JSONArgsRecommended",
					Rule: "JSONArgsRecommended", Severity: ruleCopy.Severity, Message: "not a registered rule"},
			},
		},
		{Path: "clean/Dockerfile", AbsPath: "/src/repo/clean/Dockerfile", Lines: []string{"FROM scratch"}},
		{
			Path: "../elsewhere/Dockerfile", AbsPath: "/src/elsewhere/Dockerfile",
			Lines: []string{"COPY . ."},
			Findings: []lint.Finding{
				finding(ruleCopy, "../elsewhere/Dockerfile", 1, 1, 1, 9, "outside the repository"),
			},
		},
	}
}

func writeSARIF(t *testing.T, results []lint.FileResult) (string, *sarif.Run) {
	t.Helper()
	out := write(t, results, report.Options{Format: "sarif", ToolVersion: "1.2.3", RepoRoot: "/src/repo", Rules: allRules})
	log, err := sarif.FromString(out)
	if err != nil {
		t.Fatalf("output is not SARIF JSON: %v", err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("got %d runs, want 1", len(log.Runs))
	}
	return out, log.Runs[0]
}

func TestSARIFValidates(t *testing.T) {
	sch := sarifSchema(t)
	for name, results := range map[string][]lint.FileResult{
		"fixture":  sarifFixture(),
		"no files": nil,
	} {
		out := write(t, results, report.Options{Format: "sarif", ToolVersion: "1.2.3", RepoRoot: "/src/repo", Rules: allRules})
		if err := validate(sch, out); err != nil {
			t.Errorf("%s: output does not validate: %v\n%s", name, err, out)
		}
	}
	// The validator is not vacuous: a wrong version or a line 0 region
	// must fail.
	out := write(t, sarifFixture(), report.Options{Format: "sarif", RepoRoot: "/src/repo", Rules: allRules})
	for _, bad := range [][2]string{
		{`"version": "2.1.0"`, `"version": "3"`},
		{`"startLine": 2`, `"startLine": 0`},
	} {
		broken := strings.Replace(out, bad[0], bad[1], 1)
		if broken == out || validate(sch, broken) == nil {
			t.Errorf("output with %s validated; the schema check proves nothing", bad[1])
		}
	}
}

func TestSARIFContent(t *testing.T) {
	out, run := writeSARIF(t, sarifFixture())
	if !strings.HasSuffix(out, "}\n") || !strings.Contains(out, "\n  \"runs\": [") {
		t.Errorf("want indented JSON ending in a newline:\n%s", out)
	}

	d := run.Tool.Driver
	if d.Name != "cachelint" || deref(d.Version) != "1.2.3" || deref(d.InformationURI) != "https://github.com/cachelint/cachelint" {
		t.Errorf("driver = %q %q %q", d.Name, deref(d.Version), deref(d.InformationURI))
	}
	if run.ColumnKind != "utf16CodeUnits" {
		t.Errorf("columnKind = %v", run.ColumnKind)
	}
	if got := deref(run.OriginalUriBaseIDs["%SRCROOT%"].URI); got != "file:///src/repo/" {
		t.Errorf("%%SRCROOT%% = %q", got)
	}

	// Every rule is described, reported or not, in the order given.
	var ids []string
	for _, r := range d.Rules {
		ids = append(ids, r.ID)
	}
	if want := []string{"CL001", "CL014", "CL020", "CL030"}; !slices.Equal(ids, want) {
		t.Fatalf("rules = %q, want %q", ids, want)
	}
	r := d.Rules[0]
	if deref(r.Name) != "copy-before-install" ||
		deref(r.ShortDescription.Text) != ruleCopy.Summary() ||
		deref(r.FullDescription.Text) != "Summary of copy-before-install. Because." ||
		deref(r.Help.Text) != ruleCopy.Analyzer.Doc ||
		deref(r.Help.Markdown) != ruleCopy.Markdown() ||
		deref(r.HelpURI) != ruleCopy.URL() {
		t.Errorf("rule metadata = %+v", r)
	}

	// The properties GitHub code scanning reads; property names as GitHub
	// documents them ("problem.severity" is one key with a dot in it).
	props := map[string]map[string]any{}
	for _, r := range d.Rules {
		props[r.ID] = r.Properties
	}
	want := map[string]map[string]any{
		"CL001": {"tags": []any{"cache", "performance"}, "precision": "high", "problem.severity": "warning"},
		"CL014": {"tags": []any{"security"}, "precision": "high", "problem.severity": "error", "security-severity": "7.5"},
		"CL020": {"precision": "high", "problem.severity": "recommendation"},
		"CL030": nil,
	}
	if !reflect.DeepEqual(props, want) {
		t.Errorf("rule properties:\n got %v\nwant %v", props, want)
	}
	if strings.Contains(out, `"automationDetails"`) {
		t.Errorf("automationDetails written without a category; upload-sarif fills it in only when absent")
	}
	var levels []string
	for _, r := range d.Rules {
		levels = append(levels, r.DefaultConfiguration.Level)
	}
	if want := []string{"warning", "error", "note", "none"}; !slices.Equal(levels, want) {
		t.Errorf("default levels = %q, want %q", levels, want)
	}

	// Results, in input order.
	type summary struct {
		ruleID, level, uri, baseID string
		line, col, endLine, endCol int
	}
	var got []summary
	for _, res := range run.Results {
		if len(res.Locations) != 1 {
			t.Fatalf("result %s has %d locations", deref(res.RuleID), len(res.Locations))
		}
		if res.RuleIndex != nil {
			if i := int(*res.RuleIndex); i >= len(d.Rules) || d.Rules[i].ID != deref(res.RuleID) {
				t.Errorf("result %s: ruleIndex %d does not point at its rule", deref(res.RuleID), i)
			}
		} else if deref(res.RuleID) != "JSONArgsRecommended" {
			t.Errorf("result %s has no ruleIndex", deref(res.RuleID))
		}
		pl := res.Locations[0].PhysicalLocation
		got = append(got, summary{
			deref(res.RuleID), deref(res.Level), deref(pl.ArtifactLocation.URI), deref(pl.ArtifactLocation.URIBaseId),
			deref(pl.Region.StartLine), deref(pl.Region.StartColumn), deref(pl.Region.EndLine), deref(pl.Region.EndColumn),
		})
	}
	wantResults := []summary{
		{"CL014", "error", "Dockerfile", "%SRCROOT%", 2, 5, 2, 14},
		{"CL001", "warning", "Dockerfile", "%SRCROOT%", 3, 1, 3, 9},
		{"CL020", "note", "Dockerfile", "%SRCROOT%", 4, 16, 4, 22}, // 🙂 is two UTF-16 units
		{"CL020", "note", "sub%20dir/Dockerfile.dev", "%SRCROOT%", 1, 6, 1, 12},
		{"JSONArgsRecommended", "warning", "sub%20dir/Dockerfile.dev", "%SRCROOT%", 1, 1, 1, 5},
		{"CL001", "warning", "file:///src/elsewhere/Dockerfile", "", 1, 1, 1, 9},
	}
	if !slices.Equal(got, wantResults) {
		t.Errorf("results:\n got %v\nwant %v", got, wantResults)
	}
	if deref(run.Results[0].Message.Text) != "NPM_TOKEN is baked into the image" {
		t.Errorf("message = %q", deref(run.Results[0].Message.Text))
	}

	// The fix, with an insertion and a deletion in UTF-16 columns.
	fixes := run.Results[1].Fixes
	if len(fixes) != 1 || deref(fixes[0].Description.Text) != "copy the manifests first" || len(fixes[0].ArtifactChanges) != 1 {
		t.Fatalf("fixes = %+v", fixes)
	}
	ch := fixes[0].ArtifactChanges[0]
	if deref(ch.ArtifactLocation.URI) != "Dockerfile" || deref(ch.ArtifactLocation.URIBaseId) != "%SRCROOT%" || len(ch.Replacements) != 2 {
		t.Fatalf("artifact change = %+v", ch)
	}
	ins, del := ch.Replacements[0], ch.Replacements[1]
	if r := ins.DeletedRegion; deref(r.StartLine) != 3 || deref(r.StartColumn) != 1 || deref(r.EndLine) != 3 || deref(r.EndColumn) != 1 ||
		ins.InsertedContent == nil || deref(ins.InsertedContent.Text) != "COPY package*.json ./\n" {
		t.Errorf("insertion = %+v", ins)
	}
	if r := del.DeletedRegion; deref(r.StartLine) != 4 || deref(r.StartColumn) != 13 || deref(r.EndColumn) != 22 || del.InsertedContent != nil {
		t.Errorf("deletion = %+v", del)
	}
	for i, res := range run.Results {
		if i != 1 && len(res.Fixes) != 0 {
			t.Errorf("result %d has fixes it was not given", i)
		}
	}
}

// TestSARIFFingerprints checks that a result carries its finding's
// fingerprint under the scheme's name, and none when the finding has none.
// How fingerprints are made is tested in package lint.
func TestSARIFFingerprints(t *testing.T) {
	fp := strings.Repeat("ab", 32)
	fr := lint.FileResult{Path: "Dockerfile", AbsPath: "/src/repo/Dockerfile", Lines: []string{"FROM node", "COPY . .", "RUN npm ci"}}
	fr.Findings = append(fr.Findings, finding(ruleCopy, "Dockerfile", 2, 1, 2, 9, "m"), finding(ruleCopy, "Dockerfile", 3, 1, 3, 9, "m"))
	fr.Findings[0].Fingerprint = fp
	_, run := writeSARIF(t, []lint.FileResult{fr})
	if got := run.Results[0].PartialFingerprints; len(got) != 1 || got[lint.FingerprintScheme] != fp {
		t.Errorf("partialFingerprints = %v, want {%s: %s}", got, lint.FingerprintScheme, fp)
	}
	if got := run.Results[1].PartialFingerprints; len(got) != 0 {
		t.Errorf("a finding without a fingerprint got partialFingerprints %v", got)
	}
}

func TestSARIFCategory(t *testing.T) {
	sch := sarifSchema(t)
	for category, want := range map[string]string{
		"dockerfiles":      "dockerfiles/",
		"dockerfiles/":     "dockerfiles/",
		"monorepo/web":     "monorepo/web/", // the whole value is the category
		"monorepo/web/api": "monorepo/web/api/",
	} {
		out := write(t, sarifFixture(), report.Options{Format: "sarif", RepoRoot: "/src/repo", Rules: allRules, Category: category})
		log, err := sarif.FromString(out)
		if err != nil {
			t.Fatal(err)
		}
		ad := log.Runs[0].AutomationDetails
		if ad == nil || deref(ad.ID) != want {
			t.Errorf("--sarif-category %q: automationDetails = %+v, want id %q", category, ad, want)
		}
		if err := validate(sch, out); err != nil {
			t.Errorf("--sarif-category %q: output does not validate: %v", category, err)
		}
	}
}

// TestSARIFDescriptionLimits checks that the real rules' descriptions fit
// GitHub's limit of 1024 characters, cut at a word when they must be.
func TestSARIFDescriptionLimits(t *testing.T) {
	out := write(t, nil, report.Options{Format: "sarif", Rules: rules.All()})
	log, err := sarif.FromString(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		for what, text := range map[string]string{
			"shortDescription": deref(r.ShortDescription.Text),
			"fullDescription":  deref(r.FullDescription.Text),
		} {
			if n := utf8.RuneCountInString(text); n == 0 || n > 1024 {
				t.Errorf("%s %s has %d characters, want 1 to 1024", r.ID, what, n)
			}
		}
		full := deref(r.FullDescription.Text)
		rule, _ := rules.Lookup(r.ID)
		if full != rule.Description() && (!strings.HasSuffix(full, "…") || !strings.HasPrefix(rule.Description(), strings.TrimSuffix(full, "…")+" ")) {
			t.Errorf("%s fullDescription %q is not the description, or not cut at a word", r.ID, full)
		}
		if deref(r.Help.Text) == "" || deref(r.Help.Markdown) != rule.Markdown() {
			t.Errorf("%s: help.text empty or help.markdown not the rule page", r.ID)
		}
	}
}

func TestSARIFWithoutRepoRoot(t *testing.T) {
	out := write(t, sarifFixture(), report.Options{Format: "sarif", Rules: allRules})
	if strings.Contains(out, "%SRCROOT%") {
		t.Errorf("without RepoRoot no URI should be relative:\n%s", out)
	}
	if !strings.Contains(out, `"uri": "file:///src/repo/sub%20dir/Dockerfile.dev"`) {
		t.Errorf("want absolute file URIs:\n%s", out)
	}
	if !strings.Contains(out, `"ruleIndex": 0`) {
		t.Errorf("ruleIndex 0 must be written, not omitted:\n%s", out)
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
