package lint_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/dockerfile"
	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// TestSuppression checks that the driver drops what the comments silence
// whatever the settings, reports unused suppressions only when CL902 is
// on, and says when a named rule is off.
func TestSuppression(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Dockerfile")
	src := "FROM node:22\n" +
		"WORKDIR /app\n" +
		"# cachelint ignore=CL001 -- the context is tiny\n" +
		"COPY . .\n" +
		"# cachelint ignore=CL003,CL020\n" +
		"RUN npm ci\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := lint.New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	lintIt := func() []string {
		var out []string
		for _, f := range l.Lint(lint.Unit{Path: "Dockerfile", AbsPath: path}).Findings {
			out = append(out, f.Code+" "+f.Message)
		}
		return out
	}
	codes := func(fs []string) []string {
		var out []string
		for _, f := range fs {
			out = append(out, strings.Fields(f)[0])
		}
		return out
	}

	// Defaults: CL001 and CL003 silenced; CL020 has nothing to silence,
	// and CL902 is off.
	if got := codes(lintIt()); !slices.Equal(got, []string{"CL025"}) {
		t.Errorf("defaults: %v", got)
	}

	// CL902 on: the unused CL020 is reported.
	on := lint.DefaultSettings(rules.All())
	on.Severity["CL902"] = rules.SeverityInfo
	l.SettingsFor = func(lint.Unit) *lint.Settings { return on }
	got := lintIt()
	if !slices.Equal(codes(got), []string{"CL902", "CL025"}) ||
		!strings.Contains(got[0], "CL020 in `# cachelint ignore=` silences nothing: the RUN on line 6 has no CL020 finding") {
		t.Errorf("CL902 on: %q", got)
	}

	// CL003 off as well: it is named, and off, so it silences nothing.
	off := lint.DefaultSettings(rules.All())
	off.Severity["CL902"] = rules.SeverityWarning
	delete(off.Severity, "CL003")
	l.SettingsFor = func(lint.Unit) *lint.Settings { return off }
	got = lintIt()
	want := "CL902 CL003 and CL020 in `# cachelint ignore=` silence nothing: the RUN on line 6 has no CL020 finding; CL003 is off for this file"
	if !slices.Contains(got, want) {
		t.Errorf("CL003 off: %q, want %q", got, want)
	}
}

// TestCorpusSuppressEveryFinding puts a "# cachelint ignore=" comment for
// every finding above the instruction it points at, in every file of the
// shared corpus, and checks that the findings are gone and that no
// suppression is reported as unused; then does the same with one global
// comment a file.
func TestCorpusSuppressEveryFinding(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run skipped in -short mode")
	}
	units, _ := corpusUnits(t)
	l, err := lint.New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	on := lint.DefaultSettings(rules.All())
	on.Severity["CL902"] = rules.SeverityInfo
	l.SettingsFor = func(lint.Unit) *lint.Settings { return on }
	byPath := map[string]lint.Unit{}
	for _, u := range units {
		byPath[u.Path] = u
	}
	var instrUnits, globalUnits []lint.Unit
	silenced, skipped := 0, 0
	for _, r := range l.LintAll(units) { // sorted by path
		if r.Err != nil || len(r.Findings) == 0 {
			continue
		}
		u := byPath[r.Path]
		f := dockerfile.Parse(u.Path, u.Src, nil)
		lines := strings.SplitAfter(string(u.Src), "\n")
		above := map[int][]string{} // instruction start line → codes
		all := map[string]bool{}
		for _, fd := range r.Findings {
			all[fd.Code] = true
			in := instructionAt(f, fd.Line)
			if in == nil {
				skipped++
				continue
			}
			if !slices.Contains(above[in.StartLine], fd.Code) {
				above[in.StartLine] = append(above[in.StartLine], fd.Code)
			}
			silenced++
		}
		var b strings.Builder
		for n, line := range lines {
			if n == 0 && strings.HasPrefix(line, "\xEF\xBB\xBF") {
				b.WriteString("\xEF\xBB\xBF") // the byte order mark stays first
				line = line[3:]
			}
			if codes := above[n+1]; len(codes) > 0 {
				indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
				b.WriteString(indent + "# cachelint ignore=" + strings.Join(codes, ",") + " -- corpus test\n")
			}
			b.WriteString(line)
		}
		instrUnits = append(instrUnits, lint.Unit{Path: u.Path, AbsPath: u.AbsPath, Src: []byte(b.String())})
		var codes []string
		for c := range all {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		// Above the first instruction: after any parser directives, and
		// not in a last instruction that a trailing \ extends to the end.
		first := f.Instructions[0].StartLine
		bom := ""
		if first == 1 && strings.HasPrefix(lines[0], "\xEF\xBB\xBF") {
			bom, lines[0] = "\xEF\xBB\xBF", lines[0][3:] // the mark stays first
		}
		src := bom + strings.Join(lines[:first-1], "") + "# cachelint global ignore=" + strings.Join(codes, ",") + "\n\n" + strings.Join(lines[first-1:], "")
		globalUnits = append(globalUnits, lint.Unit{Path: u.Path, AbsPath: u.AbsPath, Src: []byte(src)})
	}
	t.Logf("%d findings in %d files silenced above their instruction; %d outside any instruction", silenced, len(instrUnits), skipped)
	for _, r := range l.LintAll(instrUnits) {
		for _, fd := range r.Findings {
			if instr := instructionAt(dockerfile.Parse(r.Path, []byte(strings.Join(r.Lines, "\n")), nil), fd.Line); instr != nil || fd.Code == "CL902" {
				t.Errorf("%s:%d:%d: %s %s", r.Path, fd.Line, fd.Col, fd.Code, fd.Message)
			}
		}
	}
	for _, r := range l.LintAll(globalUnits) {
		for _, fd := range r.Findings {
			t.Errorf("global: %s:%d:%d: %s %s", r.Path, fd.Line, fd.Col, fd.Code, fd.Message)
		}
	}
}

// instructionAt is the instruction whose lines hold line n.
func instructionAt(f *dockerfile.File, n int) *dockerfile.Instruction {
	for _, in := range f.Instructions {
		if in.StartLine <= n && n <= in.EndLine {
			return in
		}
	}
	return nil
}
