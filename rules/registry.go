package rules

import (
	"strings"
	"sync"
)

var all = []*Rule{}

var byKey = sync.OnceValue(func() map[string]*Rule {
	m := make(map[string]*Rule, 2*len(all))
	for _, r := range all {
		m[strings.ToLower(r.Code)] = r
		m[strings.ToLower(r.Name())] = r
	}
	return m
})

// All returns every rule, ordered by code.
func All() []*Rule { return all }

// Lookup finds a rule by code or name, case-insensitively.
func Lookup(codeOrName string) (*Rule, bool) {
	r, ok := byKey()[strings.ToLower(codeOrName)]
	return r, ok
}
