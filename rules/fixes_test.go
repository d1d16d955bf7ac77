package rules_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// lintSource lints src with one rule and returns its findings.
func lintSource(t *testing.T, code string, src string) []lint.Finding {
	t.Helper()
	r, ok := rules.Lookup(code)
	if !ok {
		t.Fatalf("no rule %s", code)
	}
	linter, err := lint.New([]*rules.Rule{r})
	if err != nil {
		t.Fatal(err)
	}
	res := linter.Lint(lint.Unit{Path: "Dockerfile", AbsPath: "/nonexistent/Dockerfile", Src: []byte(src)})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	var out []lint.Finding
	for _, f := range res.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

// applyFix applies the text edits of a finding's first fix to src.
func applyFix(t *testing.T, src string, f lint.Finding) string {
	t.Helper()
	if len(f.Fixes) == 0 || len(f.Fixes[0].Edits) == 0 {
		t.Fatalf("finding %d:%d %s has no edit", f.Line, f.Col, f.Code)
	}
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	offset := func(line, col int) int { return starts[line-1] + col - 1 }
	edits := slices.Clone(f.Fixes[0].Edits)
	slices.SortFunc(edits, func(a, b lint.Edit) int { return offset(b.Line, b.Col) - offset(a.Line, a.Col) })
	for _, e := range edits {
		s, end := offset(e.Line, e.Col), offset(e.EndLine, e.EndCol)
		src = src[:s] + e.NewText + src[end:]
	}
	return src
}

// directives returns the parser directives BuildKit reads at the top of src.
func directives(t *testing.T, src string) map[string]string {
	t.Helper()
	var dp parser.DirectiveParser
	ds, err := dp.ParseAll([]byte(strings.TrimPrefix(src, "\xEF\xBB\xBF")))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, d := range ds {
		m[d.Name] = d.Value
	}
	return m
}

// TestMissingSyntaxDirectiveFix checks that the inserted directive keeps
// the escape and check directives below it directives, as BuildKit's own
// parser reads them.
func TestMissingSyntaxDirectiveFix(t *testing.T) {
	tests := []struct {
		name, src string
		escape    rune
		want      map[string]string
	}{
		{
			name: "escape and check",
			src: "# escape=`\n# check=skip=JSONArgsRecommended\nFROM mcr.microsoft.com/dotnet/sdk:8.0\n" +
				"RUN --mount=type=cache,target=C:\\nuget `\n    dotnet restore\n",
			escape: '`',
			want:   map[string]string{"syntax": "docker/dockerfile:1", "escape": "`", "check": "skip=JSONArgsRecommended"},
		},
		{
			name:   "no directives",
			src:    "FROM alpine\nRUN <<EOF\necho hi\nEOF\n",
			escape: '\\',
			want:   map[string]string{"syntax": "docker/dockerfile:1"},
		},
		{
			name:   "byte order mark and CRLF",
			src:    "\xEF\xBB\xBF# escape=`\r\nFROM alpine\r\nCOPY --link a /a\r\n",
			escape: '`',
			want:   map[string]string{"syntax": "docker/dockerfile:1", "escape": "`"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := lintSource(t, "CL017", tt.src)
			if len(fs) != 1 {
				t.Fatalf("got %d findings, want 1", len(fs))
			}
			fixed := applyFix(t, tt.src, fs[0])
			if got := directives(t, fixed); !mapsEqual(got, tt.want) {
				t.Errorf("directives after the fix = %v, want %v\n%s", got, tt.want, fixed)
			}
			res, err := parser.Parse(bytes.NewReader([]byte(fixed)))
			if err != nil {
				t.Fatalf("fixed file does not parse: %v\n%s", err, fixed)
			}
			if res.EscapeToken != tt.escape {
				t.Errorf("escape token after the fix = %q, want %q", res.EscapeToken, tt.escape)
			}
			if syntax, _, _, ok := parser.DetectSyntax([]byte(fixed)); !ok || syntax != "docker/dockerfile:1" {
				t.Errorf("DetectSyntax after the fix = %q, %v", syntax, ok)
			}
			if fs := lintSource(t, "CL017", fixed); len(fs) != 0 {
				t.Errorf("fixed file still has %d findings: %s", len(fs), fs[0].Message)
			}
		})
	}
}

// TestOldSyntaxPinFix checks that the fix for a too-old pin rewrites the
// tag (and drops a digest) and keeps the channel.
func TestOldSyntaxPinFix(t *testing.T) {
	tests := []struct{ src, want string }{
		{"# syntax=docker/dockerfile:1.3\nFROM alpine\nRUN <<EOF\necho\nEOF\n", "docker/dockerfile:1"},
		{"#syntax = docker.io/docker/dockerfile:1.9@sha256:0123456789abcdef \nFROM alpine\nRUN --mount=type=secret,id=a,env=A true\n", "docker.io/docker/dockerfile:1"},
		{"# escape=`\n# syntax=docker/dockerfile:1.6-labs\nFROM alpine\nCOPY --parents a/./b /c/\n", "docker/dockerfile:1-labs"},
	}
	for _, tt := range tests {
		fs := lintSource(t, "CL017", tt.src)
		if len(fs) != 1 {
			t.Fatalf("%q: got %d findings, want 1", tt.src, len(fs))
		}
		fixed := applyFix(t, tt.src, fs[0])
		if got := directives(t, fixed)["syntax"]; got != tt.want {
			t.Errorf("syntax after the fix = %q, want %q\n%s", got, tt.want, fixed)
		}
		if fs := lintSource(t, "CL017", fixed); len(fs) != 0 {
			t.Errorf("fixed file still has %d findings: %s", len(fs), fs[0].Message)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestCopyLinkOpportunityFix checks that the inserted --link lands among
// the flags, where BuildKit reads it, in any flag order and across a line
// continuation.
func TestCopyLinkOpportunityFix(t *testing.T) {
	tests := []string{
		"# syntax=docker/dockerfile:1\nFROM golang AS b\nRUN go build -o /out/app .\nFROM alpine\nCOPY --from=b /out/app /usr/local/bin/app\n",
		"# syntax=docker/dockerfile:1\nFROM golang AS b\nFROM node:22\ncopy --chown=1000:1000  --from=b /out /app\n",
		"# escape=`\n# syntax=docker/dockerfile:1\nFROM golang AS b\nFROM alpine\nWORKDIR /srv\nCOPY `\n  --from=b /out/app ./app\n",
	}
	for _, src := range tests {
		fs := lintSource(t, "CL018", src)
		if len(fs) != 1 {
			t.Fatalf("%q: got %d findings, want 1", src, len(fs))
		}
		fixed := applyFix(t, src, fs[0])
		res, err := parser.Parse(bytes.NewReader([]byte(fixed)))
		if err != nil {
			t.Fatalf("fixed file does not parse: %v\n%s", err, fixed)
		}
		last := res.AST.Children[len(res.AST.Children)-1]
		if !slices.Contains(last.Flags, "--link") {
			t.Errorf("flags after the fix = %q, want --link among them\n%s", last.Flags, fixed)
		}
		if fs := lintSource(t, "CL018", fixed); len(fs) != 0 {
			t.Errorf("fixed file still has a finding: %s", fs[0].Message)
		}
	}
}
