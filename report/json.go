package report

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// jsonVersion is the version of the JSON format, written in every file
// object. It changes only when a field is removed, renamed or changes
// meaning; new fields do not change it. docs/json-output.md documents the
// format.
const jsonVersion = 1

// The JSON format is an array with one jsonFile per linted file; each
// diagnostic has the shape of an LSP Diagnostic, so editors can use it
// as is.
type (
	jsonFile struct {
		Version     int              `json:"version"`
		URI         string           `json:"uri"`
		Path        string           `json:"path"`
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
		// Error says why the file could not be read or parsed as a whole.
		Error string `json:"error,omitempty"`
	}
	jsonDiagnostic struct {
		Range           jsonRange            `json:"range"`
		Severity        int                  `json:"severity"`
		Code            string               `json:"code"`
		CodeDescription *jsonCodeDescription `json:"codeDescription,omitempty"`
		Source          string               `json:"source"`
		Message         string               `json:"message"`
		Data            jsonData             `json:"data"`
	}
	jsonCodeDescription struct {
		Href string `json:"href"`
	}
	jsonData struct {
		Rule string `json:"rule"`
		// Help holds the advice of fixes that have no edits to apply.
		Help  []string  `json:"help,omitempty"`
		Fixes []jsonFix `json:"fixes,omitempty"`
	}
	jsonFix struct {
		Title string     `json:"title"`
		Edits []jsonEdit `json:"edits"`
	}
	jsonEdit struct {
		Range   jsonRange `json:"range"`
		NewText string    `json:"newText"`
	}
	// jsonRange and jsonPosition are 0-based; character counts UTF-16
	// code units, as LSP does by default.
	jsonRange struct {
		Start jsonPosition `json:"start"`
		End   jsonPosition `json:"end"`
	}
	jsonPosition struct {
		Line      int `json:"line"`
		Character int `json:"character"`
	}
)

// writeJSON writes the results as an indented JSON array.
func writeJSON(buf *bytes.Buffer, results []lint.FileResult, _ Options) error {
	files := make([]jsonFile, 0, len(results))
	for i := range results {
		fr := &results[i]
		file := jsonFile{
			Version:     jsonVersion,
			URI:         fileURI(absPath(fr)),
			Path:        fr.Path,
			Diagnostics: make([]jsonDiagnostic, 0, len(fr.Findings)),
		}
		if fr.Err != nil {
			file.Error = strings.Join(strings.Fields(fr.Err.Error()), " ")
		}
		for j := range fr.Findings {
			file.Diagnostics = append(file.Diagnostics, jsonDiag(fr, &fr.Findings[j]))
		}
		files = append(files, file)
	}
	enc := json.NewEncoder(buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(files)
}

func jsonDiag(fr *lint.FileResult, f *lint.Finding) jsonDiagnostic {
	d := jsonDiagnostic{
		Range:    lspRange(fr, findingSpan(f)),
		Severity: lspSeverity(f.Severity),
		Code:     f.Code,
		Source:   "cachelint",
		Message:  f.Message,
		Data:     jsonData{Rule: f.Rule},
	}
	if f.URL != "" {
		d.CodeDescription = &jsonCodeDescription{Href: f.URL}
	}
	for _, fix := range f.Fixes {
		if len(fix.Edits) == 0 && fix.Message != "" {
			d.Data.Help = append(d.Data.Help, fix.Message)
		}
	}
	for _, fix := range fixable(f) {
		jf := jsonFix{Title: fix.Message}
		for k := range fix.Edits {
			e := &fix.Edits[k]
			jf.Edits = append(jf.Edits, jsonEdit{Range: lspRange(fr, editSpan(e)), NewText: e.NewText})
		}
		d.Data.Fixes = append(d.Data.Fixes, jf)
	}
	return d
}

// lspRange converts a span to a 0-based LSP range. A span without a
// position maps to the start of the file.
func lspRange(fr *lint.FileResult, s span) jsonRange {
	if !s.known() {
		return jsonRange{}
	}
	col, endCol := s.utf16(fr)
	return jsonRange{
		Start: jsonPosition{Line: s.line - 1, Character: col - 1},
		End:   jsonPosition{Line: s.endLine - 1, Character: endCol - 1},
	}
}

// lspSeverity maps a severity to LSP's DiagnosticSeverity.
func lspSeverity(s rules.Severity) int {
	switch s {
	case rules.SeverityError:
		return 1
	case rules.SeverityWarning:
		return 2
	case rules.SeverityInfo:
		return 3
	}
	return 4 // hint
}
