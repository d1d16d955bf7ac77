package lint

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cachelint/cachelint/rules"
)

// Finding is one diagnostic, resolved to lines and columns and enriched with
// the rule's metadata. Lines and columns are 1-based; columns count bytes of
// the line (see UTF16Col and RuneCol for other units). End is exclusive.
type Finding struct {
	Path      string // path as shown to the user (relative when possible)
	AbsPath   string // absolute path of the file
	Line, Col int
	EndLine   int
	EndCol    int
	Code      string // e.g. CL001
	Rule      string // e.g. copy-before-install
	Severity  rules.Severity
	Message   string
	URL       string // the rule's documentation page
	Fixes     []Fix
	// Fingerprint identifies the finding across edits that move it (see
	// the function Fingerprint); SARIF logs and baselines use it.
	Fingerprint string
}

// Fix is a suggested change made of text edits to the finding's file.
type Fix struct {
	Message string
	Edits   []Edit
}

// Edit replaces the text between (Line, Col) and (EndLine, EndCol), 1-based
// byte columns, with NewText. An empty range inserts.
type Edit struct {
	Line, Col       int
	EndLine, EndCol int
	NewText         string
}

// FileResult is everything cachelint has to say about one file.
type FileResult struct {
	Path     string // path as shown to the user
	AbsPath  string
	Findings []Finding
	// Lines holds the file's lines (without newlines) so that reporters can
	// show source and convert columns; nil when the file could not be read.
	Lines []string
	// Secrets are the ranges of the file that hold a secret's value (see
	// secrets.go), in order: reporters that show the file's text show
	// them masked.
	Secrets []Range
	// Err is set when the file could not be read or parsed at all.
	Err error
}

// LineText returns line n (1-based) of the file, or "" when out of range.
func (r *FileResult) LineText(n int) string {
	if n < 1 || n > len(r.Lines) {
		return ""
	}
	return r.Lines[n-1]
}

// UTF16Col converts a 1-based byte column on line to a 1-based column in
// UTF-16 code units, the unit LSP and SARIF use by default.
func UTF16Col(line string, byteCol int) int {
	col := 1
	for i, r := range line {
		if i >= byteCol-1 {
			return col
		}
		col += len(utf16.Encode([]rune{r}))
	}
	return col + max(0, byteCol-1-len(line))
}

// RuneCol converts a 1-based byte column on line to a 1-based column in
// characters, as shown to people.
func RuneCol(line string, byteCol int) int {
	if byteCol-1 > len(line) {
		return utf8.RuneCountInString(line) + 1 + (byteCol - 1 - len(line))
	}
	if byteCol < 1 {
		return 1
	}
	return utf8.RuneCountInString(line[:byteCol-1]) + 1
}
