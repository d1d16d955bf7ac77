package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/cachelint/cachelint/config"
	"github.com/cachelint/cachelint/rules"
)

const configUsage = `Usage: cachelint config [flags] [PATH]

Prints the configuration in effect for PATH (a Dockerfile or a directory;
default .): the configuration file that applies and its per-path entries
that match, the fail level, every rule with the severity it reports at
(off when it does not report) and its default, and the configured tools.
The flags that change the configuration of a lint run change it here too.

Flags:
`

// configRule is a rule as `cachelint config --format json` prints it.
type configRule struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Severity string `json:"severity"`
	Default  string `json:"default"`
}

// configPerPath is a per-path entry that applies.
type configPerPath struct {
	Line  int      `json:"line"`
	Paths []string `json:"paths"`
}

// configInfo is what `cachelint config --format json` prints.
type configInfo struct {
	Path      string              `json:"path"`
	Config    string              `json:"config"` // "" when no file applies
	PerPath   []configPerPath     `json:"perPath"`
	FailLevel string              `json:"failLevel"`
	Rules     []configRule        `json:"rules"`
	Tools     []rules.ExtraTool   `json:"tools"`
	Overrides map[string][]string `json:"overrides,omitempty"`
}

func runConfig(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cachelint config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text or json")
	var cf configFlags
	cf.register(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, configUsage)
		fs.PrintDefaults()
	}
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	if *format != "text" && *format != "json" {
		return usageError(stderr, "config --format: want text or json, not %q", *format)
	}
	if len(paths) > 1 {
		return usageError(stderr, "config takes one PATH")
	}
	path := "."
	if len(paths) == 1 {
		path = paths[0]
	}
	copt, err := cf.options()
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	loader := config.NewLoader(copt, rules.All())
	st, statErr := os.Stat(path)
	eff, _ := loader.For(path, statErr == nil && st.IsDir())
	if errs := loader.Errors(); len(errs) > 0 {
		printConfigErrors(stderr, errs)
		return exitError
	}
	if eff == nil {
		fmt.Fprintf(stderr, "cachelint: %s: cannot work out its configuration\n", path)
		return exitError
	}

	info := configInfo{Path: filepath.ToSlash(path), FailLevel: eff.FailLevel.String(), PerPath: []configPerPath{}, Tools: eff.Settings.Tools}
	if info.Tools == nil {
		info.Tools = []rules.ExtraTool{}
	}
	if eff.File != nil {
		info.Config = filepath.ToSlash(eff.File.Path)
		for _, i := range eff.PerPath {
			e := eff.File.PerPath[i]
			info.PerPath = append(info.PerPath, configPerPath{Line: e.Line, Paths: e.Paths})
		}
	}
	for _, r := range rules.All() {
		sev := "off"
		if s, ok := eff.Settings.Severity[r.Code]; ok && s != rules.SeverityNone {
			sev = s.String()
		}
		def := r.Severity.String()
		if r.Off {
			def = "off"
		}
		info.Rules = append(info.Rules, configRule{Code: r.Code, Name: r.Name(), Severity: sev, Default: def})
	}
	for name, f := range map[string]*listFlag{"select": &cf.selects, "extend-select": &cf.extendSelects, "ignore": &cf.ignores, "severity": &cf.severities} {
		if f.set {
			if info.Overrides == nil {
				info.Overrides = map[string][]string{}
			}
			info.Overrides[name] = f.values
		}
	}
	if cf.failLevel != "" {
		if info.Overrides == nil {
			info.Overrides = map[string][]string{}
		}
		info.Overrides["fail-level"] = []string{cf.failLevel}
	}

	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(info); err != nil {
			fmt.Fprintf(stderr, "cachelint: %v\n", err)
			return exitError
		}
		return exitOK
	}
	// The paths and tool names come from the configuration file.
	w := &errWriter{w: terminalSafe{stdout}}
	fmt.Fprintf(w, "path: %s\n", info.Path)
	switch {
	case copt.NoConfig:
		fmt.Fprintln(w, "config: none (--no-config)")
	case eff.File == nil:
		fmt.Fprintln(w, "config: none found (the defaults)")
	default:
		fmt.Fprintf(w, "config: %s\n", info.Config)
	}
	for _, p := range info.PerPath {
		fmt.Fprintf(w, "per-path: %s (line %d)\n", strings.Join(p.Paths, ", "), p.Line)
	}
	if len(info.Overrides) > 0 {
		var parts []string
		for _, name := range []string{"select", "extend-select", "ignore", "severity", "fail-level"} {
			if v, ok := info.Overrides[name]; ok {
				parts = append(parts, fmt.Sprintf("--%s %s", name, strings.Join(v, ",")))
			}
		}
		fmt.Fprintf(w, "command line: %s\n", strings.Join(parts, " "))
	}
	fmt.Fprintf(w, "fail-level: %s\n\n", info.FailLevel)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tNAME\tSEVERITY\tDEFAULT")
	for _, r := range info.Rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Code, r.Name, r.Severity, r.Default)
	}
	_ = tw.Flush()
	if len(info.Tools) > 0 {
		fmt.Fprintln(w, "\ntools:")
		for _, t := range info.Tools {
			fmt.Fprintf(w, "  %s: command %s; cache-dirs %s\n", t.Name, strings.Join(t.Command, " "), strings.Join(t.CacheDirs, ", "))
		}
	}
	if w.err != nil {
		fmt.Fprintf(stderr, "cachelint: %v\n", w.err)
		return exitError
	}
	return exitOK
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
