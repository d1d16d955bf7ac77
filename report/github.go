package report

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// writeGitHub writes one GitHub Actions workflow command a finding, which
// the runner turns into an annotation on the file. Columns count
// characters.
func writeGitHub(buf *bytes.Buffer, results []lint.FileResult, _ Options) error {
	for i := range results {
		fr := &results[i]
		for j := range fr.Findings {
			f := &fr.Findings[j]
			s := findingSpan(f)
			fmt.Fprintf(buf, "::%s file=%s", githubCommand(f.Severity), githubProperty(displayPath(fr, f)))
			if s.known() {
				fmt.Fprintf(buf, ",line=%d,col=%d,endLine=%d,endColumn=%d",
					s.line, lint.RuneCol(fr.LineText(s.line), s.col),
					s.endLine, lint.RuneCol(fr.LineText(s.endLine), s.endCol))
			}
			fmt.Fprintf(buf, ",title=%s::%s\n", githubProperty(codeAndName(f)), githubData(f.Message))
		}
	}
	return nil
}

// githubCommand is the workflow command for an annotation of severity s.
func githubCommand(s rules.Severity) string {
	switch s {
	case rules.SeverityError:
		return "error"
	case rules.SeverityWarning:
		return "warning"
	}
	return "notice"
}

// githubData escapes a workflow command's message. Control characters
// other than line breaks (which the command encodes) are first shown as
// visible escapes, as in the text format: the job's log renders escape
// sequences.
func githubData(s string) string {
	return githubDataReplacer.Replace(escapeControlsBut(s, "\r\n"))
}

// githubProperty escapes a workflow command's property value.
func githubProperty(s string) string {
	return githubPropertyReplacer.Replace(escapeControlsBut(s, "\r\n"))
}

var (
	githubDataReplacer     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	githubPropertyReplacer = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)
