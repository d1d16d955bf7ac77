package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/cachelint/cachelint/rules"
)

// Specificity is how narrowly a selector names rules. When selectors of
// one layer (the file, a per-path entry, the command line) disagree about
// a rule, the more specific one decides; at equal specificity ignore wins
// over select.
type Specificity int

// Specificities, from the broadest.
const (
	SpecAll    Specificity = iota // ALL: every rule
	SpecFamily                    // CL: every cachelint rule (not BuildKit's)
	SpecGroup                     // a tag (cache, security, buildkit ...) or a one-digit prefix (CL0)
	SpecPrefix                    // a two-digit prefix (CL00)
	SpecRule                      // one rule, by code or name
)

// families are the first digits of cachelint's codes: CL0xx Dockerfile
// rules, CL1xx build-configuration rules, CL9xx the engine's own. A
// prefix in one of them is a selector even when no rule has it yet.
var families = "019"

// Selector names rules: ALL, a code (CL003), a name
// (missing-cache-mount), a code prefix (CL, CL0, CL00) or a tag (cache,
// security, buildkit ...). Codes, names and tags are case-insensitive.
type Selector struct {
	Text  string // as written
	Spec  Specificity
	match func(r *rules.Rule) bool
}

// String is the selector as written.
func (s Selector) String() string { return s.Text }

// Matches reports whether the selector names r.
func (s Selector) Matches(r *rules.Rule) bool { return s.match(r) }

// Selects reports whether selecting s turns r on: a rule that is off by
// default is turned on only by its own code or name, never by ALL, a
// prefix or a tag.
func (s Selector) Selects(r *rules.Rule) bool {
	if r.Off && s.Spec != SpecRule {
		return false
	}
	return s.match(r)
}

// tags are the tags of every rule, lower case.
var tags = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, r := range rules.All() {
		for _, t := range r.Tags {
			m[strings.ToLower(t)] = true
		}
	}
	return m
})

// Tags returns the tags a selector may name, sorted.
func Tags() []string {
	var out []string
	for t := range tags() {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// ParseSelector reads one selector.
func ParseSelector(text string) (Selector, error) {
	t := strings.TrimSpace(text)
	s := Selector{Text: t}
	switch {
	case t == "":
		return s, fmt.Errorf("empty rule selector")
	case strings.EqualFold(t, "ALL"):
		s.Spec = SpecAll
		s.match = func(*rules.Rule) bool { return true }
		return s, nil
	}
	if r, ok := rules.Lookup(t); ok {
		s.Spec = SpecRule
		s.match = func(x *rules.Rule) bool { return x.Code == r.Code }
		return s, nil
	}
	if tag := strings.ToLower(t); tags()[tag] {
		s.Spec = SpecGroup
		s.match = func(r *rules.Rule) bool {
			return slices.ContainsFunc(r.Tags, func(x string) bool { return strings.EqualFold(x, tag) })
		}
		return s, nil
	}
	up := strings.ToUpper(t)
	if digits, ok := strings.CutPrefix(up, "CL"); ok && allDigits(digits) {
		switch {
		case len(digits) >= 3:
			return s, fmt.Errorf("no rule has the code %s (run 'cachelint rules' for the list)", up)
		case digits != "" && !strings.Contains(families, digits[:1]):
			return s, fmt.Errorf("no rule code starts with %s: cachelint's codes are CL0xx (Dockerfile), CL1xx (build configuration) and CL9xx (the engine)", up)
		}
		s.Spec = SpecFamily + Specificity(len(digits))
		s.match = func(r *rules.Rule) bool {
			d, ok := strings.CutPrefix(r.Code, "CL")
			return ok && allDigits(d) && strings.HasPrefix(r.Code, up)
		}
		return s, nil
	}
	return s, fmt.Errorf("%q is not a rule code, a rule name, a code prefix (CL0, CL1 ...), a tag (%s) or ALL", t, strings.Join(Tags(), ", "))
}

// ParseSelectors reads a comma-separated list of selectors, as the
// command line gives them.
func ParseSelectors(list string) ([]Selector, error) {
	var out []Selector
	for _, item := range strings.Split(list, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		s, err := ParseSelector(item)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// ParseSeverities reads a comma-separated list of SELECTOR=LEVEL pairs, as
// the command line's --severity gives them.
func ParseSeverities(list string) ([]SeverityEntry, error) {
	var out []SeverityEntry
	for _, item := range strings.Split(list, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		sel, level, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("%q: want CODE=LEVEL, e.g. CL003=warning", strings.TrimSpace(item))
		}
		s, err := ParseSelector(sel)
		if err != nil {
			return nil, err
		}
		lv, err := rules.ParseSeverity(strings.TrimSpace(level))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Text, err)
		}
		out = append(out, SeverityEntry{Selector: s, Level: lv})
	}
	return out, nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
