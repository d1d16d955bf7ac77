// Package baseline records the findings a project has accepted, so that
// later runs report only new ones: cachelint --write-baseline FILE writes
// one, cachelint --baseline FILE leaves out the findings it holds.
//
// Findings are matched by their fingerprint (lint.Fingerprint): rule,
// repository-relative path and the normalised text of the instruction, not
// the line number, so a finding stays matched when unrelated edits move
// it. docs/baseline.md documents the file.
package baseline

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/cachelint/cachelint/lint"
)

// Version is the version of the file format this package reads and
// writes. It changes only when a field is removed or renamed or its
// meaning changes; readers ignore fields they do not know.
const Version = 1

// File is a baseline.
type File struct {
	// Version is the format version, Version.
	Version int `json:"version"`
	// Fingerprint names how the findings' fingerprints were computed,
	// lint.FingerprintScheme; fingerprints of another scheme never match.
	Fingerprint string `json:"fingerprint"`
	// Findings are the recorded findings, ordered by path, line and code.
	Findings []Entry `json:"findings"`
}

// Entry is one recorded finding. Only Fingerprint is matched; the other
// fields say, for the people who read the file, what it was.
type Entry struct {
	Fingerprint string `json:"fingerprint"`
	Code        string `json:"code,omitempty"`
	Rule        string `json:"rule,omitempty"`
	Path        string `json:"path,omitempty"` // relative to the repository root, slash separated
	Line        int    `json:"line,omitempty"`
	Message     string `json:"message,omitempty"`
}

// New records every finding of results; root is the repository root the
// entries' paths are relative to (the linter's Root).
func New(results []lint.FileResult, root string) *File {
	b := &File{Version: Version, Fingerprint: lint.FingerprintScheme, Findings: []Entry{}}
	for _, r := range results {
		for _, f := range r.Findings {
			if f.Fingerprint == "" {
				continue
			}
			b.Findings = append(b.Findings, Entry{
				Fingerprint: f.Fingerprint,
				Code:        f.Code,
				Rule:        f.Rule,
				Path:        lint.RepoPath(root, cmp.Or(f.AbsPath, r.AbsPath), cmp.Or(f.Path, r.Path)),
				Line:        f.Line,
				Message:     f.Message,
			})
		}
	}
	slices.SortStableFunc(b.Findings, func(x, y Entry) int {
		return cmp.Or(cmp.Compare(x.Path, y.Path), cmp.Compare(x.Line, y.Line), cmp.Compare(x.Code, y.Code))
	})
	return b
}

// Filter removes from results the findings the baseline records and
// returns how many it removed.
func (b *File) Filter(results []lint.FileResult) int {
	known := make(map[string]bool, len(b.Findings))
	for _, e := range b.Findings {
		known[e.Fingerprint] = true
	}
	n := 0
	for i := range results {
		r := &results[i]
		kept := r.Findings[:0]
		for _, f := range r.Findings {
			if f.Fingerprint != "" && known[f.Fingerprint] {
				n++
				continue
			}
			kept = append(kept, f)
		}
		clear(r.Findings[len(kept):])
		r.Findings = kept
	}
	return n
}

// Write writes the baseline as indented JSON.
func (b *File) Write(w io.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteFile writes the baseline to the named file as lint.WriteFile
// writes: atomically (a reader sees the old file or the new one, never
// half of it), replacing a symbolic link rather than following it, and
// writing to a stream (/dev/null, a FIFO) as it is.
func (b *File) WriteFile(name string) error {
	return lint.WriteFile(name, b.Write)
}

// maxFileSize is the largest baseline ReadFile reads: some hundred
// thousand findings.
const maxFileSize = 256 << 20

// ReadFile reads and checks the named baseline.
func ReadFile(name string) (*File, error) {
	data, err := lint.ReadFile(name, maxFileSize)
	if err != nil {
		return nil, err
	}
	return Read(data)
}

var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Read parses and checks a baseline. Its errors say what is wrong and,
// for malformed JSON, where (line and column).
func Read(data []byte) (*File, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the file is empty; write a baseline with --write-baseline")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonError(data, err, "a JSON object")
	}
	var b File
	raw, ok := top["version"]
	if !ok {
		return nil, errors.New(`not a cachelint baseline: no "version"`)
	}
	if err := json.Unmarshal(raw, &b.Version); err != nil || b.Version < 1 {
		return nil, fmt.Errorf("not a cachelint baseline: \"version\" is %s, want %d", raw, Version)
	}
	if b.Version != Version {
		return nil, fmt.Errorf("baseline version %d is not one this cachelint reads (%d): upgrade cachelint, or write the baseline again with --write-baseline", b.Version, Version)
	}
	raw, ok = top["fingerprint"]
	if !ok {
		return nil, errors.New(`no "fingerprint" (the fingerprint scheme, ` + lint.FingerprintScheme + `)`)
	}
	if err := json.Unmarshal(raw, &b.Fingerprint); err != nil {
		return nil, fmt.Errorf("\"fingerprint\" is %s, want a string such as %q", raw, lint.FingerprintScheme)
	}
	if b.Fingerprint != lint.FingerprintScheme {
		return nil, fmt.Errorf("the findings were fingerprinted with %s, which this cachelint does not compute (it uses %s): write the baseline again with --write-baseline", b.Fingerprint, lint.FingerprintScheme)
	}
	raw, ok = top["findings"]
	if !ok || string(raw) == "null" {
		return nil, errors.New(`no "findings" (an array, empty when nothing is recorded)`)
	}
	// The whole file again, so that an error's offset is the file's.
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, jsonError(data, err, "a JSON object")
	}
	for i, e := range b.Findings {
		if !hexSHA256.MatchString(e.Fingerprint) {
			what := fmt.Sprintf("%q", e.Fingerprint)
			if e.Fingerprint == "" {
				what = "missing"
			}
			return nil, fmt.Errorf("findings[%d] (%s): \"fingerprint\" is %s, want 64 lower-case hex digits", i, describe(e), what)
		}
	}
	return &b, nil
}

// describe names an entry for an error message.
func describe(e Entry) string {
	var parts []string
	if e.Path != "" {
		p := e.Path
		if e.Line > 0 {
			p += fmt.Sprintf(":%d", e.Line)
		}
		parts = append(parts, p)
	}
	if e.Code != "" {
		parts = append(parts, e.Code)
	}
	if len(parts) == 0 {
		return "no path or code"
	}
	return strings.Join(parts, " ")
}

// jsonError rewords a JSON decoding error with the line and column it
// happened at.
func jsonError(data []byte, err error, want string) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(data, syn.Offset)
		return fmt.Errorf("line %d, column %d: not valid JSON: %w", line, col, syn)
	case errors.As(err, &typ):
		line, col := position(data, typ.Offset)
		if typ.Field == "" {
			return fmt.Errorf("line %d, column %d: found a JSON %s, want %s", line, col, typ.Value, want)
		}
		return fmt.Errorf("line %d, column %d: %q is a JSON %s, want %s", line, col, typ.Field, typ.Value, kind(typ.Type))
	}
	return err
}

// kind names the JSON a Go type is decoded from.
func kind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int:
		return "a whole number"
	case reflect.Slice:
		return "an array"
	case reflect.Struct:
		return "an object"
	}
	return t.String()
}

// position converts the offset of a JSON error, the number of bytes read
// when it happened, into the 1-based line and column of the last byte read.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off-1, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	return line, int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
}
