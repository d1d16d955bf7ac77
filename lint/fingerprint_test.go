package lint_test

import (
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/dockerfile"
	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

func parse(t *testing.T, src string) *dockerfile.File {
	t.Helper()
	fset := token.NewFileSet()
	tf := fset.AddFile("Dockerfile", -1, len(src))
	tf.SetLinesForContent([]byte(src))
	f := dockerfile.Parse("Dockerfile", []byte(src), tf)
	if f.ParseErr != nil {
		t.Fatal(f.ParseErr)
	}
	return f
}

func TestInstructionText(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"one line", "FROM alpine\nRUN   apk add  curl\n", "RUN apk add curl"},
		{"indented", "FROM alpine\n    RUN apk add curl   \n", "RUN apk add curl"},
		{"continued", "FROM alpine\nRUN apk add \\\n      curl \\\n      git\n", "RUN apk add curl git"},
		{"continued without blanks", "FROM alpine\nRUN apk add curl\\\n  git\n", "RUN apk add curl git"},
		{"comment inside", "FROM alpine\nRUN apk add \\\n  # the client\n  curl\n", "RUN apk add curl"},
		{"empty line inside", "FROM alpine\nRUN apk add \\\n\n  curl\n", "RUN apk add curl"},
		{"heredoc", "FROM alpine\nRUN <<EOF\n  apk add curl\n  # why\nEOF\n", "RUN <<EOF apk add curl EOF"},
		{"backtick escape", "# escape=`\nFROM alpine\nRUN apk add `\n  curl\n", "RUN apk add curl"},
		{"CRLF", "FROM alpine\r\nRUN apk add \\\r\n  curl\r\n", "RUN apk add curl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := parse(t, tc.src)
			in := f.Instructions[len(f.Instructions)-1]
			if got := lint.InstructionText(f, in); got != tc.want {
				t.Errorf("InstructionText = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRepoPath(t *testing.T) {
	root := filepath.FromSlash("/src/repo")
	for _, tc := range []struct{ root, abs, shown, want string }{
		{root, filepath.FromSlash("/src/repo/svc/Dockerfile"), "Dockerfile", "svc/Dockerfile"},
		{root, filepath.FromSlash("/src/other/Dockerfile"), "../other/Dockerfile", filepath.ToSlash(filepath.FromSlash("/src/other/Dockerfile"))},
		{root, filepath.FromSlash("/src/repo2/Dockerfile"), "x", filepath.ToSlash(filepath.FromSlash("/src/repo2/Dockerfile"))},
		{"", filepath.FromSlash("/src/repo/svc/Dockerfile"), "svc/Dockerfile", "svc/Dockerfile"},
		{root, "", "<stdin>", "<stdin>"},
	} {
		if got := lint.RepoPath(tc.root, tc.abs, tc.shown); got != tc.want {
			t.Errorf("RepoPath(%q, %q, %q) = %q, want %q", tc.root, tc.abs, tc.shown, got, tc.want)
		}
	}
}

// fingerprinted is a finding's code, line and fingerprint.
type fingerprinted struct {
	code        string
	line        int
	fingerprint string
}

func (f fingerprinted) String() string { return fmt.Sprintf("%s@%d", f.code, f.line) }

// lintFingerprints lints src as dir/name, with dir as the repository root,
// and returns its findings.
func lintFingerprints(t *testing.T, dir, name, src string) []fingerprinted {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := lint.New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	l.Root = dir
	hex := regexp.MustCompile(`^[0-9a-f]{64}$`)
	var out []fingerprinted
	for _, f := range l.Lint(lint.Unit{Path: "shown/as/anything", AbsPath: path}).Findings {
		if !hex.MatchString(f.Fingerprint) {
			t.Fatalf("%s on line %d: fingerprint %q is not a hex SHA-256", f.Code, f.Line, f.Fingerprint)
		}
		out = append(out, fingerprinted{f.Code, f.Line, f.Fingerprint})
	}
	return out
}

func fingerprintsOf(fs []fingerprinted) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.fingerprint)
	}
	return out
}

