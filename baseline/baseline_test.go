package baseline_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/baseline"
	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

var (
	fpA = strings.Repeat("a", 64)
	fpB = strings.Repeat("b", 64)
	fpC = strings.Repeat("c", 64)
)

func results() []lint.FileResult {
	return []lint.FileResult{
		{Path: "web/Dockerfile", AbsPath: filepath.FromSlash("/repo/web/Dockerfile"), Findings: []lint.Finding{
			{Path: "web/Dockerfile", AbsPath: filepath.FromSlash("/repo/web/Dockerfile"), Line: 4, Code: "CL003", Rule: "missing-cache-mount", Message: "npm <runs>", Fingerprint: fpB},
			{Path: "web/Dockerfile", AbsPath: filepath.FromSlash("/repo/web/Dockerfile"), Line: 3, Code: "CL001", Rule: "copy-before-install", Message: "copy", Fingerprint: fpA},
		}},
		{Path: "-", Findings: []lint.Finding{
			{Path: "<stdin>", Line: 1, Code: "CL900", Rule: "parse-error", Severity: rules.SeverityError, Message: "bad", Fingerprint: fpC},
		}},
	}
}

func TestWriteRead(t *testing.T) {
	b := baseline.New(results(), filepath.FromSlash("/repo"))
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		t.Fatal(err)
	}
	want := `{
  "version": 1,
  "fingerprint": "cachelintHash/v2",
  "findings": [
    {
      "fingerprint": "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
      "code": "CL900",
      "rule": "parse-error",
      "path": "<stdin>",
      "line": 1,
      "message": "bad"
    },
    {
      "fingerprint": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "code": "CL001",
      "rule": "copy-before-install",
      "path": "web/Dockerfile",
      "line": 3,
      "message": "copy"
    },
    {
      "fingerprint": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
      "code": "CL003",
      "rule": "missing-cache-mount",
      "path": "web/Dockerfile",
      "line": 4,
      "message": "npm <runs>"
    }
  ]
}
`
	if buf.String() != want {
		t.Errorf("baseline:\n%s\nwant:\n%s", buf.String(), want)
	}
	again, err := baseline.Read(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Findings) != 3 || again.Findings[1] != b.Findings[1] {
		t.Errorf("read back %+v", again)
	}

	var empty bytes.Buffer
	if err := baseline.New(nil, "").Write(&empty); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(empty.String(), `"findings": []`) {
		t.Errorf("an empty baseline: %s", empty.String())
	}
	if _, err := baseline.Read(empty.Bytes()); err != nil {
		t.Errorf("an empty baseline does not read back: %v", err)
	}
}

func TestFilter(t *testing.T) {
	b := &baseline.File{Version: 1, Fingerprint: lint.FingerprintScheme, Findings: []baseline.Entry{{Fingerprint: fpB}, {Fingerprint: fpC}, {Fingerprint: strings.Repeat("d", 64)}}}
	rs := results()
	rs[0].Findings = append(rs[0].Findings, lint.Finding{Code: "CL001"}) // no fingerprint: kept
	if n := b.Filter(rs); n != 2 {
		t.Errorf("Filter removed %d, want 2", n)
	}
	if len(rs[0].Findings) != 2 || rs[0].Findings[0].Fingerprint != fpA || rs[0].Findings[1].Code != "CL001" || len(rs[1].Findings) != 0 {
		t.Errorf("left %+v", rs)
	}
}

func TestWriteFile(t *testing.T) {
	name := filepath.Join(t.TempDir(), "baseline.json")
	if err := os.WriteFile(name, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := baseline.New(results(), "/repo").WriteFile(name); err != nil {
		t.Fatal(err)
	}
	b, err := baseline.ReadFile(name)
	if err != nil || len(b.Findings) != 3 {
		t.Fatalf("read %v, %v", b, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(name)); len(entries) != 1 {
		t.Errorf("a temporary file was left behind: %v", entries)
	}
	if err := baseline.New(nil, "").WriteFile(filepath.Join(t.TempDir(), "no", "such", "dir", "b.json")); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
	if _, err := baseline.ReadFile(filepath.Join(t.TempDir(), "missing.json")); err == nil || strings.Contains(err.Error(), "missing.json") {
		t.Errorf("reading a missing file: %v (want an error that does not repeat the name)", err)
	}
}

func TestReadErrors(t *testing.T) {
	ok := `"version": 1, "fingerprint": "cachelintHash/v2"`
	for _, tc := range []struct{ name, src, want string }{
		{"empty", "  \n", "the file is empty"},
		{"syntax", "{\n  \"version\": 1,\n  \"findings\": [,]\n}", "line 3, column 16: not valid JSON: invalid character ','"},
		{"truncated", `{"version": 1, "findings": [`, "not valid JSON: unexpected end of JSON input"},
		{"array", `[]`, "line 1, column 1: found a JSON array, want a JSON object"},
		{"no version", `{"findings": []}`, `not a cachelint baseline: no "version"`},
		{"SARIF", `{"version": "2.1.0", "runs": []}`, `not a cachelint baseline: "version" is "2.1.0", want 1`},
		{"future version", `{"version": 2, "fingerprint": "cachelintHash/v3", "findings": []}`, "baseline version 2 is not one this cachelint reads (1)"},
		{"no scheme", `{"version": 1, "findings": []}`, `no "fingerprint"`},
		{"scheme not a string", `{"version": 1, "fingerprint": 2, "findings": []}`, `"fingerprint" is 2, want a string`},
		{"old scheme", `{"version": 1, "fingerprint": "cachelintHash/v1", "findings": []}`, "fingerprinted with cachelintHash/v1, which this cachelint does not compute (it uses cachelintHash/v2): write the baseline again with --write-baseline"},
		{"no findings", `{` + ok + `}`, `no "findings"`},
		{"null findings", `{` + ok + `, "findings": null}`, `no "findings"`},
		{"findings not an array", "{" + ok + `,` + "\n" + `"findings": {}}`, `line 2, column 13: "findings" is a JSON object, want an array`},
		{"entry not an object", `{` + ok + `, "findings": ["x"]}`, `"findings" is a JSON string, want an object`},
		{"line not a number", `{` + ok + `, "findings": [{"fingerprint": "` + fpA + `", "line": "4"}]}`, `"findings.line" is a JSON string, want a whole number`},
		{"no fingerprint", `{` + ok + `, "findings": [{"code": "CL001", "path": "Dockerfile", "line": 3}]}`, `findings[0] (Dockerfile:3 CL001): "fingerprint" is missing, want 64 lower-case hex digits`},
		{"short fingerprint", `{` + ok + `, "findings": [{"fingerprint": "` + fpA + `"}, {"fingerprint": "abc"}]}`, `findings[1] (no path or code): "fingerprint" is "abc"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := baseline.Read([]byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	// Fields this version does not know are ignored, as the format says.
	if _, err := baseline.Read([]byte(`{` + ok + `, "comment": "x", "findings": [{"fingerprint": "` + fpA + `", "column": 3}]}`)); err != nil {
		t.Errorf("unknown fields: %v", err)
	}
}
