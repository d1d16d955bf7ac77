package lint

import (
	"github.com/cachelint/cachelint/rules"
)

// Settings say which rules report on a unit and at what severity: the
// registry's defaults, or what a configuration file and the command line
// make of them for the unit's path.
type Settings struct {
	// Severity is each rule's severity by code. A rule whose code is
	// absent, or whose severity is SeverityNone, is off: it does not run
	// (unless another rule needs its result) and reports nothing.
	Severity map[string]rules.Severity
	// Tools are the tools the configuration describes beside the tool
	// table (rules.ConfiguredTools hands them to the rules).
	Tools []rules.ExtraTool
}

// DefaultSettings turns on every rule of rs at its default severity, but
// for the rules that are off by default.
func DefaultSettings(rs []*rules.Rule) *Settings {
	s := &Settings{Severity: make(map[string]rules.Severity, len(rs))}
	for _, r := range rs {
		if !r.Off {
			s.Severity[r.Code] = r.Severity
		}
	}
	return s
}

// On reports whether the rule with the given code reports.
func (s *Settings) On(code string) bool {
	return s.Severity[code] != rules.SeverityNone
}
