package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fatih/color"

	"github.com/cachelint/cachelint/buildconfig"
	"github.com/cachelint/cachelint/config"
	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/report"
	"github.com/cachelint/cachelint/rules"
)

const lintUsage = `Usage: cachelint [flags] [PATH...]
       cachelint rules [--format text|json|markdown] [CODE|NAME]
       cachelint config [flags] [PATH]
       cachelint version

Lints Dockerfiles, and the CI workflows, bake files, GitLab CI files,
scripts and Makefiles that build them, for what makes BuildKit builds miss
the cache. A PATH is a Dockerfile (linted whatever its name), a
configuration file (.github/workflows/*.yml, docker-bake.hcl|json,
.gitlab-ci.yml, *.sh, Makefile, *.mk; linted in its repository), a
directory (walked for both: Dockerfile, Containerfile, Dockerfile.*,
Containerfile.*, *.Dockerfile, *.dockerfile, *.Containerfile,
*.containerfile and the configuration files above, skipping .git,
node_modules, vendor and what .gitignore ignores) or - for a Dockerfile on
standard input. The default PATH is the current directory.

Each file's configuration is the .cachelint.yaml (or .cachelint.yml)
nearest above it, up to the repository root; --select, --extend-select,
--ignore, --severity and --fail-level override it. 'cachelint config PATH'
prints the configuration in effect for PATH.

Exit status: 0 no finding at or above --fail-level, 1 findings, 2 usage
error, a bad configuration file, or a file that could not be read or
parsed.

Flags:
`

// lintOptions are the flags of a lint run.
type lintOptions struct {
	format        string
	output        string
	color         string
	stdinFilename string
	context       string
	maxFileSize   int64
	sarifCategory string
	baseline      string
	writeBaseline string
	reportUnused  bool
}

func runLint(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var opt lintOptions
	fs := flag.NewFlagSet("cachelint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opt.format, "format", "text", "output format: "+strings.Join(report.Formats(), ", "))
	fs.StringVar(&opt.output, "output", "", "write the report to `FILE` instead of standard output")
	fs.StringVar(&opt.color, "color", "auto", "colour text output: auto, always or never")
	fs.StringVar(&opt.stdinFilename, "stdin-filename", "", "the path of the file read from standard input (for messages and .dockerignore)")
	fs.StringVar(&opt.context, "context", "", "build context `DIR` of the Dockerfile (single file only; default: its directory)")
	fs.Int64Var(&opt.maxFileSize, "max-file-size", lint.DefaultMaxFileSize, "largest file to read, in bytes")
	fs.StringVar(&opt.sarifCategory, "sarif-category", "", "SARIF only: the `CATEGORY` of this analysis for GitHub code scanning (automationDetails.id, a trailing slash added)")
	fs.StringVar(&opt.baseline, "baseline", "", "leave out the findings recorded in the baseline `FILE` (see --write-baseline)")
	fs.StringVar(&opt.writeBaseline, "write-baseline", "", "record every finding in the baseline `FILE`, for --baseline to leave out")
	var cf configFlags
	cf.register(fs)
	fs.BoolVar(&opt.reportUnused, "report-unused-ignores", false, "report suppression comments that silence nothing (turns on CL902 unused-suppression)")
	fs.Usage = func() {
		fmt.Fprint(stderr, lintUsage)
		fs.PrintDefaults()
	}
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError // flag already printed the error
	}
	copt, err := cf.options()
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	if opt.reportUnused {
		// As --extend-select CL902: naming the code turns it on.
		sel, err := config.ParseSelector("unused-suppression")
		if err != nil {
			return usageError(stderr, "%v", err)
		}
		copt.CLI.ExtendSelect = append(copt.CLI.ExtendSelect, sel)
	}
	if !validFormat(opt.format) {
		return usageError(stderr, "--format: unknown format %q (want %s)", opt.format, strings.Join(report.Formats(), ", "))
	}
	if opt.color != "auto" && opt.color != "always" && opt.color != "never" {
		return usageError(stderr, "--color: want auto, always or never, not %q", opt.color)
	}
	if opt.sarifCategory != "" && opt.format != "sarif" {
		return usageError(stderr, "--sarif-category needs --format sarif")
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	if opt.context != "" && len(paths) != 1 {
		return usageError(stderr, "--context needs exactly one Dockerfile")
	}
	base, status := readBaseline(opt, stderr)
	if status != exitOK {
		return status
	}

	units, repoUnits, errs, notes := collectUnits(paths, opt, stdin)
	for _, n := range notes {
		fmt.Fprintf(stderr, "cachelint: warning: %s\n", n)
	}
	// Each unit's configuration; a bad configuration file stops the run
	// before anything is linted.
	loader := config.NewLoader(copt, rules.All())
	_ = loader.LoadExplicit()
	configs := make(map[string]*config.Effective, len(units))
	for _, u := range units {
		if e, err := loader.For(u.AbsPath, false); err == nil {
			configs[u.Path] = e
		}
	}
	for _, ru := range repoUnits {
		for _, f := range ru.Files {
			if e, err := loader.For(f.Abs, false); err == nil {
				configs[f.Path] = e
			}
		}
	}
	if cerrs := loader.Errors(); len(cerrs) > 0 {
		printConfigErrors(stderr, cerrs)
		return exitError
	}
	linter, err := lint.New(rules.All())
	if err != nil {
		fmt.Fprintf(stderr, "cachelint: internal error: %v\n", err)
		return exitError
	}
	linter.MaxFileSize = opt.maxFileSize
	cwd, _ := os.Getwd()
	linter.Root = repoRoot(cwd)
	linter.SettingsFor = func(u lint.Unit) *lint.Settings {
		if e := configs[u.Path]; e != nil {
			return e.Settings
		}
		return nil
	}
	results := linter.LintAll(units, repoUnits...)
	status = applyBaseline(opt, base, results, linter.Root, stderr)

	for _, e := range errs {
		fmt.Fprintf(stderr, "cachelint: %s%s\n", oneLine(e), hint(e))
		status = exitError
	}
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(stderr, "cachelint: %s: %s%s\n", r.Path, oneLine(r.Err), hint(r.Err))
			status = exitError
		}
	}

	ropt := report.Options{
		Format:      opt.format,
		Color:       useColor(opt),
		ToolVersion: version(),
		RepoRoot:    linter.Root,
		Rules:       rules.All(),
		Category:    opt.sarifCategory,
	}
	if err := writeReport(opt.output, stdout, results, ropt); err != nil {
		fmt.Fprintf(stderr, "cachelint: %v\n", err)
		return exitError
	}
	if status == exitOK && failing(results, configs) {
		status = exitFindings
	}
	return status
}

