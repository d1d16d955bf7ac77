package report

import (
	"bytes"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

const (
	informationURI = "https://github.com/cachelint/cachelint"
	// srcRoot is the uriBaseId of artifact URIs relative to the repository.
	srcRoot = "%SRCROOT%"
	// maxDescription is the most characters GitHub code scanning takes in
	// a rule's shortDescription and fullDescription.
	maxDescription = 1024
)

// writeSARIF writes a SARIF 2.1.0 log with one run, describing every rule
// in opt.Rules whether or not it reported anything.
func writeSARIF(buf *bytes.Buffer, results []lint.FileResult, opt Options) error {
	sarifLog, err := sarif.New(sarif.Version210)
	if err != nil {
		return err
	}
	run := sarif.NewRunWithInformationURI("cachelint", informationURI)
	if opt.ToolVersion != "" {
		run.Tool.Driver.WithVersion(opt.ToolVersion)
	}
	run.WithColumnKind("utf16CodeUnits")
	if opt.Category != "" {
		run.WithAutomationDetails(&sarif.RunAutomationDetails{ID: ptr(automationID(opt.Category))})
	}
	for _, r := range opt.Rules {
		run.Tool.Driver.AddRule(sarifRule(r))
	}
	ruleIndex := make(map[string]int, len(run.Tool.Driver.Rules))
	for i, r := range run.Tool.Driver.Rules {
		ruleIndex[r.ID] = i
	}

	root := ""
	if opt.RepoRoot != "" {
		if root, err = filepath.Abs(opt.RepoRoot); err != nil {
			return err
		}
		run.WithOriginalUriBaseIds(map[string]*sarif.ArtifactLocation{
			srcRoot: sarif.NewSimpleArtifactLocation(strings.TrimSuffix(fileURI(root), "/") + "/"),
		})
	}

	for i := range results {
		fr := &results[i]
		art := artifact(root, absPath(fr))
		for j := range fr.Findings {
			f := &fr.Findings[j]
			s := findingSpan(f)

			res := sarif.NewRuleResult(f.Code).
				WithLevel(sarifLevel(f.Severity)).
				WithMessage(sarif.NewTextMessage(f.Message))
			if k, ok := ruleIndex[f.Code]; ok {
				res.WithRuleIndex(k)
			}
			loc := sarif.NewPhysicalLocation().WithArtifactLocation(art)
			if s.known() {
				loc.WithRegion(sarifRegion(fr, s))
			}
			res.AddLocation(sarif.NewLocationWithPhysicalLocation(loc))

			if f.Fingerprint != "" {
				res.WithPartialFingerPrints(map[string]any{lint.FingerprintScheme: f.Fingerprint})
			}

			for _, fix := range fixable(f) {
				change := sarif.NewArtifactChange(art)
				for k := range fix.Edits {
					e := &fix.Edits[k]
					r := sarif.NewReplacement(sarifRegion(fr, editSpan(e)))
					if e.NewText != "" {
						r.WithInsertedContent(sarif.NewArtifactContent().WithText(e.NewText))
					}
					change.WithReplacement(r)
				}
				sf := sarif.NewFix().WithArtifactChanges([]*sarif.ArtifactChange{change})
				if fix.Message != "" {
					sf.WithDescriptionText(fix.Message)
				}
				res.AddFix(sf)
			}
			// Not run.AddResult: it would overwrite ruleIndex, with a
			// wrapped-around -1 for a code that is not a known rule.
			run.Results = append(run.Results, res)
		}
	}
	sarifLog.AddRun(run)

	enc := json.NewEncoder(buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog)
}

// sarifRule describes a rule for the SARIF driver, with the properties
// GitHub code scanning reads: tags to filter by, precision and
// problem.severity to rank alerts, and security-severity, which makes the
// rule's results security alerts.
func sarifRule(r *rules.Rule) *sarif.ReportingDescriptor {
	d := sarif.NewRule(r.Code).
		WithName(r.Name()).
		WithShortDescription(sarif.NewMultiformatMessageString(truncate(r.Summary(), maxDescription))).
		WithFullDescription(sarif.NewMultiformatMessageString(truncate(r.Description(), maxDescription))).
		WithHelp(sarif.NewMultiformatMessageString(r.Analyzer.Doc).WithMarkdown(r.Markdown())).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(r.Severity)))
	if u := r.URL(); u != "" {
		d.WithHelpURI(u)
	}
	props := sarif.Properties{}
	if len(r.Tags) > 0 {
		props["tags"] = r.Tags
	}
	if r.Precision != "" {
		props["precision"] = string(r.Precision)
	}
	if s := problemSeverity(r.Severity); s != "" {
		props["problem.severity"] = s
	}
	if s := r.SecuritySeverity(); s != "" {
		props["security-severity"] = s
	}
	if len(props) > 0 {
		d.WithProperties(props)
	}
	return d
}

// problemSeverity maps a severity to GitHub's problem.severity.
func problemSeverity(s rules.Severity) string {
	switch s {
	case rules.SeverityError:
		return "error"
	case rules.SeverityWarning:
		return "warning"
	case rules.SeverityInfo:
		return "recommendation"
	}
	return ""
}

// automationID turns a --sarif-category value into a run's
// automationDetails.id. GitHub reads the id as "category/run-id", taking
// everything before the last slash as the category; a trailing slash makes
// the whole value the category (as codeql --sarif-category and
// upload-sarif's category input do).
func automationID(category string) string {
	if strings.HasSuffix(category, "/") {
		return category
	}
	return category + "/"
}

// truncate shortens s to at most n characters, cutting at a space and
// ending in an ellipsis when it has to cut.
func truncate(s string, n int) string {
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	cut := string(runes[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

func ptr[T any](v T) *T { return &v }

// artifact locates a file for SARIF: relative to root with uriBaseId
// %SRCROOT% when it is inside root, else by absolute file URI.
func artifact(root, abs string) *sarif.ArtifactLocation {
	if root != "" {
		rel, err := filepath.Rel(root, abs)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			rel = filepath.ToSlash(rel)
			return sarif.NewSimpleArtifactLocation((&url.URL{Path: rel}).String()).WithUriBaseId(srcRoot)
		}
	}
	return sarif.NewSimpleArtifactLocation(fileURI(abs))
}

// sarifRegion converts a known span to a SARIF region in UTF-16 columns.
func sarifRegion(fr *lint.FileResult, s span) *sarif.Region {
	col, endCol := s.utf16(fr)
	return sarif.NewRegion().
		WithStartLine(s.line).
		WithStartColumn(col).
		WithEndLine(s.endLine).
		WithEndColumn(endCol)
}

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(s rules.Severity) string {
	switch s {
	case rules.SeverityError:
		return "error"
	case rules.SeverityWarning:
		return "warning"
	case rules.SeverityInfo:
		return "note"
	}
	return "none"
}
