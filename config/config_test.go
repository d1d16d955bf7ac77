package config

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/rules"
)

func TestParseSelector(t *testing.T) {
	tests := []struct {
		text string
		spec Specificity
		want []string // some codes it must match
		not  []string // some it must not
	}{
		{"ALL", SpecAll, []string{"CL001", "CL900"}, nil},
		{"all", SpecAll, []string{"CL001"}, nil},
		{"CL", SpecFamily, []string{"CL001", "CL900"}, nil},
		{"CL0", SpecGroup, []string{"CL001", "CL025"}, []string{"CL900"}},
		{"cl9", SpecGroup, []string{"CL900"}, []string{"CL001"}},
		{"CL1", SpecGroup, nil, []string{"CL001", "CL900"}}, // reserved for build-configuration rules
		{"CL00", SpecPrefix, []string{"CL001", "CL009"}, []string{"CL010"}},
		{"CL003", SpecRule, []string{"CL003"}, []string{"CL001"}},
		{"cl003", SpecRule, []string{"CL003"}, nil},
		{"missing-cache-mount", SpecRule, []string{"CL003"}, []string{"CL004"}},
		{"Missing-Cache-Mount", SpecRule, []string{"CL003"}, nil},
		{"security", SpecGroup, []string{"CL012", "CL014", "CL015"}, []string{"CL001"}},
		{"BUILDKIT", SpecGroup, []string{"CL900"}, []string{"CL001"}},
	}
	for _, tc := range tests {
		s, err := ParseSelector(tc.text)
		if err != nil {
			t.Errorf("%s: %v", tc.text, err)
			continue
		}
		if s.Spec != tc.spec {
			t.Errorf("%s: specificity %d, want %d", tc.text, s.Spec, tc.spec)
		}
		for _, c := range tc.want {
			if r, _ := rules.Lookup(c); !s.Matches(r) {
				t.Errorf("%s does not match %s", tc.text, c)
			}
		}
		for _, c := range tc.not {
			if r, _ := rules.Lookup(c); s.Matches(r) {
				t.Errorf("%s matches %s", tc.text, c)
			}
		}
	}
	for _, bad := range []string{"", " ", "CL999", "CL0001", "CL5", "CL55", "nonsense", "CLX", "missing_cache_mount"} {
		if _, err := ParseSelector(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseSeverities(t *testing.T) {
	got, err := ParseSeverities("CL003=warning, cache=error,,CL017=off")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Level != rules.SeverityWarning || got[1].Selector.Spec != SpecGroup || got[2].Level != rules.SeverityNone {
		t.Errorf("got %+v", got)
	}
	for _, bad := range []string{"CL003", "CL003=loud", "CL999=info", "=info"} {
		if _, err := ParseSeverities(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func sels(t *testing.T, list string) []Selector {
	t.Helper()
	s, err := ParseSelectors(list)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sevs(t *testing.T, list string) []SeverityEntry {
	t.Helper()
	s, err := ParseSeverities(list)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// on lists the codes a settings map turns on, with their severities.
func on(m map[string]rules.Severity) string {
	var out []string
	for _, code := range slices.Sorted(maps.Keys(m)) {
		if m[code] != rules.SeverityNone {
			out = append(out, code+"="+m[code].String())
		}
	}
	return strings.Join(out, " ")
}

// codes lists the codes that match a selector, at their default severity.
func codes(sel string, except ...string) string {
	s, _ := ParseSelector(sel)
	var out []string
	for _, r := range rules.All() {
		if s.Selects(r) && !slices.Contains(except, r.Code) {
			out = append(out, r.Code+"="+r.Severity.String())
		}
	}
	return strings.Join(out, " ")
}

// codesExcept lists the rules on by default whose code does not start
// with prefix, at their default severity.
func codesExcept(prefix string) string {
	var out []string
	for _, r := range rules.All() {
		if !r.Off && !strings.HasPrefix(r.Code, prefix) {
			out = append(out, r.Code+"="+r.Severity.String())
		}
	}
	return strings.Join(out, " ")
}

// TestResolve checks the selection semantics, ruff's: select replaces,
// extend-select adds, ignore removes; the more specific selector wins; at
// equal specificity ignore wins; later layers win over earlier ones.
func TestResolve(t *testing.T) {
	all := rules.All()
	defaults := on(Resolve(all, nil, nil).Severity)
	if want := codes("ALL"); defaults != want {
		t.Errorf("defaults: %s, want %s", defaults, want)
	}
	tests := []struct {
		name   string
		layers []*Selection
		want   string
	}{
		{"select a prefix, ignore a code in it",
			[]*Selection{{Select: sels(t, "CL0"), HasSelect: true, Ignore: sels(t, "CL013")}},
			codes("CL0", "CL013")},
		{"a code selected is more specific than its prefix ignored",
			[]*Selection{{Select: sels(t, "CL003"), HasSelect: true, Ignore: sels(t, "CL0")}},
			"CL003=info"},
		{"a name works as a code",
			[]*Selection{{Select: sels(t, "missing-cache-mount"), HasSelect: true}},
			"CL003=info"},
		{"at equal specificity ignore wins",
			[]*Selection{{Select: sels(t, "CL0"), HasSelect: true, Ignore: sels(t, "CL0")}},
			""},
		{"a two-digit prefix is more specific than a one-digit one",
			[]*Selection{{Select: sels(t, "CL00"), HasSelect: true, Ignore: sels(t, "CL0")}},
			codes("CL00")},
		{"a tag is as specific as a one-digit prefix: ignore wins",
			[]*Selection{{Select: sels(t, "CL0"), HasSelect: true, Ignore: sels(t, "security")}},
			codes("CL0", "CL012", "CL014", "CL015")},
		{"and the other way round",
			[]*Selection{{Select: sels(t, "security"), HasSelect: true, Ignore: sels(t, "CL0")}},
			"CL116=error"},
		{"a tag is more specific than CL",
			[]*Selection{{Select: sels(t, "security"), HasSelect: true, Ignore: sels(t, "CL")}},
			"CL012=warning CL014=error CL015=error CL116=error"},
		{"ignore without select keeps the defaults",
			[]*Selection{{Ignore: sels(t, "CL0")}},
			codesExcept("CL0")},
		{"an empty select turns everything off",
			[]*Selection{{HasSelect: true}},
			""},
		{"a later select replaces the earlier layers (ruff: --select F401)",
			[]*Selection{
				{Select: sels(t, "CL0"), HasSelect: true, Ignore: sels(t, "CL001")},
				{Select: sels(t, "CL001"), HasSelect: true},
			},
			"CL001=warning"},
		{"a later extend-select adds to them (ruff: --extend-select B)",
			[]*Selection{
				{Select: sels(t, "CL00"), HasSelect: true, Ignore: sels(t, "CL001")},
				{ExtendSelect: sels(t, "CL900")},
			},
			codes("CL00", "CL001") + " CL900=error"},
		{"a later layer's select wins over an earlier layer's more specific ignore",
			[]*Selection{
				{Ignore: sels(t, "CL003")},
				{ExtendSelect: sels(t, "cache")},
			},
			codes("ALL")},
		{"severity: the more specific selector wins within a layer, whatever the order",
			[]*Selection{{Select: sels(t, "CL003,CL004,CL005"), HasSelect: true, Severity: sevs(t, "CL003=warning,cache=error")}},
			"CL003=warning CL004=error CL005=error"},
		{"severity: a later layer wins",
			[]*Selection{
				{Select: sels(t, "CL003,CL004"), HasSelect: true, Severity: sevs(t, "CL003=error")},
				{Severity: sevs(t, "cache=info")},
			},
			"CL003=info CL004=info"},
		{"severity off is an ignore",
			[]*Selection{{Select: sels(t, "CL003,CL017"), HasSelect: true, Severity: sevs(t, "CL017=off")}},
			"CL003=info"},
		{"which a later layer's extend-select undoes",
			[]*Selection{
				{Select: sels(t, "CL003,CL017"), HasSelect: true, Severity: sevs(t, "CL017=off")},
				{ExtendSelect: sels(t, "CL017")},
			},
			"CL003=info CL017=info"},
		{"a severity never turns a rule on",
			[]*Selection{{Select: sels(t, "CL003"), HasSelect: true, Severity: sevs(t, "CL017=error")}},
			"CL003=info"},
		{"the severity of a rule turned on later is kept",
			[]*Selection{
				{Select: sels(t, "CL003"), HasSelect: true, Severity: sevs(t, "CL017=error")},
				{ExtendSelect: sels(t, "CL017")},
			},
			"CL003=info CL017=error"},
	}
	for _, tc := range tests {
		if got := on(Resolve(all, tc.layers, nil).Severity); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// TestResolveOffByDefault checks that a rule off by default is turned on
// only by its own code or name.
func TestResolveOffByDefault(t *testing.T) {
	off := *rules.All()[0] // a copy of CL001, off by default
	off.Off = true
	rs := []*rules.Rule{&off, rules.All()[1]}
	for _, tc := range []struct {
		sel  string
		want string
	}{
		{"ALL", "CL002=warning"},
		{"CL", "CL002=warning"},
		{"CL0", "CL002=warning"},
		{"cache", "CL002=warning"},
		{"CL001", "CL001=warning"},
		{"copy-before-install", "CL001=warning"},
	} {
		s := Resolve(rs, []*Selection{{Select: sels(t, tc.sel), HasSelect: true}}, nil)
		if got := on(s.Severity); got != tc.want {
			t.Errorf("select %s: %s, want %s", tc.sel, got, tc.want)
		}
	}
	if got := on(Resolve(rs, nil, nil).Severity); got != "CL002=warning" {
		t.Errorf("defaults: %s", got)
	}
	if got := on(Resolve(rs, []*Selection{{ExtendSelect: sels(t, "CL001")}}, nil).Severity); got != "CL001=warning CL002=warning" {
		t.Errorf("extend-select CL001: %s", got)
	}
}

func TestParse(t *testing.T) {
	src := `# the issue's example
select: [CL0, CL1, buildkit]      # codes, code prefixes, names, or categories
ignore: [CL013]
severity: {CL003: warning, CL017: off}
fail-level: error
per-path:
  - paths: ["examples/**", "./legacy/*.Dockerfile"]
    ignore: [CL001]
    severity:
      cache: info
tools:
  - name: my-installer
    command: ["./scripts/install-deps"]
    cache-dirs: ["/root/.cache/my-installer", "~/.cache/mine"]
extend-select: &more [CL900]
`
	f, err := Parse("dir/.cachelint.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if f.Dir != "dir" || !f.HasSelect || len(f.Select) != 3 || len(f.Ignore) != 1 || len(f.Severity) != 2 || len(f.ExtendSelect) != 1 {
		t.Errorf("top level: %+v", f)
	}
	if !f.HasFailLevel || f.FailLevel != rules.SeverityError {
		t.Errorf("fail-level: %v %v", f.HasFailLevel, f.FailLevel)
	}
	if len(f.PerPath) != 1 || !slices.Equal(f.PerPath[0].Paths, []string{"examples/**", "legacy/*.Dockerfile"}) || f.PerPath[0].Line != 7 ||
		len(f.PerPath[0].Ignore) != 1 || len(f.PerPath[0].Severity) != 1 || f.PerPath[0].Severity[0].Level != rules.SeverityInfo {
		t.Errorf("per-path: %+v", f.PerPath)
	}
	if len(f.Tools) != 1 || f.Tools[0].Name != "my-installer" || len(f.Tools[0].CacheDirs) != 2 {
		t.Errorf("tools: %+v", f.Tools)
	}

	for _, empty := range []string{"", "# nothing\n", "---\n", "~\n", "select:\nignore:\n"} {
		f, err := Parse("e.yaml", []byte(empty))
		if err != nil || f.HasSelect || len(f.Ignore) > 0 {
			t.Errorf("%q: %+v, %v", empty, f, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"selekt: [CL0]\n", "c.yaml:1:1: selekt: unknown key (want select, extend-select"},
		{"extend_select: [CL0]\n", "c.yaml:1:1: extend_select: unknown key: did you mean extend-select?"},
		{"select: [CL0]\nselect: [CL1]\n", "c.yaml:2:1: select: given twice (first on line 1)"},
		{"select: [CL0, CL999]\n", "c.yaml:1:15: select: no rule has the code CL999"},
		{"ignore: [nope]\n", `c.yaml:1:10: ignore: "nope" is not a rule code`},
		{"ignore: CL001\n", "c.yaml:1:9: ignore: want a list"},
		{"ignore: [[CL001]]\n", "c.yaml:1:10: ignore: want a rule code"},
		{"severity: [CL001]\n", "c.yaml:1:11: severity: want a mapping"},
		{"severity: {CL001: loud}\n", `c.yaml:1:19: severity.CL001: unknown severity "loud"`},
		{"severity: {CL999: info}\n", "c.yaml:1:12: severity: no rule has the code CL999"},
		{"severity: {CL001: info, cl001: off}\n", "c.yaml:1:25: severity.cl001: given twice"},
		{"fail-level: [x]\n", "c.yaml:1:13: fail-level: want error, warning, info or off"},
		{"fail-level: sometimes\n", `c.yaml:1:13: fail-level: unknown severity "sometimes"`},
		{"per-path: {paths: [x]}\n", "c.yaml:1:11: per-path: want a list of entries"},
		{"per-path:\n  - ignore: [CL001]\n", "c.yaml:2:5: per-path: entry has no paths"},
		{"per-path:\n  - paths: []\n", "c.yaml:2:12: per-path.paths: empty list"},
		{"per-path:\n  - paths: [/abs/**]\n", `c.yaml:2:13: per-path.paths: "/abs/**" is absolute`},
		{"per-path:\n  - paths: ['a/[b']\n", `c.yaml:2:13: per-path.paths: "a/[b" is not a valid glob`},
		{"per-path:\n  - paths: [a]\n    fail-level: none\n", "c.yaml:3:5: per-path.fail-level: unknown key"},
		{"per-path:\n  - paths: [a]\n    ignore: [CL999]\n", "c.yaml:3:14: per-path.ignore: no rule has the code CL999"},
		{"tools: {name: x}\n", "c.yaml:1:8: tools: want a list of tools"},
		{"tools:\n  - name: x\n    command: [x]\n", "c.yaml:2:5: tools: tool has no cache-dirs"},
		{"tools:\n  - name: x\n    command: x\n    cache-dirs: [/c]\n", "c.yaml:3:14: tools.command: want a list"},
		{"tools:\n  - name: x\n    command: []\n    cache-dirs: [/c]\n", "c.yaml:3:14: tools.command: empty list"},
		{"tools:\n  - name: x\n    command: [x]\n    cache-dirs: [c]\n", `c.yaml:4:18: tools.cache-dirs: "c" is neither absolute nor under ~/`},
		{"tools:\n  - name: x\n    cmd: [x]\n", "c.yaml:3:5: tools.cmd: unknown key (want name, command, cache-dirs)"},
		{"tools:\n  - x\n", "c.yaml:2:5: tools: want a tool with name, command, cache-dirs"},
		{"- CL001\n", "c.yaml:1:1: want a mapping of keys"},
		{"select: [CL0\n", "c.yaml:1: did not find expected"},
	}
	for _, tc := range tests {
		_, err := Parse("c.yaml", []byte(tc.src))
		if err == nil {
			t.Errorf("%q: no error", tc.src)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\n got %s\nwant %s", tc.src, err, tc.want)
		}
	}
}

// TestLoader checks where configuration files are found and that paths
// sharing a configuration share its settings.
func TestLoader(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) string {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("repo/.git/HEAD", "")
	write("repo/.cachelint.yaml", "select: [CL001]\nper-path:\n  - paths: ['examples/**']\n    severity: {CL001: error}\n")
	write("repo/sub/.cachelint.yml", "select: [CL002]\n")
	write(".cachelint.yaml", "select: [CL003]\n") // above the repository: never used from inside it
	a := write("repo/a/Dockerfile", "")
	b := write("repo/a/b/Dockerfile", "")
	ex := write("repo/examples/x/Dockerfile", "")
	sub := write("repo/sub/deep/Dockerfile", "")
	outside := write("other/Dockerfile", "")
	both := write("two/Dockerfile", "")
	write("two/.cachelint.yaml", "")
	write("two/.cachelint.yml", "")

	l := NewLoader(Options{}, rules.All())
	get := func(p string) *Effective {
		t.Helper()
		e, err := l.For(p, false)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return e
	}
	ea, eb, eex, esub, eout := get(a), get(b), get(ex), get(sub), get(outside)
	if on(ea.Settings.Severity) != "CL001=warning" || ea.Settings != eb.Settings {
		t.Errorf("repo/a: %s (shared with a/b: %v)", on(ea.Settings.Severity), ea.Settings == eb.Settings)
	}
	if on(eex.Settings.Severity) != "CL001=error" || len(eex.PerPath) != 1 || eex.Settings == ea.Settings {
		t.Errorf("repo/examples: %s %v", on(eex.Settings.Severity), eex.PerPath)
	}
	if on(esub.Settings.Severity) != "CL002=warning" || !strings.HasSuffix(esub.File.Path, ".cachelint.yml") {
		t.Errorf("repo/sub: %s from %s", on(esub.Settings.Severity), esub.File.Path)
	}
	if on(eout.Settings.Severity) != "CL003=info" {
		t.Errorf("outside the repository, the file above: %s", on(eout.Settings.Severity))
	}
	if _, err := l.For(both, false); err == nil || !strings.Contains(err.Error(), "keep one of the two") {
		t.Errorf("two files in one directory: %v", err)
	}
	if len(l.Errors()) != 1 {
		t.Errorf("errors: %v", l.Errors())
	}
	if e, _ := l.For(filepath.Join(root, "repo/examples"), true); len(e.PerPath) != 1 {
		t.Errorf("the examples directory itself: %v", e.PerPath)
	}

	// --config: one file for every path, globs relative to it.
	l = NewLoader(Options{File: filepath.Join(root, "repo/sub/.cachelint.yml")}, rules.All())
	if e, _ := l.For(ex, false); on(e.Settings.Severity) != "CL002=warning" {
		t.Errorf("--config: %s", on(e.Settings.Severity))
	}
	// --no-config and the command line.
	l = NewLoader(Options{NoConfig: true, CLI: Selection{Select: sels(t, "CL004"), HasSelect: true}, FailLevel: rules.SeverityError, HasFailLevel: true}, rules.All())
	if e, _ := l.For(a, false); on(e.Settings.Severity) != "CL004=warning" || e.File != nil || e.FailLevel != rules.SeverityError {
		t.Errorf("--no-config --select CL004: %s %v", on(e.Settings.Severity), e.FailLevel)
	}
	// The command line over the file.
	l = NewLoader(Options{CLI: Selection{ExtendSelect: sels(t, "CL005")}}, rules.All())
	if e, _ := l.For(ex, false); on(e.Settings.Severity) != "CL001=error CL005=warning" {
		t.Errorf("--extend-select CL005: %s", on(e.Settings.Severity))
	}
	// A --config file that does not exist.
	l = NewLoader(Options{File: filepath.Join(root, "nope.yaml")}, rules.All())
	if err := l.LoadExplicit(); err == nil {
		t.Error("missing --config file: no error")
	}
}