// failing reports whether a file has a finding at or above the fail level
// of its configuration.
func failing(results []lint.FileResult, configs map[string]*config.Effective) bool {
	for _, r := range results {
		level := config.DefaultFailLevel
		if e := configs[r.Path]; e != nil {
			level = e.FailLevel
		}
		if level != rules.SeverityNone && hasFindingAtLeast([]lint.FileResult{r}, level) {
			return true
		}
	}
	return false
}

// parseInterspersed parses flags that may come before, between or after
// the paths, as most linters allow. Everything after "--" is a path.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(paths, rest...), nil
		}
		if len(rest) == 0 {
			return paths, nil
		}
		paths = append(paths, rest[0])
		args = rest[1:]
	}
}

func validFormat(f string) bool {
	for _, v := range report.Formats() {
		if f == v {
			return true
		}
	}
	return false
}

// collectUnits turns the paths into build units, with an error for each
// path that cannot be used and a note for each directory without
// Dockerfiles.
func collectUnits(paths []string, opt lintOptions, stdin io.Reader) ([]lint.Unit, []lint.RepoUnit, []error, []string) {
	var units []lint.Unit
	var errs []error
	var notes []string
	seen := map[string]bool{}
	repos := map[string]*lint.RepoUnit{}
	explicit := map[string]bool{} // roots of configuration files named as paths
	var roots []string
	addConfig := func(p, stop string) {
		abs, err := filepath.Abs(p)
		if err != nil {
			errs = append(errs, &pathError{p, err})
			return
		}
		if seen[abs] {
			return
		}
		seen[abs] = true
		root := configRoot(abs, stop)
		ru := repos[root]
		if ru == nil {
			ru = &lint.RepoUnit{Root: root}
			repos[root] = ru
			roots = append(roots, root)
		}
		ru.Files = append(ru.Files, buildconfig.Input{Path: filepath.ToSlash(filepath.Clean(p)), Abs: abs})
	}
	add := func(p string) {
		abs, err := filepath.Abs(p)
		if err != nil {
			errs = append(errs, &pathError{p, err})
			return
		}
		if seen[abs] {
			return
		}
		seen[abs] = true
		u := lint.Unit{Path: filepath.ToSlash(filepath.Clean(p)), AbsPath: abs}
		if opt.context != "" {
			u.ContextDir, _ = filepath.Abs(opt.context)
		}
		units = append(units, u)
	}
	for _, p := range paths {
		if p == "-" {
			u, err := stdinUnit(opt, stdin)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			units = append(units, u)
			continue
		}
		st, err := os.Stat(p)
		switch {
		case err != nil:
			errs = append(errs, &pathError{p, lint.Cause(err)})
		case st.IsDir():
			files, configs, werrs := walkDir(p)
			errs = append(errs, werrs...)
			if len(files) == 0 && len(configs) == 0 && len(werrs) == 0 {
				notes = append(notes, fmt.Sprintf("no Dockerfiles found in %s", p))
			}
			for _, f := range files {
				add(f)
			}
			stop, _ := filepath.Abs(p)
			for _, f := range configs {
				addConfig(f, stop)
			}
		case !lint.IsDockerfileName(filepath.Base(p)) && buildconfig.KindOf(filepath.ToSlash(p)) != 0:
			if abs, err := filepath.Abs(p); err == nil {
				explicit[configRoot(abs, "")] = true
			}
			addConfig(p, "")
		default:
			add(p)
		}
	}
	var repoUnits []lint.RepoUnit
	for _, r := range roots {
		ru := repos[r]
		if explicit[r] {
			// Configuration files named one by one: the rest of their
			// repository's configuration is read too, for the rules that
			// compare builds across files, and not reported on.
			_, others, _ := walkDir(r)
			for _, o := range others {
				if abs, err := filepath.Abs(o); err == nil && !seen[abs] {
					ru.Context = append(ru.Context, buildconfig.Input{Path: filepath.ToSlash(o), Abs: abs})
				}
			}
		}
		repoUnits = append(repoUnits, *ru)
	}
	return units, repoUnits, errs, notes
}

