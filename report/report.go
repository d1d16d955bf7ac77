// Package report writes lint results in the formats cachelint offers: text
// for people, JSON shaped like LSP diagnostics for editors and scripts,
// SARIF 2.1.0 for code-scanning services, and GitHub Actions workflow
// commands for inline annotations.
//
// Reporters only format: they never read files or know a rule beyond the
// metadata handed to them.
package report

import (
	"bytes"
	"fmt"
	"io"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// Options configures Write.
type Options struct {
	// Format is one of Formats(); empty means "text".
	Format string
	// Color colourises the text format; other formats ignore it.
	Color bool
	// ToolVersion is reported as the SARIF driver version.
	ToolVersion string
	// RepoRoot is the absolute directory SARIF artifact URIs are made
	// relative to (with uriBaseId %SRCROOT%). Files outside it, or every
	// file when it is empty, get absolute file URIs.
	RepoRoot string
	// Rules lists every rule, for the SARIF rule metadata.
	Rules []*rules.Rule
	// Category is the SARIF run's category for GitHub code scanning
	// (automationDetails.id, written with a trailing slash); empty leaves
	// automationDetails out, for upload-sarif to fill in.
	Category string
}

// formats maps each --format name to its writer. Writers fill a buffer so
// that Write either writes a whole report or reports why it could not.
var formats = []struct {
	name  string
	write func(*bytes.Buffer, []lint.FileResult, Options) error
}{
	{"text", writeText},
	{"json", writeJSON},
	{"sarif", writeSARIF},
	{"github", writeGitHub},
}

// Formats returns the valid --format names.
func Formats() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// Write formats results, which must be sorted by path, line, column and
// code, and writes them to w.
func Write(w io.Writer, results []lint.FileResult, opt Options) error {
	name := opt.Format
	if name == "" {
		name = "text"
	}
	for _, f := range formats {
		if f.name != name {
			continue
		}
		var buf bytes.Buffer
		if err := f.write(&buf, results, opt); err != nil {
			return fmt.Errorf("writing %s report: %w", name, err)
		}
		_, err := w.Write(buf.Bytes())
		return err
	}
	return fmt.Errorf("unknown report format %q", opt.Format)
}
