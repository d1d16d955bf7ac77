package config

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/cachelint/cachelint/internal/testfiles"
	"github.com/cachelint/cachelint/rules"
)

// FuzzParse checks the configuration file parser: every input gives
// either a file or errors, never both, never a panic; each error is an
// *Error on one line with a position inside the input; and a file that
// parses resolves to settings (with each per-path glob matched against a
// path) without a panic.
//
// The seeds are the configuration files of the CLI scripts and a few
// written here, good and bad.
func FuzzParse(f *testing.F) {
	for _, name := range []string{".cachelint.yaml", ".cachelint.yml"} {
		for _, data := range testfiles.Sections("script", name) {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"select: [CL0, CL1, buildkit]\nignore: [CL013]\nseverity: {CL003: warning, CL017: off}\nfail-level: error\n" +
			"per-path:\n  - paths: [\"examples/**\", \"./legacy/*.Dockerfile\"]\n    ignore: [CL001]\n    severity:\n      cache: info\n" +
			"tools:\n  - name: my-installer\n    command: [\"./scripts/install-deps\"]\n    cache-dirs: [\"/root/.cache/my-installer\", \"~/.cache/mine\"]\n" +
			"extend-select: &more [CL900]\n",
		"a: &a [x, y]\nb: &b [*a, *a]\nselect: [*b, *b]\n",
		"severity: {CL001: info, cl001: off}\n",
		"per-path:\n  - paths: ['[']\n",
		"tools:\n  - name: x\n    command: ['']\n    cache-dirs: [relative]\n",
		"\xef\xbb\xbfselect: [ALL]\n",
		"select: !!binary aGVsbG8=\n",
		"---\nselect: [CL001]\n---\nignore: [CL002]\n",
	} {
		f.Add([]byte(s))
	}
	rs := rules.All()
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("dir/.cachelint.yaml", data)
		if (file == nil) == (err == nil) {
			t.Fatalf("Parse gave file %v and error %v", file, err)
		}
		if err != nil {
			// YAML breaks lines at \n, \r\n and \r.
			lines := strings.Count(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") + strings.Count(string(data), "\r") + 1
			for _, e := range unjoin(err) {
				var ce *Error
				if !errors.As(e, &ce) {
					t.Fatalf("error %q is not an *Error", e)
				}
				if strings.ContainsAny(ce.Error(), "\n\r") {
					t.Fatalf("error on more than one line: %q", ce.Error())
				}
				// (yaml reads UTF-16 too; its lines are then not ours.)
				utf16 := bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe})
				if ce.Line < 0 || ce.Line > lines+1 && !utf16 || ce.Col < 0 {
					t.Fatalf("error at %d:%d in a %d-line file: %v", ce.Line, ce.Col, lines, ce)
				}
			}
			return
		}
		layers := []*Selection{&file.Selection}
		for i := range file.PerPath {
			for _, g := range file.PerPath[i].Paths {
				_, _ = doublestar.Match(g, "examples/a/Dockerfile")
			}
			layers = append(layers, &file.PerPath[i].Selection)
		}
		s := Resolve(rs, layers, file.Tools)
		for code, sev := range s.Severity {
			if _, ok := rules.Lookup(code); !ok || sev < rules.SeverityNone || sev > rules.SeverityError {
				t.Fatalf("settings give %s severity %v", code, sev)
			}
		}
		for _, tool := range file.Tools {
			if err := rules.CheckExtraTool(tool); err != nil {
				t.Fatalf("tool %+v accepted but invalid: %v", tool, err)
			}
		}
	})
}

// unjoin returns the errors errors.Join joined, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