// stdinUnit reads the Dockerfile on standard input.
func stdinUnit(opt lintOptions, stdin io.Reader) (lint.Unit, error) {
	name := "<stdin>"
	if opt.stdinFilename != "" {
		name = opt.stdinFilename
	}
	data, err := io.ReadAll(io.LimitReader(stdin, opt.maxFileSize+1))
	if err != nil {
		return lint.Unit{}, &pathError{name, err}
	}
	if int64(len(data)) > opt.maxFileSize {
		return lint.Unit{}, &pathError{name, &lint.TooLargeError{Size: -1, Limit: opt.maxFileSize}}
	}
	u := lint.Unit{Path: filepath.ToSlash(name), Src: data}
	if opt.stdinFilename != "" {
		u.AbsPath, _ = filepath.Abs(opt.stdinFilename)
	}
	if opt.context != "" {
		u.ContextDir, _ = filepath.Abs(opt.context)
	}
	return u, nil
}

func useColor(opt lintOptions) bool {
	switch opt.color {
	case "always":
		return true
	case "never":
		return false
	}
	if opt.output != "" || os.Getenv("NO_COLOR") != "" {
		return false
	}
	return !color.NoColor // fatih/color: standard output is a terminal
}

func hasFindingAtLeast(results []lint.FileResult, level rules.Severity) bool {
	for _, r := range results {
		for _, f := range r.Findings {
			if f.Severity >= level {
				return true
			}
		}
	}
	return false
}

// writeReport writes to out, or to the named file as lint.WriteFile
// writes: atomically, replacing a symbolic link rather than following it,
// and writing to a stream (/dev/stdout, a FIFO) as it is.
func writeReport(name string, out io.Writer, results []lint.FileResult, opt report.Options) error {
	if name == "" {
		return report.Write(out, results, opt)
	}
	if err := lint.WriteFile(name, func(w io.Writer) error { return report.Write(w, results, opt) }); err != nil {
		return fmt.Errorf("--output %s: %w", name, err)
	}
	return nil
}

// hint is what to do about an error, when there is something to say.
func hint(err error) string {
	var tl *lint.TooLargeError
	if errors.As(err, &tl) {
		return " (--max-file-size raises it)"
	}
	return ""
}

// oneLine keeps an error message on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
