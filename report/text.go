package report

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fatih/color"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// palette holds the text format's colours, each switched on or off
// explicitly so that output does not depend on color.NoColor.
type palette struct {
	error, warning, info, none, bold *color.Color
}

func newPalette(on bool) palette {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return palette{
		error:   mk(color.FgRed, color.Bold),
		warning: mk(color.FgYellow, color.Bold),
		info:    mk(color.FgCyan, color.Bold),
		none:    mk(color.Faint),
		bold:    mk(color.Bold),
	}
}

func (p palette) severity(s rules.Severity) *color.Color {
	switch s {
	case rules.SeverityError:
		return p.error
	case rules.SeverityWarning:
		return p.warning
	case rules.SeverityInfo:
		return p.info
	}
	return p.none
}

// writeText writes each finding with its source line, a caret under the
// range and its fix hints, then a one-line summary.
func writeText(buf *bytes.Buffer, results []lint.FileResult, opt Options) error {
	p := newPalette(opt.Color)
	var total, errs, warns, infos int
	for i := range results {
		fr := &results[i]
		for j := range fr.Findings {
			f := &fr.Findings[j]
			writeTextFinding(buf, fr, f, p)
			total++
			switch f.Severity {
			case rules.SeverityError:
				errs++
			case rules.SeverityWarning:
				warns++
			case rules.SeverityInfo:
				infos++
			}
		}
	}
	files := plural(len(results), "file")
	if total == 0 {
		fmt.Fprintf(buf, "No problems found in %s\n", files)
		return nil
	}
	fmt.Fprintf(buf, "%s (%s, %s, %d info) in %s\n",
		plural(total, "problem"), plural(errs, "error"), plural(warns, "warning"), infos, files)
	return nil
}

func writeTextFinding(buf *bytes.Buffer, fr *lint.FileResult, f *lint.Finding, p palette) {
	sev := p.severity(f.Severity)
	s := findingSpan(f)
	src := fr.LineText(s.line)

	buf.WriteString(escapeControls(displayPath(fr, f)))
	if s.known() {
		fmt.Fprintf(buf, ":%d:%d", s.line, lint.RuneCol(src, s.col))
	}
	name := p.bold.Sprint(f.Code)
	if f.Rule != "" && f.Rule != f.Code {
		name += " " + f.Rule
	}
	fmt.Fprintf(buf, ": %s %s: %s\n", sev.Sprint(f.Severity), name, escapeControls(f.Message))

	if s.known() && s.line <= len(fr.Lines) {
		num := strconv.Itoa(s.line)
		fmt.Fprintf(buf, "  %s | %s\n", num, escapeControls(src))
		end := len(src) + 1
		if s.endLine == s.line {
			end = s.endCol
		}
		pad, width := caret(src, s.col, end)
		fmt.Fprintf(buf, "  %s | %s%s\n", strings.Repeat(" ", len(num)), pad, sev.Sprint("^"+strings.Repeat("~", width-1)))
	}

	for _, fix := range f.Fixes {
		if fix.Message != "" {
			fmt.Fprintf(buf, "  help: %s\n", escapeControls(fix.Message))
		}
	}
	buf.WriteByte('\n')
}

// caret returns the padding that puts a marker under byte column col of
// line, as the line is printed by escapeControls, and the marker's width in
// characters to reach byte column end (exclusive; at least 1). Tabs in the
// padding stay tabs so the marker lines up whatever the tab width.
func caret(line string, col, end int) (pad string, width int) {
	var b strings.Builder
	start := col - 1
	for i := 0; i < min(start, len(line)); {
		shown, size := escapeRune(line[i:])
		if shown == "\t" {
			b.WriteByte('\t')
		} else {
			b.WriteString(strings.Repeat(" ", utf8.RuneCountInString(shown)))
		}
		i += size
	}
	b.WriteString(strings.Repeat(" ", max(0, start-len(line))))

	for i := start; i < min(end-1, len(line)); {
		shown, size := escapeRune(line[i:])
		width += utf8.RuneCountInString(shown)
		i += size
	}
	width += max(0, end-1-max(start, len(line)))
	return b.String(), max(width, 1)
}

// escapeControls makes file-derived text safe to print on a terminal:
// control characters other than tab, and bytes that are not UTF-8, are
// shown as visible escapes so that a Dockerfile cannot send escape
// sequences to the reader's terminal.
func escapeControls(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		shown, size := escapeRune(s[i:])
		b.WriteString(shown)
		i += size
	}
	return b.String()
}

// escapeRune returns how the first character of s is printed and its size
// in bytes.
func escapeRune(s string) (shown string, size int) {
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && size == 1, r < 0x20 && r != '\t', r == 0x7f:
		return fmt.Sprintf(`\x%02x`, s[0]), size
	case r >= 0x80 && r <= 0x9f:
		return fmt.Sprintf(`\u%04x`, r), size
	}
	return s[:size], size
}

// plural returns "1 thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}
