package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/cachelint/cachelint/config"
	"github.com/cachelint/cachelint/rules"
)

// listFlag is a flag that may be given several times, each value a
// comma-separated list.
type listFlag struct {
	values []string
	set    bool
}

func (f *listFlag) String() string { return strings.Join(f.values, ",") }

func (f *listFlag) Set(v string) error {
	f.values, f.set = append(f.values, v), true
	return nil
}

// configFlags are the flags that choose the configuration file and
// override it.
type configFlags struct {
	file          string
	noConfig      bool
	selects       listFlag
	extendSelects listFlag
	ignores       listFlag
	severities    listFlag
	failLevel     string
}

func (c *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.file, "config", "", "use the configuration `FILE` for every file instead of the .cachelint.yaml found above each")
	fs.BoolVar(&c.noConfig, "no-config", false, "use no configuration file")
	fs.Var(&c.selects, "select", "only these `RULES`: codes, names, prefixes (CL0) or tags (cache, security, buildkit ...), or ALL; comma-separated, repeatable; replaces the configuration's selection")
	fs.Var(&c.extendSelects, "extend-select", "also these `RULES` (as for --select)")
	fs.Var(&c.ignores, "ignore", "not these `RULES` (as for --select)")
	fs.Var(&c.severities, "severity", "set severities: `RULE=LEVEL`, LEVEL being error, warning, info or off; comma-separated, repeatable")
	fs.StringVar(&c.failLevel, "fail-level", "", "lowest severity that makes the exit status 1: error, warning, info or none (default: the configuration's fail-level, else warning)")
}

// options turns the flags into the configuration's options; the error is
// a usage error naming the flag.
func (c *configFlags) options() (config.Options, error) {
	opt := config.Options{File: c.file, NoConfig: c.noConfig}
	if c.file != "" && c.noConfig {
		return opt, fmt.Errorf("--config and --no-config exclude each other")
	}
	var err error
	read := func(name string, f *listFlag) []config.Selector {
		var out []config.Selector
		for _, v := range f.values {
			s, e := config.ParseSelectors(v)
			if e != nil && err == nil {
				err = fmt.Errorf("--%s: %w", name, e)
			}
			out = append(out, s...)
		}
		return out
	}
	opt.CLI.Select, opt.CLI.HasSelect = read("select", &c.selects), c.selects.set
	opt.CLI.ExtendSelect = read("extend-select", &c.extendSelects)
	opt.CLI.Ignore = read("ignore", &c.ignores)
	for _, v := range c.severities.values {
		entries, e := config.ParseSeverities(v)
		if e != nil && err == nil {
			err = fmt.Errorf("--severity: %w", e)
		}
		opt.CLI.Severity = append(opt.CLI.Severity, entries...)
	}
	if err != nil {
		return opt, err
	}
	if c.failLevel != "" {
		lv, e := rules.ParseSeverity(c.failLevel)
		if e != nil {
			return opt, fmt.Errorf("--fail-level: %w", e)
		}
		opt.FailLevel, opt.HasFailLevel = lv, true
	}
	return opt, nil
}

// printConfigErrors prints configuration errors, one line each.
func printConfigErrors(stderr io.Writer, errs []error) {
	for _, err := range errs {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "cachelint: %s\n", line)
		}
	}
}
