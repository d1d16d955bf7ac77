package lint

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/rules"
)

// TestSecretRanges checks which ranges of a file the driver takes for
// secret values: the values of the variables CL014 names, in each form of
// ARG and ENV, and URL passwords; not variable references, not switches,
// and whether or not CL014 reports.
func TestSecretRanges(t *testing.T) {
	src := "ARG GITHUB_TOKEN=ghp_abc\n" + // 1
		"FROM node:22\n" + // 2
		"ARG NPM_TOKEN\n" + // 3: no value
		"ENV DB_PASSWORD=\"hunter 2\" PLAIN=x API_KEY='k3y'\n" + // 4
		"ENV PASSPHRASE correct horse\n" + // 5: ENV's old form
		"ENV SECRET_KEY=abc\\\n" + // 6: a value over two lines
		"def\n" + // 7
		"ENV GITHUB_TOKEN=true\n" + // 8: a switch, no secret
		"RUN git clone https://user:pa55@example.com/r.git https://u:${TOKEN}@example.com/s.git\n" // 9
	want := []string{
		"1:18-1:25 ghp_abc",
		"4:17-4:27 \"hunter 2\"",
		"4:44-4:49 'k3y'",
		"5:16-5:29 correct horse",
		"6:16-7:4 abc\\\ndef",
		"9:28-9:32 pa55",
	}
	for _, off := range []bool{false, true} {
		l, err := New(rules.All())
		if err != nil {
			t.Fatal(err)
		}
		if off {
			// CL014 off: the values are still secrets.
			s := DefaultSettings(rules.All())
			delete(s.Severity, "CL014")
			l.SettingsFor = func(Unit) *Settings { return s }
		}
		res := l.Lint(Unit{Path: "Dockerfile", Src: []byte(src)})
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		var got []string
		for _, r := range res.Secrets {
			text := res.Lines[r.Line-1][r.Col-1:]
			if r.EndLine == r.Line {
				text = res.Lines[r.Line-1][r.Col-1 : r.EndCol-1]
			} else {
				text += "\n" + res.Lines[r.EndLine-1][:r.EndCol-1]
			}
			got = append(got, fmt.Sprintf("%d:%d-%d:%d %s", r.Line, r.Col, r.EndLine, r.EndCol, text))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("CL014 off %v: secrets\n%s\nwant\n%s", off, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for _, f := range res.Findings {
			if off && f.Code == "CL014" {
				t.Errorf("CL014 is off but reports: %s", f.Message)
			}
		}
	}
}

// TestSecretsMasked checks that secret values are masked in messages and
// fix messages, and that a fix whose edits would write one keeps only its
// message.
func TestSecretsMasked(t *testing.T) {
	s := &secrets{values: []string{"ghp_abcdef", "hunter22"}}
	findings := []Finding{{
		Message: "clone of https://bob:s3cr3t@example.com/x with ghp_abcdef and https://u:$TOKEN@example.com",
		Fixes: []Fix{
			{Message: "set it to hunter22", Edits: []Edit{{Line: 1, Col: 1, EndLine: 1, EndCol: 1, NewText: "ARG X=hunter22\n"}}},
			{Message: "add a mount", Edits: []Edit{{Line: 1, Col: 5, EndLine: 1, EndCol: 5, NewText: " --mount=type=cache,target=/root/.npm"}}},
		},
	}}
	s.apply(findings)
	f := findings[0]
	if f.Message != "clone of https://bob:***@example.com/x with *** and https://u:$TOKEN@example.com" {
		t.Errorf("message %q", f.Message)
	}
	if f.Fixes[0].Message != "set it to ***" || f.Fixes[0].Edits != nil {
		t.Errorf("fix that writes a secret: %+v", f.Fixes[0])
	}
	if len(f.Fixes[1].Edits) != 1 {
		t.Errorf("fix without a secret lost its edit: %+v", f.Fixes[1])
	}
}

// TestMaskIndexed: with many secret values mask finds them through an
// index, and masks exactly as looking for each value in turn does, longest
// first, overlapping values and values with a '*' included.
func TestMaskIndexed(t *testing.T) {
	var values []string
	for i := range 40 {
		values = append(values, fmt.Sprintf("tok%dsecret", i))
	}
	values = append(values, "cdefgh", "abcd", "s3c*", "c***x", "ret***")
	// As findSecrets leaves them: longest first.
	slices.SortStableFunc(values, func(a, b string) int { return len(b) - len(a) })
	plain := &secrets{values: values}
	indexed := &secrets{values: values}
	indexed.buildIndex()
	if indexed.index == nil {
		t.Fatal("no index for 45 values")
	}
	for _, text := range []string{
		"", "nothing here", "tok1secret and tok12secret, tok39secret", "abcdefgh", "xabcdefghx abcd",
		"s3c*ret s3c***x", "tok7secret***", "ret***tok3secret", "https://u:tok5secret@h/ and https://u:pw@h",
		strings.Repeat("tok2secret", 5),
	} {
		if got, want := indexed.mask(text), plain.mask(text); got != want {
			t.Errorf("mask(%q) = %q, want %q", text, got, want)
		}
	}
}

// TestFingerprintsWithoutSecrets: the text a fingerprint hashes has the
// file's secret values and URL passwords masked, so two files that differ
// only in a secret share their fingerprints, and no secret is hashed.
func TestFingerprintsWithoutSecrets(t *testing.T) {
	file := func(token, password, passphrase string) string {
		return "FROM node:22\n" +
			"ARG NPM_TOKEN=" + token + "\n" +
			"ENV DB_PASSWORD=\"" + password + "\" PLAIN=x\n" +
			"ENV PASSPHRASE " + passphrase + " \\\n    and more\n" +
			"COPY . .\n" +
			"RUN curl -fsSL https://user:" + password + "@example.com/x.sh | sh && echo " + token + "\n" +
			"RUN npm ci\n"
	}
	secretsA := []string{"ghp_firstTokenValue", "hunter2  two", "correct-horse"}
	secretsB := []string{"ghp_otherTokenValue", "letmein!!", "battery-staple"}
	var inputs []string
	hashInput = func(_, _, text string) { inputs = append(inputs, text) }
	defer func() { hashInput = nil }()
	lintFile := func(src string) []Finding {
		l, err := New(rules.All())
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		r := l.Lint(Unit{Path: "Dockerfile", AbsPath: dir + "/Dockerfile", Src: []byte(src)})
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		return r.Findings
	}
	a := lintFile(file(secretsA[0], secretsA[1], secretsA[2]))
	b := lintFile(file(secretsB[0], secretsB[1], secretsB[2]))
	if len(a) != len(b) || len(a) < 4 {
		t.Fatalf("findings: %d and %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Code != b[i].Code || a[i].Fingerprint != b[i].Fingerprint {
			t.Errorf("%s on line %d: fingerprint %s, with other secrets %s on line %d %s", a[i].Code, a[i].Line, a[i].Fingerprint, b[i].Code, b[i].Line, b[i].Fingerprint)
		}
	}
	masked := 0
	for _, in := range inputs {
		for _, v := range append(secretsA, secretsB...) {
			for _, part := range strings.Fields(v) {
				if strings.Contains(in, part) {
					t.Errorf("hashed text %q holds the secret %q", in, part)
				}
			}
		}
		if strings.Contains(in, Mask) {
			masked++
		}
	}
	if masked == 0 {
		t.Errorf("no hashed text has a masked secret: %q", inputs)
	}
}

// TestFingerprintsOfFilesWithoutSecrets: masking leaves the fingerprints
// of a file without secrets as they were (cachelintHash/v2): the hash of
// the code, the path, the instruction's text and the occurrence.
func TestFingerprintsOfFilesWithoutSecrets(t *testing.T) {
	src := "FROM node:22\nCOPY . .\nRUN npm ci &&   \\\n    npm run build\nRUN npm ci\nRUN npm ci\n"
	l, err := New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	r := l.Lint(Unit{Path: "Dockerfile", AbsPath: t.TempDir() + "/Dockerfile", Src: []byte(src)})
	if len(r.Findings) < 3 {
		t.Fatalf("findings: %v", r.Findings)
	}
	texts := map[int]string{2: "COPY . .", 3: "RUN npm ci && npm run build", 5: "RUN npm ci", 6: "RUN npm ci"}
	occurrence := map[string]int{}
	for _, f := range r.Findings {
		text, ok := texts[f.Line]
		if !ok {
			t.Fatalf("%s on line %d", f.Code, f.Line)
		}
		occurrence[f.Code+text]++
		if want := Fingerprint(f.Code, "Dockerfile", text, occurrence[f.Code+text]); f.Fingerprint != want {
			t.Errorf("%s on line %d (%q): fingerprint %s, want %s", f.Code, f.Line, text, f.Fingerprint, want)
		}
	}
}
