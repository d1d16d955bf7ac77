package lint_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cachelint/cachelint/internal/testfiles"
	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/report"
	"github.com/cachelint/cachelint/rules"
)

// FuzzLint lints one Dockerfile end to end, as the CLI does: the model,
// every rule (those off by default too), the suppressions, the
// fingerprints, and every report format. No input may make a rule fail
// (the only errors are BuildKit's parse errors and binary input),
// put a finding or an edit outside the file, or make a report that cannot
// be written, is not valid JSON (json, sarif), sends control characters to
// a terminal (text) or breaks a workflow command (github).
//
// The seeds are the Dockerfiles of the fixtures. The build context is a
// directory with a few common manifests, lockfiles and a .dockerignore, so
// that the rules that read the context run too.
func FuzzLint(f *testing.F) {
	for _, src := range testfiles.Dockerfiles() {
		f.Add(src)
	}
	dir := f.TempDir()
	for name, data := range map[string]string{
		"package.json":      `{"name":"x"}`,
		"package-lock.json": `{}`,
		"go.mod":            "module x\n",
		"go.sum":            "",
		"requirements.txt":  "flask\n",
		".npmrc":            "registry=https://example.com/\n",
		".dockerignore":     "node_modules\n*.log\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	l, err := lint.New(rules.All())
	if err != nil {
		f.Fatal(err)
	}
	all := lint.DefaultSettings(rules.All())
	for _, r := range rules.All() {
		all.Severity[r.Code] = r.Severity
	}
	l.SettingsFor = func(lint.Unit) *lint.Settings { return all }
	l.Root = dir

	f.Fuzz(func(t *testing.T, src []byte) {
		u := lint.Unit{Path: "Dockerfile", AbsPath: filepath.Join(dir, "Dockerfile"), Src: src}
		res := l.Lint(u)
		if res.Err != nil && !strings.HasPrefix(res.Err.Error(), "BuildKit cannot parse it: ") && !errors.Is(res.Err, lint.ErrNotDockerfile) {
			t.Fatalf("lint error: %v", res.Err)
		}
		for _, fd := range res.Findings {
			checkRange(t, &res, fd.Code+" finding", fd.Line, fd.Col, fd.EndLine, fd.EndCol)
			for _, fix := range fd.Fixes {
				for _, e := range fix.Edits {
					checkRange(t, &res, fd.Code+" edit", e.Line, e.Col, e.EndLine, e.EndCol)
				}
			}
		}
		results := []lint.FileResult{res}
		// The SARIF rule metadata of the rules that reported (all of
		// them would make each run several times slower).
		var reported []*rules.Rule
		for _, r := range rules.All() {
			if slices.ContainsFunc(res.Findings, func(f lint.Finding) bool { return f.Code == r.Code }) {
				reported = append(reported, r)
			}
		}
		opt := report.Options{ToolVersion: "fuzz", RepoRoot: dir, Rules: reported}
		for _, format := range report.Formats() {
			opt.Format = format
			var buf bytes.Buffer
			if err := report.Write(&buf, results, opt); err != nil {
				t.Fatalf("%s report: %v", format, err)
			}
			out := buf.Bytes()
			switch format {
			case "json", "sarif":
				if !json.Valid(out) {
					t.Fatalf("%s report is not valid JSON:\n%s", format, out)
				}
			case "text":
				checkTerminalSafe(t, out)
			case "github":
				lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
				if len(res.Findings) == 0 {
					lines = nil
				}
				if len(lines) != len(res.Findings) {
					t.Fatalf("github report has %d lines for %d findings:\n%s", len(lines), len(res.Findings), out)
				}
				for _, line := range lines {
					if !strings.HasPrefix(line, "::") || strings.Contains(line, "\r") {
						t.Fatalf("github report line is not one workflow command: %q", line)
					}
				}
			}
		}
	})
}

// checkRange fails when a range is not inside the file: lines from 1 to
// the last (a line of 0 means a finding on the whole file), columns from
// 1 to one past the line's end, the end not before the start.
func checkRange(t *testing.T, r *lint.FileResult, what string, line, col, endLine, endCol int) {
	t.Helper()
	if line == 0 && col == 0 {
		return
	}
	inside := func(l, c int) bool {
		return l >= 1 && l <= len(r.Lines) && c >= 1 && c <= len(r.Lines[l-1])+1
	}
	if !inside(line, col) || !inside(endLine, endCol) || endLine < line || endLine == line && endCol < col {
		t.Fatalf("%s: range %d:%d-%d:%d outside the file (%d lines)", what, line, col, endLine, endCol, len(r.Lines))
	}
}

// checkTerminalSafe fails when text output holds a byte a terminal could
// act on: a control character other than newline and tab, DEL, a C1
// control, or a byte that is not UTF-8.
func checkTerminalSafe(t *testing.T, out []byte) {
	t.Helper()
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRune(out[i:])
		if r == utf8.RuneError && size == 1 || r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f {
			t.Fatalf("text report has the raw character %U at byte %d:\n%q", r, i, out)
		}
		i += size
	}
}
