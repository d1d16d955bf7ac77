package rules_test

import (
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/cachelint/cachelint/buildconfig"
	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// TestFixtures runs every txtar fixture under testdata/rules/<rule-name>/.
// A fixture holds a Dockerfile (any file whose name starts with
// "Dockerfile"), optional context files such as .dockerignore, and a "want"
// file with one expected finding a line: "line:col CODE [message text]".
// The test fails on any missing or extra finding of the folder's rule or of
// any code the want file mentions; message text, when given, must appear in
// the finding's message. A want line "none CODE" asserts that the fixture
// has no finding of another rule. A "fixed" file, when present, is the Dockerfile
// after applying every edit of the folder's rule's findings.
func TestFixtures(t *testing.T) {
	root := filepath.Join("..", "testdata", "rules")
	linter, err := lint.New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules.All() {
		// A rule that is off by default is on for its own fixtures (the
		// fixtures run one after the other).
		var settings *lint.Settings
		if r.Off {
			settings = lint.DefaultSettings(rules.All())
			settings.Severity[r.Code] = r.Severity
		}
		linter.SettingsFor = func(lint.Unit) *lint.Settings { return settings }
		dir := filepath.Join(root, r.Name())
		files, _ := filepath.Glob(filepath.Join(dir, "*.txtar"))
		if len(files) == 0 {
			t.Errorf("rule %s has no fixtures in %s", r.Code, dir)
		}
		l := linter
		if r.Off {
			// A rule that is off by default is tested on.
			l, err = lint.New(rules.All())
			if err != nil {
				t.Fatal(err)
			}
			on := lint.DefaultSettings(rules.All())
			on.Severity[r.Code] = r.Severity
			l.SettingsFor = func(lint.Unit) *lint.Settings { return on }
		}
		for _, file := range files {
			t.Run(r.Name()+"/"+strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
				runFixture(t, l, r, file)
			})
		}
	}
}

type want struct {
	key  string // "line:col CODE"
	text string // required message substring, may be empty
}

func runFixture(t *testing.T, linter *lint.Linter, r *rules.Rule, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, "docker-bake") && !bakeResolved(t) {
			t.Skip("bake fixture: buildconfig's bake resolver is not merged yet (bake_stub.go)")
		}
	}
	dir := t.TempDir()
	var dockerfile string
	var wants []want
	var fixed []byte
	hasFixed := false
	fixedFiles := map[string][]byte{} // -- fixed/<path> --: a configuration file after the fixes
	var configs []buildconfig.Input
	codes := map[string]bool{r.Code: true}
	for _, f := range ar.Files {
		if f.Name == "fixed" {
			fixed, hasFixed = f.Data, true
			continue
		}
		if name, ok := strings.CutPrefix(f.Name, "fixed/"); ok {
			fixedFiles[name] = f.Data
			continue
		}
		if f.Name == "want" {
			for _, line := range strings.Split(string(f.Data), "\n") {
				line = strings.TrimSpace(line)
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				if code, ok := strings.CutPrefix(line, "none "); ok {
					codes[strings.TrimSpace(code)] = true
					continue
				}
				fields := strings.SplitN(line, " ", 3)
				if len(fields) < 2 {
					t.Fatalf("bad want line %q", line)
				}
				w := want{key: fields[0] + " " + fields[1]}
				if len(fields) == 3 {
					w.text = fields[2]
				}
				wants = append(wants, w)
				codes[fields[1]] = true
			}
			continue
		}
		path := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		if dockerfile == "" && strings.HasPrefix(filepath.Base(f.Name), "Dockerfile") && !strings.HasSuffix(f.Name, ".dockerignore") {
			dockerfile = path
		}
		if buildconfig.KindOf(f.Name) != 0 {
			configs = append(configs, buildconfig.Input{Path: f.Name, Abs: path})
		}
	}
	got := map[string]lint.Finding{}
	var res lint.FileResult
	if r.Config() {
		// Rules of the build configuration: findings are keyed
		// path:line:col CODE, in whichever configuration file they are.
		results := linter.LintRepo(lint.RepoUnit{Root: dir, Files: configs})
		for _, fr := range results {
			for _, f := range fr.Findings {
				if codes[f.Code] {
					got[fmt.Sprintf("%s:%d:%d %s", fr.Path, f.Line, f.Col, f.Code)] = f
				}
			}
		}
		checkWants(t, got, wants)
		for name, want := range fixedFiles {
			src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				t.Fatal(err)
			}
			var findings []lint.Finding
			for _, fr := range results {
				if fr.Path == name {
					findings = fr.Findings
				}
			}
			if out := applyFixes(t, src, findings, r.Code); out != string(want) {
				t.Errorf("fixed %s:\n%s\nwant:\n%s", name, out, want)
			}
		}
		return
	}
	if dockerfile == "" {
		t.Fatal("fixture has no Dockerfile")
	}
	res = linter.Lint(lint.Unit{Path: "Dockerfile", AbsPath: dockerfile})
	for _, f := range res.Findings {
		if codes[f.Code] {
			got[fmt.Sprintf("%d:%d %s", f.Line, f.Col, f.Code)] = f
		}
	}
	checkWants(t, got, wants)
	if hasFixed {
		src, err := os.ReadFile(dockerfile)
		if err != nil {
			t.Fatal(err)
		}
		if out := applyFixes(t, src, res.Findings, r.Code); out != string(fixed) {
			t.Errorf("fixed Dockerfile:\n%s\nwant:\n%s", out, fixed)
		}
	}
}

