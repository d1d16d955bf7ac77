// Package rules holds cachelint's rules, one a file, and the registry that
// gives each its stable code, default severity and documentation URL.
package rules

import (
	"fmt"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
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

// RaiseToError is the Category of a diagnostic that is an error whatever
// the severity its rule is given, as long as the rule is on. BuildKit's
// checks report so in a Dockerfile whose check directive says error=true.
const RaiseToError = "!error"

// LowerToInfo is the Category of a diagnostic that is info whatever the
// severity its rule is given, as long as the rule is on: the case the
// rule's table calls less serious (CL110 on a scheduled build).
const LowerToInfo = "!info"

// DocsBaseURL is where the rule pages live; every rule URL (SARIF helpUri,
// JSON codeDescription.href, the rules command) is built from it, as
// DocsBaseURL + <rule name> + ".md". It is the one place to change when the
// pages move.
const DocsBaseURL = "https://github.com/cachelint/cachelint/blob/main/" + DocsDir

// DocsDir is where the rule pages live in the repository, relative to its
// root: the README links them from there.
const DocsDir = "docs/rules/"

// Precision is how often a rule's findings are right, in the four levels
// GitHub code scanning sorts alerts by (SARIF properties.precision). It is
// our estimate, from how the rule decides and from reviews of its findings
// on the corpus of real-world Dockerfiles:
//
//   - very-high: the finding restates what the file says (a syntax fact
//     such as ADD of a URL without --checksum); it is wrong only through a
//     bug.
//   - high: the rule reasons over the model (commands, caches, context) with
//     guards for the known traps; a wrong finding is rare.
//   - medium: the rule relies on a heuristic (a variable's or file's name,
//     a word in a URL) or reports something that may be intended; expect
//     some findings that do not apply.
//   - low: many findings do not apply; worth reading only on request.
type Precision string

// Precisions, from the most to the least precise.
const (
	PrecisionVeryHigh Precision = "very-high"
	PrecisionHigh     Precision = "high"
	PrecisionMedium   Precision = "medium"
	PrecisionLow      Precision = "low"
)

// Rule is an analyzer with the metadata the registry keeps beside it.
type Rule struct {
	Analyzer *analysis.Analyzer
	Code     string   // stable short code, e.g. CL001
	Severity Severity // default severity
	Tags     []string // categories for SARIF, e.g. cache, security
	// Precision is how often the rule's findings are right.
	Precision Precision
	// Off is set for a rule that reports only when selected: one that
	// another rule supersedes, or one that is noisy by nature.
	Off bool
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

// Description is the summary as a sentence followed by the doc's "Why it
// matters for the cache" (or, for BuildKit's checks, "Why it matters")
// paragraph on one line: what a rule finds and why, without examples, for
// places that show a short text (SARIF fullDescription).
func (r *Rule) Description() string {
	desc := capitalize(r.Summary()) + "."
	for _, para := range strings.Split(r.Analyzer.Doc, "\n\n") {
		why, ok := strings.CutPrefix(para, "Why it matters for the cache:")
		if !ok {
			why, ok = strings.CutPrefix(para, "Why it matters:")
		}
		if ok {
			desc += " " + capitalize(strings.Join(strings.Fields(why), " "))
			break
		}
	}
	return desc
}

// SecuritySeverity is the rule's security severity score for GitHub code
// scanning ("7.5"), or "" for a rule whose findings are not security
// problems.
func (r *Rule) SecuritySeverity() string { return securitySeverity[r.Code] }

// URL is the rule's documentation page.
func (r *Rule) URL() string { return r.Analyzer.URL }

func docURL(name string) string { return DocsBaseURL + name + ".md" }

// Config reports whether the rule checks the build configuration (CI
// workflows, bake files, scripts) rather than a Dockerfile: it reads the
// buildconfig model. The driver runs such rules once per repository.
func (r *Rule) Config() bool { return requiresConfig(r.Analyzer) }

func requiresConfig(a *analysis.Analyzer) bool {
	if a == buildconfig.Analyzer {
		return true
	}
	for _, req := range a.Requires {
		if requiresConfig(req) {
			return true
		}
	}
	return false
}
