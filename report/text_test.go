package report_test

import (
	"strings"
	"testing"

	"github.com/fatih/color"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/report"
	"github.com/cachelint/cachelint/rules"
)

func textFixture() []lint.FileResult {
	return []lint.FileResult{
		{
			Path: "Dockerfile",
			Lines: []string{
				"FROM node:20",
				"COPY . .",
				`RUN apt-get update && \`,
				"\tapt-get install -y curl",
				"ARG NPM_TOKEN=abc123",
			},
			Findings: []lint.Finding{
				finding(ruleCopy, "Dockerfile", 2, 1, 2, 9, "COPY . . comes before the install step",
					lint.Fix{Message: "copy package.json first"},
					lint.Fix{Edits: []lint.Edit{{Line: 2, Col: 1, EndLine: 2, EndCol: 9}}}), // no message: no help line
				finding(ruleHint, "Dockerfile", 3, 5, 4, 25, "spans two lines"),
				finding(ruleCopy, "Dockerfile", 4, 2, 4, 9, "after a tab"),
				finding(ruleSecret, "Dockerfile", 5, 5, 5, 14, "NPM_TOKEN is baked into the image",
					lint.Fix{Message: "pass it with a secret mount"}),
			},
		},
		{Path: "app/Dockerfile", Lines: []string{"FROM scratch"}},
	}
}

func TestTextGolden(t *testing.T) {
	want := strings.Join([]string{
		"Dockerfile:2:1: warning CL001 copy-before-install: COPY . . comes before the install step",
		"  2 | COPY . .",
		"    | ^~~~~~~~",
		"  help: copy package.json first",
		"",
		"Dockerfile:3:5: info CL020 pin-base-image: spans two lines",
		`  3 | RUN apt-get update && \`,
		"    |     ^~~~~~~~~~~~~~~~~~~",
		"",
		"Dockerfile:4:2: warning CL001 copy-before-install: after a tab",
		"  4 | \tapt-get install -y curl",
		"    | \t^~~~~~~",
		"",
		"Dockerfile:5:5: error CL014 secret-in-arg-env: NPM_TOKEN is baked into the image",
		"  5 | ARG NPM_TOKEN=abc123",
		"    |     ^~~~~~~~~",
		"  help: pass it with a secret mount",
		"",
		"4 problems (1 error, 2 warnings, 1 info) in 2 files",
		"",
	}, "\n")
	got := write(t, textFixture(), report.Options{Format: "text"})
	if got != want {
		t.Errorf("text output:\n%s\nwant:\n%s", got, want)
	}
}

func TestTextColor(t *testing.T) {
	// The global switch must not matter: Options.Color decides.
	defer func(saved bool) { color.NoColor = saved }(color.NoColor)
	color.NoColor = true
	got := write(t, textFixture(), report.Options{Format: "text", Color: true})
	// Each coloured piece starts with its SGR sequence and is closed by
	// a reset, whose exact form is fatih/color's business.
	for _, want := range []string{
		"\x1b[33;1mwarning\x1b[",   // warning: yellow bold
		"\x1b[31;1merror\x1b[",     // error: red bold
		"\x1b[36;1minfo\x1b[",      // info: cyan bold
		"\x1b[1mCL001\x1b[",        // code: bold
		"\x1b[33;1m^~~~~~~~\x1b[",  // caret in the severity's colour
		"\x1b[31;1m^~~~~~~~~\x1b[", // likewise for the error
	} {
		if !strings.Contains(got, want) {
			t.Errorf("coloured output lacks %q:\n%s", want, got)
		}
	}

	color.NoColor = false
	if plain := write(t, textFixture(), report.Options{Format: "text"}); strings.Contains(plain, "\x1b") {
		t.Errorf("Color: false output has escape sequences:\n%q", plain)
	}
}

func TestTextNeutralisesControlCharacters(t *testing.T) {
	line := "RUN echo \x1b]0;pwned\x07 \u009b1m \xff X"
	x := strings.IndexByte(line, 'X') + 1
	results := []lint.FileResult{{
		Path:  "evil\x1b[2J/Dockerfile",
		Lines: []string{line},
		Findings: []lint.Finding{
			finding(ruleCopy, "evil\x1b[2J/Dockerfile", 1, x, 1, x+1, "message with \x1b[31mred\x1b[0m and a\nnewline",
				lint.Fix{Message: "help \x1b[5m"}),
		},
	}}
	got := write(t, results, report.Options{Format: "text"})
	for _, bad := range []string{"\x1b", "\x07", "\u009b", "\xff"} {
		if strings.Contains(got, bad) {
			t.Errorf("output contains raw %q:\n%s", bad, got)
		}
	}
	for _, want := range []string{
		`evil\x1b[2J/Dockerfile:1:27: warning`,
		`message with \x1b[31mred\x1b[0m and a\x0anewline`,
		`  1 | RUN echo \x1b]0;pwned\x07 \u009b1m \xff X`,
		// The caret sits under X: escapes are padded at their printed width.
		"    | " + strings.Repeat(" ", len(`RUN echo \x1b]0;pwned\x07 \u009b1m \xff `)) + "^\n",
		`  help: help \x1b[5m`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestTextMultibyte(t *testing.T) {
	line := `RUN echo "é🙂" && npm ci`
	npm := strings.Index(line, "npm") + 1        // byte column 22
	quote := strings.Index(line, `"`) + 1        // byte column 10
	endQuote := strings.LastIndex(line, `"`) + 2 // exclusive, after the closing quote
	results := []lint.FileResult{{
		Path:  "Dockerfile",
		Lines: []string{line},
		Findings: []lint.Finding{
			finding(ruleHint, "Dockerfile", 1, quote, 1, endQuote, "the string"),
			finding(ruleCopy, "Dockerfile", 1, npm, 1, npm+6, "npm ci"),
		},
	}}
	got := write(t, results, report.Options{Format: "text"})
	for _, want := range []string{
		"Dockerfile:1:10: info CL020 pin-base-image: the string\n",
		"    |          ^~~~\n", // four characters: "é🙂"
		"Dockerfile:1:18: warning CL001 copy-before-install: npm ci\n",
		"    |                  ^~~~~~\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestTextSummary(t *testing.T) {
	files := func(n int, sevs ...rules.Severity) []lint.FileResult {
		results := make([]lint.FileResult, n)
		for i := range results {
			results[i] = lint.FileResult{Path: "f", Lines: []string{"FROM x"}}
		}
		for _, s := range sevs {
			f := finding(ruleCopy, "f", 1, 1, 1, 5, "m")
			f.Severity = s
			results[0].Findings = append(results[0].Findings, f)
		}
		return results
	}
	unlinted := func(results []lint.FileResult, which ...int) []lint.FileResult {
		for _, i := range which {
			results[i].Err = errTest
		}
		return results
	}
	tests := []struct {
		results []lint.FileResult
		want    string
	}{
		{nil, "No problems found in 0 files\n"},
		{files(1), "No problems found in 1 file\n"},
		{files(2), "No problems found in 2 files\n"},
		{files(1, rules.SeverityError), "1 problem (1 error, 0 warnings, 0 info) in 1 file\n"},
		{files(3, rules.SeverityWarning, rules.SeverityWarning, rules.SeverityInfo), "3 problems (0 errors, 2 warnings, 1 info) in 3 files\n"},
		{files(2, rules.SeverityError, rules.SeverityError, rules.SeverityWarning), "3 problems (2 errors, 1 warning, 0 info) in 2 files\n"},
		{unlinted(files(3), 0, 2), "No problems found in 3 files; 2 files could not be linted\n"},
		{unlinted(files(2, rules.SeverityError), 0), "1 problem (1 error, 0 warnings, 0 info) in 2 files; 1 file could not be linted\n"},
	}
	for _, tt := range tests {
		got := write(t, tt.results, report.Options{Format: "text"})
		if !strings.HasSuffix(got, "\n\n"+tt.want) && got != tt.want {
			t.Errorf("summary of %d files: got output\n%s\nwant it to end with %q", len(tt.results), got, tt.want)
		}
	}
}

func TestTextWithoutSource(t *testing.T) {
	results := []lint.FileResult{{
		Path: "gone/Dockerfile",
		Err:  errTest,
		Findings: []lint.Finding{
			finding(ruleSecret, "gone/Dockerfile", 0, 0, 0, 0, "whole file"),
			finding(ruleSecret, "gone/Dockerfile", 3, 2, 3, 6, "somewhere"),
		},
	}}
	want := "gone/Dockerfile: error CL014 secret-in-arg-env: whole file\n\n" +
		"gone/Dockerfile:3:2: error CL014 secret-in-arg-env: somewhere\n\n" +
		"2 problems (2 errors, 0 warnings, 0 info) in 1 file; 1 file could not be linted\n"
	if got := write(t, results, report.Options{Format: "text"}); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
