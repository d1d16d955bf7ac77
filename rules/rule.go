// Package rules holds cachelint's rules, one a file, and the registry that
// gives each its stable code, default severity and documentation URL.
package rules

import (
	"fmt"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Severity is how serious a finding is. The zero value is SeverityNone.
type Severity int

// Severities, from "report nothing" up to "the build is wrong".
const (
	SeverityNone Severity = iota
	SeverityInfo
	SeverityWarning
	SeverityError
)

// String returns the lower-case name used in output and flags.
func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return "none"
}

// ParseSeverity reads a severity name as given on the command line.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "error":
		return SeverityError, nil
	case "warning", "warn":
		return SeverityWarning, nil
	case "info":
		return SeverityInfo, nil
	case "none", "off":
		return SeverityNone, nil
	}
	return SeverityNone, fmt.Errorf("unknown severity %q (want error, warning, info or none)", s)
}

// DocsBaseURL is where the rule pages live; every rule URL is built from it.
const DocsBaseURL = "https://github.com/cachelint/cachelint/blob/main/docs/rules/"

// Rule is an analyzer with the metadata the registry keeps beside it.
type Rule struct {
	Analyzer *analysis.Analyzer
	Code     string   // stable short code, e.g. CL001
	Severity Severity // default severity
	Tags     []string // categories for SARIF, e.g. cache, security
}

// Name is the rule's kebab-case name. go/analysis requires analyzer names
// to be Go identifiers, so the analyzer is named with underscores
// (copy_before_install) and the rule with dashes (copy-before-install).
func (r *Rule) Name() string { return strings.ReplaceAll(r.Analyzer.Name, "_", "-") }

// Summary is the first line of the rule's doc.
func (r *Rule) Summary() string {
	doc := r.Analyzer.Doc
	if i := strings.IndexByte(doc, '\n'); i >= 0 {
		return doc[:i]
	}
	return doc
}

// URL is the rule's documentation page.
func (r *Rule) URL() string { return r.Analyzer.URL }

func docURL(name string) string { return DocsBaseURL + name + ".md" }
