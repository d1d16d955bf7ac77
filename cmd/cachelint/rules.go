package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/cachelint/cachelint/rules"
)

// ruleInfo is a rule as `cachelint rules --format json` prints it.
type ruleInfo struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Severity string   `json:"severity"`
	Summary  string   `json:"summary"`
	URL      string   `json:"url"`
	Tags     []string `json:"tags"`
	// Precision and SecuritySeverity are as in SARIF: how often the
	// rule's findings are right, and GitHub's security severity score.
	Precision        string `json:"precision"`
	SecuritySeverity string `json:"securitySeverity,omitempty"`
	Doc              string `json:"doc,omitempty"`
	// Off is set for a rule that reports only when selected.
	Off bool `json:"off,omitempty"`
}

// severityText is a rule's default severity, and "off" for a rule that
// reports only when selected: "warning, off".
func severityText(r *rules.Rule) string {
	if r.Off {
		return r.Severity.String() + ", off"
	}
	return r.Severity.String()
}

func runRules(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cachelint rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text, json or markdown")
	linkBase := fs.String("link-base", rules.DocsDir, "markdown only: what the rule page links start with (`URL` or path); the default is the repository-relative path the README uses")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: cachelint rules [--format text|json|markdown] [--link-base URL] [CODE|NAME]")
		fs.PrintDefaults()
	}
	names, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	if *format != "text" && *format != "json" && *format != "markdown" {
		return usageError(stderr, "rules --format: want text, json or markdown, not %q", *format)
	}
	linkBaseSet := false
	fs.Visit(func(f *flag.Flag) { linkBaseSet = linkBaseSet || f.Name == "link-base" })
	if linkBaseSet && *format != "markdown" {
		return usageError(stderr, "rules --link-base needs --format markdown")
	}
	selected := rules.All()
	if len(names) > 0 {
		selected = nil
		for _, n := range names {
			r, ok := rules.Lookup(n)
			if !ok {
				return usageError(stderr, "no rule has the code or name %q", n)
			}
			selected = append(selected, r)
		}
	}
	full := len(names) > 0
	switch *format {
	case "json":
		infos := make([]ruleInfo, 0, len(selected))
		for _, r := range selected {
			info := ruleInfo{
				Code: r.Code, Name: r.Name(), Severity: r.Severity.String(), Summary: r.Summary(), URL: r.URL(), Tags: r.Tags,
				Precision: string(r.Precision), SecuritySeverity: r.SecuritySeverity(), Off: r.Off,
			}
			if full {
				info.Doc = r.Analyzer.Doc
			}
			infos = append(infos, info)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(infos); err != nil {
			fmt.Fprintf(stderr, "cachelint: %v\n", err)
			return exitError
		}
	case "markdown":
		// The table the README embeds (a test checks that they agree).
		fmt.Fprintln(stdout, "| Code | Name | Severity | Summary |")
		fmt.Fprintln(stdout, "|------|------|----------|---------|")
		cell := strings.NewReplacer("|", `\|`, "\n", " ").Replace
		for _, r := range selected {
			fmt.Fprintf(stdout, "| %s | [%s](%s%s.md) | %s | %s |\n", r.Code, r.Name(), *linkBase, r.Name(), severityText(r), cell(r.Summary()))
		}
	default:
		if full {
			for i, r := range selected {
				if i > 0 {
					fmt.Fprintln(stdout)
				}
				title := r.Code + " " + r.Name()
				if r.Code == r.Name() {
					title = r.Code // one of BuildKit's checks
				}
				fmt.Fprintf(stdout, "%s (%s)\n\n%s\n\nDocs: %s\n", title, severityText(r), r.Analyzer.Doc, r.URL())
			}
			return exitOK
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tNAME\tSEVERITY\tSUMMARY")
		for _, r := range selected {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Code, r.Name(), severityText(r), r.Summary())
		}
		if err := tw.Flush(); err != nil {
			fmt.Fprintf(stderr, "cachelint: %v\n", err)
			return exitError
		}
	}
	return exitOK
}
