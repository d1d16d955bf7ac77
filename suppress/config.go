package suppress

import (
	"bytes"
	"go/token"
	"strings"
)

// ReadConfig returns the cachelint suppression comments of a build
// configuration file: a workflow, bake file, GitLab CI file, script or
// Makefile. There a comment is "# cachelint ignore=CODE" (or "//" in a
// bake file). Alone on its line it covers the next line that is not blank
// or a comment, and the lines below that one indented deeper: a YAML step
// or mapping, a bake block, a Makefile rule's recipe. At the end of a line
// it covers that line. "global" covers the file; "stage" applies to
// Dockerfiles only and is reported as a problem.
func ReadConfig(tok *token.File, src []byte) *Set {
	s := &Set{}
	if !bytes.Contains(src, []byte("achelint")) && !bytes.Contains(src, []byte("ACHELINT")) {
		return s
	}
	lines := strings.Split(string(src), "\n")
	for i, text := range lines {
		text = strings.TrimSuffix(text, "\r")
		col, alone := commentStart(text)
		if col < 0 {
			continue
		}
		body := text[col:]
		body = strings.TrimPrefix(strings.TrimPrefix(body, "#"), "//")
		p, ok := parseCachelint(body)
		if !ok {
			continue
		}
		n := i + 1
		lineStart := tok.LineStart(n)
		bodyStart := len(text) - len(body)
		c := &Comment{Source: Cachelint, Scope: p.Scope, Line: n, Pos: lineStart + token.Pos(col),
			End: lineStart + token.Pos(len(text)), Reason: p.Reason, Problem: p.Problem}
		for _, nm := range p.Names {
			c.Names = append(c.Names, Name{Text: nm.text, Rule: nm.rule,
				Pos: lineStart + token.Pos(bodyStart+nm.start), End: lineStart + token.Pos(bodyStart+nm.end)})
		}
		if c.Problem == "" {
			switch {
			case p.Scope == File:
				c.StartLine, c.EndLine = 1, max(tok.LineCount(), 1)
			case p.Scope == Stage:
				c.Problem = "a stage suppression applies to Dockerfiles only; use ignore= above the block"
			case !alone:
				c.StartLine, c.EndLine = n, n
			default:
				c.StartLine, c.EndLine = blockBelow(lines, i)
				if c.StartLine == 0 {
					c.Problem = "there is nothing below it"
				}
			}
		}
		s.Comments = append(s.Comments, c)
	}
	return s
}

// commentStart finds a comment on a line: where its # (or //) is, and
// whether it is alone on the line; -1 when the line has none. A # that
// follows a non-blank character must be preceded by a blank, as in YAML
// and shell.
func commentStart(line string) (int, bool) {
	trimmed := strings.TrimLeft(line, " \t")
	if strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "//") {
		return len(line) - len(trimmed), true
	}
	if i := strings.Index(line, " #"); i >= 0 {
		return i + 1, false
	}
	if i := strings.Index(line, "\t#"); i >= 0 {
		return i + 1, false
	}
	return -1, false
}

// blockBelow returns the lines (1-based) a comment on line i (0-based)
// alone covers: the next code line and those after it indented deeper.
func blockBelow(lines []string, i int) (int, int) {
	first := -1
	for j := i + 1; j < len(lines); j++ {
		if code(lines[j]) {
			first = j
			break
		}
	}
	if first < 0 {
		return 0, 0
	}
	indent := indentOf(lines[first])
	last := first
	for j := first + 1; j < len(lines); j++ {
		if !code(lines[j]) {
			continue
		}
		if indentOf(lines[j]) <= indent && !strings.HasPrefix(strings.TrimSpace(lines[j]), "}") {
			break
		}
		last = j
	}
	return first + 1, last + 1
}

// code reports whether a line holds something other than blanks and a
// comment.
func code(line string) bool {
	t := strings.TrimSpace(line)
	return t != "" && !strings.HasPrefix(t, "#") && !strings.HasPrefix(t, "//")
}

// indentOf is a line's indentation; the "- " of a YAML list entry counts
// as indentation, so that a step's keys are inside the step.
func indentOf(line string) int {
	n := 0
	for n < len(line) && (line[n] == ' ' || line[n] == '\t') {
		n++
	}
	if strings.HasPrefix(line[n:], "- ") {
		return n + 1
	}
	return n
}
