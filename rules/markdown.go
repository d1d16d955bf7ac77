package rules

import (
	"fmt"
	"strings"

	"github.com/cachelint/cachelint/suppress"
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
	var block []string // the lines of the code block being read
	flush := func() {
		text := strings.TrimRight(b.String(), "\n")
		b.Reset()
		fmt.Fprintf(&b, "%s\n\n```%s\n%s```\n\n", text, r.codeLanguage(block), strings.Join(block, ""))
		block = nil
	}
	for _, line := range lines[1:] {
		indented := strings.HasPrefix(line, "    ")
		switch {
		case indented:
			block = append(block, strings.TrimPrefix(line, "    ")+"\n")
			continue
		case block != nil && strings.TrimSpace(line) == "":
			block = append(block, "\n") // blank line inside or after a block: closed by the next text
			continue
		case block != nil:
			block = trimBlankTail(block)
			flush()
		}
		b.WriteString(sectionHeading(line) + "\n")
	}
	if block != nil {
		block = trimBlankTail(block)
		flush()
		page := strings.TrimRight(b.String(), "\n") + "\n"
		b.Reset()
		b.WriteString(page)
	}
	page := b.String()
	// The suppression section goes before the sources, which end the page.
	section := "## Suppression\n\n" + r.Suppression() + "\n\n"
	if i := strings.Index(page, "\n## Sources\n"); i >= 0 {
		return page[:i+1] + section + page[i+1:]
	}
	return page + "\n" + section[:len(section)-1]
}

// trimBlankTail drops the blank lines that end a code block.
func trimBlankTail(block []string) []string {
	for len(block) > 0 && block[len(block)-1] == "\n" {
		block = block[:len(block)-1]
	}
	return block
}

// codeLanguage names the language of an example: Dockerfile for the
// Dockerfile rules; for the build configuration rules, HCL for a bake
// file, shell for a command line, else YAML (a workflow or GitLab CI).
func (r *Rule) codeLanguage(block []string) string {
	if !r.Config() {
		return "dockerfile"
	}
	first := ""
	if len(block) > 0 {
		first = strings.TrimSpace(block[0])
	}
	for _, w := range []string{"target ", "group ", "variable ", "function "} {
		if strings.HasPrefix(first, w) {
			return "hcl"
		}
	}
	for _, w := range []string{"docker ", "buildctl ", "#!", "export ", "DOCKER_BUILDKIT="} {
		if strings.HasPrefix(first, w) {
			return "sh"
		}
	}
	return "yaml"
}

// Suppression says how to silence the rule with a comment in the
// Dockerfile, in Markdown: the cachelint comment, and the BuildKit and
// hadolint comments that silence it too.
func (r *Rule) Suppression() string {
	if r.Analyzer == UnusedSuppression {
		return fmt.Sprintf("```dockerfile\n# cachelint global ignore=%s\n```\n\nanywhere in a file turns the rule off for that file.", r.Code)
	}
	if !strings.HasPrefix(r.Code, "CL") {
		// One of BuildKit's checks: its own comment serves both tools.
		return fmt.Sprintf("```dockerfile\n# check=skip=%s\n```\n\nat the top of the file (BuildKit's parser directive), or on a comment line above the instruction, "+
			"silences it for BuildKit and cachelint alike; `# cachelint ignore=%s` above the instruction silences it for cachelint only.", r.Code, r.Code)
	}
	if r.Config() {
		return fmt.Sprintf("```yaml\n# cachelint ignore=%s -- the reason\n```\n\n"+
			"on the line above the step, job, entry or bake block the finding points at covers that line and the lines indented under it; "+
			"at the end of a line it covers that line. The name works too (`ignore=%s`), `global ignore=` silences it in the whole file, "+
			"and a bake file may write the comment with `//`.", r.Code, r.Name())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "```dockerfile\n# cachelint ignore=%s -- the reason\n```\n\n"+
		"on the line above the instruction the finding points at (comment lines may come between, a blank line may not); "+
		"the name works too (`ignore=%s`), `global ignore=` silences it in the whole file, `stage ignore=` above a `FROM` in that stage.",
		r.Code, r.Name())
	if dl := suppress.HadolintCodes(r.Code); len(dl) > 0 {
		fmt.Fprintf(&b, " hadolint's `# hadolint ignore=%s` on the line right above the instruction silences it too (so do %s), so one comment serves both tools.",
			dl[0], hadolintList(dl))
	}
	if bk := suppress.BuildKitNames(r.Code); len(bk) > 0 {
		fmt.Fprintf(&b, " So does BuildKit's `# check=skip=%s`, which this rule supersedes.", bk[0])
	}
	if r.Analyzer == ParseError {
		b.WriteString(" A file that BuildKit cannot parse as a whole has no suppressions.")
	}
	return b.String()
}

// hadolintList writes the hadolint codes as "its global and stage forms"
// plus any other codes.
func hadolintList(dl []string) string {
	if len(dl) == 1 {
		return "its `global` and `stage` forms"
	}
	quoted := make([]string, len(dl)-1)
	for i, c := range dl[1:] {
		quoted[i] = "`" + c + "`"
	}
	return "its `global` and `stage` forms, and " + strings.Join(quoted, ", ")
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
