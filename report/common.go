package report

import (
	"cmp"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/cachelint/cachelint/lint"
)

// span is a range in a file: 1-based lines and byte columns, end exclusive.
type span struct {
	line, col, endLine, endCol int
}

// newSpan normalises a range: columns are at least 1 and an end before the
// start collapses onto the start. A line below 1 means "no position".
func newSpan(line, col, endLine, endCol int) span {
	col, endCol = max(col, 1), max(endCol, 1)
	if endLine < line || endLine == line && endCol < col {
		endLine, endCol = line, col
	}
	return span{line, col, endLine, endCol}
}

// codeAndName is how a finding names its rule: "CL001 copy-before-install",
// or the name alone for one of BuildKit's checks, whose code is its name.
func codeAndName(f *lint.Finding) string {
	if f.Rule == "" || f.Rule == f.Code {
		return f.Code
	}
	return f.Code + " " + f.Rule
}

func findingSpan(f *lint.Finding) span { return newSpan(f.Line, f.Col, f.EndLine, f.EndCol) }

func editSpan(e *lint.Edit) span { return newSpan(e.Line, e.Col, e.EndLine, e.EndCol) }

// known reports whether the span has a position at all; file-level
// findings may not.
func (s span) known() bool { return s.line >= 1 }

// utf16 returns the span's start and end columns in UTF-16 code units,
// 1-based, reading the lines from fr. Without the file's text the byte
// columns are returned unchanged.
func (s span) utf16(fr *lint.FileResult) (col, endCol int) {
	return lint.UTF16Col(fr.LineText(s.line), s.col), lint.UTF16Col(fr.LineText(s.endLine), s.endCol)
}

// fixable returns the fixes of f that can be applied: those with at least
// one edit, all at known positions.
func fixable(f *lint.Finding) []lint.Fix {
	var out []lint.Fix
	for _, fix := range f.Fixes {
		ok := len(fix.Edits) > 0
		for i := range fix.Edits {
			ok = ok && editSpan(&fix.Edits[i]).known()
		}
		if ok {
			out = append(out, fix)
		}
	}
	return out
}

// displayPath is the path shown for a finding.
func displayPath(fr *lint.FileResult, f *lint.Finding) string {
	return cmp.Or(f.Path, fr.Path)
}

// absPath returns the absolute path of a file result, resolving its
// display path against the working directory when the linter left
// AbsPath empty.
func absPath(fr *lint.FileResult) string {
	if fr.AbsPath != "" {
		return fr.AbsPath
	}
	if abs, err := filepath.Abs(fr.Path); err == nil {
		return abs
	}
	return fr.Path
}

// fileURI turns an absolute path into a file:// URI, percent-escaping
// whatever needs it. Windows paths (C:\x) become file:///C:/x.
func fileURI(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