// TestFingerprints lints a Dockerfile, then edits of it, and checks which
// fingerprints stay.
func TestFingerprints(t *testing.T) {
	const base = `FROM node:22 AS web
WORKDIR /app
COPY . .
RUN npm ci && \
    npm run build

FROM node:22 AS api
WORKDIR /app
COPY . .
RUN npm ci && \
    npm run build
`
	dir := t.TempDir()
	was := lintFingerprints(t, dir, "svc/Dockerfile", base)
	codes := map[string]int{}
	for _, f := range was {
		codes[f.code]++
	}
	if codes["CL001"] != 2 || codes["CL003"] != 2 {
		t.Fatalf("want two CL001 and two CL003 findings, got %v", was)
	}
	if fps := fingerprintsOf(was); len(slices.Compact(slices.Sorted(slices.Values(fps)))) != len(fps) {
		t.Errorf("identical findings in the two stages share a fingerprint: %v", was)
	}

	same := map[string]string{
		"lines inserted above and between": "# Two services.\n\n" + strings.Replace(base, "WORKDIR /app\n", "WORKDIR /app\nEXPOSE 8080\nLABEL a=b\n", 1),
		"re-indented and re-wrapped":       strings.ReplaceAll(strings.ReplaceAll(base, "RUN npm ci && \\\n    npm run build", "  RUN   npm ci \\\n  && npm run build"), "COPY . .", "  COPY .  ."),
		"a comment inside the RUN":         strings.Replace(base, "RUN npm ci && \\\n", "RUN npm ci && \\\n    # and then\n", 1),
		"a message that names a line":      strings.Replace(base, "FROM node:22 AS web\n", "FROM node:22 AS web\nARG X=1\n", 1),
		"the last line without a newline":  strings.TrimSuffix(base, "\n"),
		"linted again":                     base,
	}
	for name, src := range same {
		t.Run(name, func(t *testing.T) {
			is := lintFingerprints(t, dir, "svc/Dockerfile", src)
			if !slices.Equal(fingerprintsOf(is), fingerprintsOf(was)) {
				t.Errorf("fingerprints changed:\n before %v %q\n  after %v %q", was, fingerprintsOf(was), is, fingerprintsOf(is))
			}
		})
	}

	t.Run("the instruction changed", func(t *testing.T) {
		// The web stage's RUN changes: its finding is new. The api stage's
		// identical finding now comes first among those with its text, so
		// it takes the fingerprint the web stage's had: what a baseline
		// matches is how many findings of a code each text has.
		is := lintFingerprints(t, dir, "svc/Dockerfile", strings.Replace(base, "npm run build\n", "npm run build:web\n", 1))
		if len(is) != len(was) {
			t.Fatalf("findings changed: %v, %v", was, is)
		}
		old := fingerprintsOf(was)
		for _, f := range is {
			if changed := f.line == 4; slices.Contains(old, f.fingerprint) == changed {
				t.Errorf("%v: new fingerprint %v, want %v", f, !changed, changed)
			}
		}
	})
	t.Run("another path", func(t *testing.T) {
		is := lintFingerprints(t, dir, "web/Dockerfile", base)
		for i := range was {
			if is[i].fingerprint == was[i].fingerprint {
				t.Errorf("%v: the same fingerprint in another file", was[i])
			}
		}
	})
	t.Run("another root", func(t *testing.T) {
		// The same file under another root at the same relative path:
		// the fingerprints do not depend on where the checkout is.
		is := lintFingerprints(t, t.TempDir(), "svc/Dockerfile", base)
		if !slices.Equal(fingerprintsOf(is), fingerprintsOf(was)) {
			t.Errorf("fingerprints depend on the checkout's directory")
		}
	})
}

// TestFingerprintOutsideInstructions checks findings on lines that belong
// to no instruction (a file BuildKit cannot parse) get fingerprints that
// survive moves too.
func TestFingerprintOutsideInstructions(t *testing.T) {
	dir := t.TempDir()
	was := lintFingerprints(t, dir, "Dockerfile", "FROM alpine\nRUN <<EOF\necho unterminated\n")
	is := lintFingerprints(t, dir, "Dockerfile", "# broken\n\nFROM alpine\nRUN <<EOF\necho unterminated\n")
	if len(was) == 0 || was[0].code != "CL900" {
		t.Fatalf("want a CL900 finding, got %v", was)
	}
	if len(is) != len(was) || is[0].line == was[0].line || is[0].fingerprint != was[0].fingerprint {
		t.Errorf("CL900 moved: %v %q -> %v %q", was, fingerprintsOf(was), is, fingerprintsOf(is))
	}
}
