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
	unlinted := 0
	for i := range results {
		if results[i].Err != nil {
			unlinted++
		}
	}
	if unlinted > 0 {
		files += "; " + plural(unlinted, "file") + " could not be linted"
	}
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
		end := len(src) + 1
		if s.endLine == s.line {
			end = s.endCol
		}
		shown, pad, width := sourceView(src, secretsOn(fr, s.line), s.col, end)
		fmt.Fprintf(buf, "  %s | %s\n", num, shown)
		fmt.Fprintf(buf, "  %s | %s%s\n", strings.Repeat(" ", len(num)), pad, sev.Sprint("^"+strings.Repeat("~", width-1)))
	}

	for _, fix := range f.Fixes {
		if fix.Message != "" {
			fmt.Fprintf(buf, "  help: %s\n", escapeControls(fix.Message))
		}
	}
	buf.WriteByte('\n')
}

// Long source lines are shown cut to a window around the finding: at
// most maxShown characters, of which up to shownBefore before it.
const (
	maxShown    = 200
	shownBefore = 60
	ellipsis    = "…"
)

// cell is a piece of a source line as the text format shows it: a
// character, escaped when it is a control character (escapeRune), or a
// whole masked secret.
type cell struct {
	start, end int // bytes of the line
	shown      string
}

func (c cell) width() int { return utf8.RuneCountInString(c.shown) }

// sourceView returns how a source line is shown, with the padding that
// puts a marker under byte column col and the marker's width in
// characters to reach byte column end (exclusive; at least 1). Control
// characters are escaped, the byte ranges in masks (secret values) are
// shown as lint.Mask, and a line too long to read is cut to a window
// around the marker, with an ellipsis where it is cut. Tabs in the
// padding stay tabs so the marker lines up whatever the tab width.
func sourceView(line string, masks [][2]int, col, end int) (shown, pad string, width int) {
	var cells []cell
	for i := 0; i < len(line); {
		if len(masks) > 0 && masks[0][0] <= i {
			m := masks[0]
			masks = masks[1:]
			if m[1] > i {
				cells = append(cells, cell{i, m[1], lint.Mask})
				i = m[1]
			}
			continue
		}
		s, size := escapeRune(line[i:])
		cells = append(cells, cell{i, i + size, s})
		i += size
	}
	start, stop := col-1, end-1
	// The cells before the marker, and those under it.
	first := len(cells)
	for k, c := range cells {
		if c.end > start {
			first = k
			break
		}
	}
	last := first
	for last < len(cells) && cells[last].start < stop {
		last++
	}

	// The window of cells shown.
	from, to := 0, len(cells)
	total := 0
	for _, c := range cells {
		total += c.width()
	}
	if total > maxShown {
		from = first
		for w := 0; from > 0 && w+cells[from-1].width() <= shownBefore; from-- {
			w += cells[from-1].width()
		}
		to = from
		for w := 0; to < len(cells) && w+cells[to].width() <= maxShown; to++ {
			w += cells[to].width()
		}
	}

	var b, p strings.Builder
	if from > 0 {
		b.WriteString(ellipsis)
		p.WriteByte(' ')
	}
	for k := from; k < to; k++ {
		b.WriteString(cells[k].shown)
		switch {
		case k >= first:
		case cells[k].shown == "\t":
			p.WriteByte('\t')
		default:
			p.WriteString(strings.Repeat(" ", cells[k].width()))
		}
	}
	if to < len(cells) {
		b.WriteString(ellipsis)
	}
	p.WriteString(strings.Repeat(" ", max(0, start-len(line))))

	for k := first; k < min(last, to); k++ {
		width += cells[k].width()
	}
	width += max(0, stop-max(start, len(line)))
	return b.String(), p.String(), max(width, 1)
}

// secretsOn returns the byte ranges of line n that hold secrets, in order.
func secretsOn(fr *lint.FileResult, n int) [][2]int {
	var out [][2]int
	size := len(fr.LineText(n))
	for _, r := range fr.Secrets {
		if r.Line > n || r.EndLine < n {
			continue
		}
		start, end := 0, size
		if r.Line == n {
			start = r.Col - 1
		}
		if r.EndLine == n {
			end = r.EndCol - 1
		}
		start, end = max(0, min(start, size)), max(0, min(end, size))
		if end > start {
			out = append(out, [2]int{start, end})
		}
	}
	return out
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
