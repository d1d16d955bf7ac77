// Package config reads cachelint's configuration file (.cachelint.yaml or
// .cachelint.yml), finds the one that applies to each linted file, and
// works out, with the command line's overrides, which rules report on the
// file and at what severity: the *lint.Settings the driver asks for.
//
// Rule selection follows ruff's semantics. The rules on by default (every
// rule that is not off by default) are the start; then each layer in turn
// (the file's top level, each per-path entry that matches the file, the
// command line) changes the set: a layer with select replaces it, a layer
// without select adds its extend-select rules and drops its ignore rules.
// Within a layer, more specific selectors decide over broader ones (a code
// or name over a prefix or tag, CL00 over CL0, CL0 or a tag over CL, CL
// over ALL), and at equal specificity ignore wins over select. Severities
// are layered the same way: a later layer's severity wins, and within a
// layer the more specific selector. A severity of off is an ignore.
package config

import (
	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// Selection is one layer's say about rules: the file's top level, a
// per-path entry, or the command line.
type Selection struct {
	// Select replaces the rules on so far when HasSelect is set (an empty
	// Select turns every rule off).
	Select    []Selector
	HasSelect bool
	// ExtendSelect turns rules on beside what is on.
	ExtendSelect []Selector
	// Ignore turns rules off.
	Ignore []Selector
	// Severity changes the severity of rules, in order; a level of
	// SeverityNone (off) turns them off like Ignore.
	Severity []SeverityEntry
}

// SeverityEntry gives the rules a selector names a severity.
type SeverityEntry struct {
	Selector Selector
	Level    rules.Severity
	Line     int // in the configuration file; 0 on the command line
}

// Empty reports whether the layer changes nothing.
func (s *Selection) Empty() bool {
	return s == nil || (!s.HasSelect && len(s.ExtendSelect) == 0 && len(s.Ignore) == 0 && len(s.Severity) == 0)
}

// Resolve applies layers, in order, to the defaults of rs and returns the
// settings: the rules that are on and their severities. tools are passed
// through.
func Resolve(rs []*rules.Rule, layers []*Selection, tools []rules.ExtraTool) *lint.Settings {
	on := make(map[*rules.Rule]bool, len(rs))
	sev := make(map[*rules.Rule]rules.Severity, len(rs))
	for _, r := range rs {
		on[r] = !r.Off
		sev[r] = r.Severity
	}
	for _, l := range layers {
		if l.Empty() {
			continue
		}
		// What this layer says about each rule it names: on or off.
		says := map[*rules.Rule]bool{}
		for spec := SpecAll; spec <= SpecRule; spec++ {
			for _, group := range [][]Selector{l.Select, l.ExtendSelect} {
				for _, s := range group {
					if s.Spec != spec {
						continue
					}
					for _, r := range rs {
						if s.Selects(r) {
							says[r] = true
						}
					}
				}
			}
			off := func(s Selector) {
				if s.Spec != spec {
					return
				}
				for _, r := range rs {
					if s.Matches(r) {
						says[r] = false
					}
				}
			}
			for _, s := range l.Ignore {
				off(s)
			}
			for _, e := range l.Severity {
				if e.Level == rules.SeverityNone {
					off(e.Selector)
				}
			}
		}
		if l.HasSelect {
			for _, r := range rs {
				on[r] = says[r]
			}
		} else {
			for r, v := range says {
				on[r] = v
			}
		}
		for spec := SpecAll; spec <= SpecRule; spec++ {
			for _, e := range l.Severity {
				if e.Selector.Spec != spec || e.Level == rules.SeverityNone {
					continue
				}
				for _, r := range rs {
					if e.Selector.Matches(r) {
						sev[r] = e.Level
					}
				}
			}
		}
	}
	s := &lint.Settings{Severity: make(map[string]rules.Severity, len(rs)), Tools: tools}
	for _, r := range rs {
		if on[r] {
			s.Severity[r.Code] = sev[r]
		}
	}
	return s
}
