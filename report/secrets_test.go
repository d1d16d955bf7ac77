package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/baseline"
	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/report"
	"github.com/cachelint/cachelint/rules"
)

// secretValues are the values secretsDockerfile gives its credentials.
var secretValues = []string{
	"ghp_16C7e42F292c6912E7710c838347Ae178B4a", "npm_s3cr3tValue", "hunter2",
	"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	"correct horse battery staple", "sk-proj-abc123", "p@ss:w0rd", "xoxb-0000",
	"BEGIN OPENSSH", "s3kr1t-legacy", "Zm9vYmFy", "topsecret-default", "pa55w0rd-in-url",
}

const secretsDockerfile = `ARG GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a
FROM node:22
ARG GITHUB_TOKEN
ARG NPM_TOKEN=npm_s3cr3tValue
ENV DB_PASSWORD=hunter2
ENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ENV PASSPHRASE "correct horse battery staple"
ENV OPENAI_API_KEY=sk-proj-abc123 \
    DB_PASS='p@ss:w0rd'
ARG SLACK_BOT_TOKEN=xoxb-0000
ENV SSH_PRIVATE_KEY="-----BEGIN OPENSSH PRIVATE KEY-----"
ENV LEGACY_SECRET s3kr1t-legacy
ARG "API_KEY"=Zm9vYmFy
ARG CLIENT_SECRET=topsecret-default
COPY . .
RUN echo $NPM_TOKEN > .npmrc && npm ci
RUN git clone https://deploy:pa55w0rd-in-url@example.com/acme/app.git && curl -fsSL https://example.com/x.sh | sh
ADD https://ci:pa55w0rd-in-url@example.com/file.tgz /opt/
`

// TestSecretsInNoFormat lints a Dockerfile full of credentials with every
// rule and checks that no value reaches any format, the baseline file
// included; the text format shows the source lines with the values
// masked.
func TestSecretsInNoFormat(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(name, []byte(secretsDockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := lint.New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	all := lint.DefaultSettings(rules.All())
	for _, r := range rules.All() {
		all.Severity[r.Code] = r.Severity
	}
	l.SettingsFor = func(lint.Unit) *lint.Settings { return all }
	l.Root = dir
	results := l.LintAll([]lint.Unit{{Path: "Dockerfile", AbsPath: name}})
	if results[0].Err != nil {
		t.Fatal(results[0].Err)
	}
	if n := strings.Count(codesOf(results), "CL014"); n != 14 {
		t.Errorf("%d CL014 findings, want 14", n)
	}

	outputs := map[string]string{}
	for _, format := range report.Formats() {
		var buf bytes.Buffer
		opt := report.Options{Format: format, RepoRoot: dir, Rules: rules.All(), ToolVersion: "test"}
		if err := report.Write(&buf, results, opt); err != nil {
			t.Fatal(err)
		}
		outputs[format] = buf.String()
	}
	var b bytes.Buffer
	if err := baseline.New(results, dir).Write(&b); err != nil {
		t.Fatal(err)
	}
	outputs["baseline"] = b.String()
	for format, out := range outputs {
		for _, v := range secretValues {
			if strings.Contains(out, v) {
				t.Errorf("%s output shows %q", format, v)
			}
		}
	}
	for _, want := range []string{
		"  1 | ARG GITHUB_TOKEN=***\n",
		"  6 | ENV AWS_ACCESS_KEY_ID=*** AWS_SECRET_ACCESS_KEY=***\n",
		"  7 | ENV PASSPHRASE ***\n",
		"  9 |     DB_PASS=***\n",
		"  17 | RUN git clone https://deploy:***@example.com/acme/app.git",
		"  18 | ADD https://ci:***@example.com/file.tgz /opt/\n",
	} {
		if !strings.Contains(outputs["text"], want) {
			t.Errorf("text output lacks %q:\n%s", want, outputs["text"])
		}
	}
}

func codesOf(results []lint.FileResult) string {
	var b strings.Builder
	for _, r := range results {
		for _, f := range r.Findings {
			b.WriteString(f.Code + " ")
		}
	}
	return b.String()
}

// TestTextMasksSecrets checks the text format's masking of secret ranges
// in source lines: the marker stays under its range when a masked value
// comes before it, one range may span lines, and a range that covers the
// marker's start puts the marker on the mask.
func TestTextMasksSecrets(t *testing.T) {
	lines := []string{`ENV TOKEN="s3cr3t value" NAME=x`, `ENV KEY=abc\`, `def OTHER=y`}
	results := []lint.FileResult{{
		Path:  "Dockerfile",
		Lines: lines,
		Secrets: []lint.Range{
			{Line: 1, Col: 11, EndLine: 1, EndCol: 25},
			{Line: 2, Col: 9, EndLine: 3, EndCol: 4},
		},
		Findings: []lint.Finding{
			finding(ruleCopy, "Dockerfile", 1, 26, 1, 30, "after the secret"),
			finding(ruleCopy, "Dockerfile", 1, 12, 1, 15, "inside the secret"),
			finding(ruleCopy, "Dockerfile", 3, 5, 3, 10, "after a secret from the line before"),
		},
	}}
	got := write(t, results, report.Options{Format: "text"})
	for _, want := range []string{
		"  1 | ENV TOKEN=*** NAME=x\n    |               ^~~~\n",
		"  1 | ENV TOKEN=*** NAME=x\n    |           ^~~\n",
		"  3 | *** OTHER=y\n    |     ^~~~~\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks\n%s\nin:\n%s", want, got)
		}
	}
	if strings.Contains(got, "s3cr3t") || strings.Contains(got, "abc") || strings.Contains(got, "def") {
		t.Errorf("a secret is shown:\n%s", got)
	}
}

// TestTextLongLines checks that a long source line is shown cut to a
// window around the finding, with the marker under it.
func TestTextLongLines(t *testing.T) {
	line := "RUN " + strings.Repeat("echo x && ", 100) + "npm ci" + strings.Repeat(" && echo y", 100)
	col := strings.Index(line, "npm") + 1
	results := []lint.FileResult{{
		Path: "Dockerfile", Lines: []string{line},
		Findings: []lint.Finding{
			finding(ruleCopy, "Dockerfile", 1, col, 1, col+3, "npm"),
			finding(ruleCopy, "Dockerfile", 1, 1, 1, 4, "RUN"),
		},
	}}
	got := write(t, results, report.Options{Format: "text"})
	for _, l := range strings.Split(got, "\n") {
		if len([]rune(l)) > 220 {
			t.Errorf("line of %d characters: %q", len([]rune(l)), l)
		}
	}
	// The window starts 60 characters before npm, after an ellipsis.
	want := "  1 | …" + line[col-1-60:col-1] + "npm ci"
	if !strings.Contains(got, want) || !strings.Contains(got, "\n    | "+strings.Repeat(" ", 61)+"^~~\n") {
		t.Errorf("npm's window:\n%s", got)
	}
	if !strings.Contains(got, "  1 | RUN echo x") || !strings.Contains(got, "…\n    | ^~~\n") {
		t.Errorf("RUN's window:\n%s", got)
	}
}