// bakeResolved reports whether buildconfig resolves bake files into
// builds, rather than the stand-in that finds none (bake_stub.go, until
// the bake resolver is merged). Bake fixtures are skipped without it.
func bakeResolved(t *testing.T) bool {
	bakeOnce.Do(func() {
		dir := t.TempDir()
		files := map[string]string{"docker-bake.hcl": "target \"default\" {}\n", "build.sh": "docker buildx bake\n", "Dockerfile": "FROM alpine\n"}
		var inputs []buildconfig.Input
		for name, src := range files {
			abs := filepath.Join(dir, name)
			if err := os.WriteFile(abs, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			if buildconfig.KindOf(name) != 0 {
				inputs = append(inputs, buildconfig.Input{Path: name, Abs: abs})
			}
		}
		repo := buildconfig.Load(token.NewFileSet(), dir, inputs, os.ReadFile)
		bakeOK = repo != nil && len(repo.Builds) > 0
	})
	return bakeOK
}

var (
	bakeOnce sync.Once
	bakeOK   bool
)

// checkWants compares the findings of a fixture with its want lines.
func checkWants(t *testing.T, got map[string]lint.Finding, wants []want) {
	t.Helper()
	for _, w := range wants {
		f, ok := got[w.key]
		if !ok {
			t.Errorf("missing finding %s %s", w.key, w.text)
			continue
		}
		if w.text != "" && !strings.Contains(f.Message, w.text) {
			t.Errorf("finding %s: message %q does not contain %q", w.key, f.Message, w.text)
		}
		delete(got, w.key)
	}
	keys := make([]string, 0, len(got))
	for k := range got {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return lineOf(a) - lineOf(b) })
	for _, k := range keys {
		t.Errorf("unexpected finding %s: %s", k, got[k].Message)
	}
}

// applyFixes applies the edits of every fix of the findings with the given
// code, last position first.
func applyFixes(t *testing.T, src []byte, findings []lint.Finding, code string) string {
	lineStart := []int{0}
	for i, b := range src {
		if b == '\n' {
			lineStart = append(lineStart, i+1)
		}
	}
	offset := func(line, col int) int {
		if line < 1 || line > len(lineStart) {
			t.Fatalf("edit at line %d is outside the file", line)
		}
		return lineStart[line-1] + col - 1
	}
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	for _, f := range findings {
		if f.Code != code {
			continue
		}
		for _, fix := range f.Fixes {
			for _, e := range fix.Edits {
				edits = append(edits, edit{offset(e.Line, e.Col), offset(e.EndLine, e.EndCol), e.NewText})
			}
		}
	}
	slices.SortStableFunc(edits, func(a, b edit) int { return b.start - a.start })
	out := string(src)
	for _, e := range edits {
		out = out[:e.start] + e.text + out[e.end:]
	}
	return out
}

func lineOf(key string) int {
	n, _ := strconv.Atoi(strings.SplitN(key, ":", 2)[0])
	return n
}
