package rules

import (
	"fmt"
	"strings"
)

// Markdown renders a rule's documentation page: a heading with code and
// name, its severity, precision, tags and any security severity, then its doc text with indented examples
// turned into Dockerfile code blocks.
func (r *Rule) Markdown() string {
	var b strings.Builder
	if r.Code == r.Name() {
		fmt.Fprintf(&b, "# %s\n\n", r.Code) // one of BuildKit's checks
	} else {
		fmt.Fprintf(&b, "# %s %s\n\n", r.Code, r.Name())
	}
	fmt.Fprintf(&b, "Default severity: **%s**. Precision: %s. Tags: %s.", r.Severity, r.Precision, strings.Join(r.Tags, ", "))
	if sev := r.SecuritySeverity(); sev != "" {
		fmt.Fprintf(&b, " Security severity: %s.", sev)
	}
	b.WriteString("\n\n")
	lines := strings.Split(r.Analyzer.Doc, "\n")
	fmt.Fprintf(&b, "%s.\n", capitalize(lines[0]))
	inCode := false
	for _, line := range lines[1:] {
		indented := strings.HasPrefix(line, "    ")
		switch {
		case indented && !inCode:
			text := strings.TrimRight(b.String(), "\n")
			b.Reset()
			b.WriteString(text + "\n\n```dockerfile\n")
			inCode = true
		case !indented && inCode && strings.TrimSpace(line) != "":
			b.WriteString("```\n\n")
			inCode = false
		case !indented && inCode:
			continue // blank line inside or after a block: closed by the next text
		}
		if inCode {
			b.WriteString(strings.TrimPrefix(line, "    ") + "\n")
			continue
		}
		b.WriteString(sectionHeading(line) + "\n")
	}
	if inCode {
		b.WriteString("```\n")
	}
	return b.String()
}

// docSections are the paragraph openers of a rule doc that become headings.
var docSections = []string{"Why it matters for the cache:", "Why it matters:", "Example:", "Fix:", "How cachelint runs it:", "Sources:"}

// sectionHeading turns "Fix: text" into a "## Fix" heading followed by text.
func sectionHeading(line string) string {
	for _, s := range docSections {
		if rest, ok := strings.CutPrefix(line, s); ok {
			heading := "## " + strings.TrimSuffix(s, ":") + "\n"
			if rest = strings.TrimSpace(rest); rest != "" {
				heading += "\n" + capitalize(rest)
			}
			return heading
		}
	}
	return line
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
