package rules

import (
	"strings"
	"sync"
)

// all is the registry: every rule with its code, default severity and
// tags, ordered by code.
var all = []*Rule{
	{Analyzer: CopyBeforeInstall, Code: "CL001", Severity: SeverityWarning, Tags: []string{"cache", "performance"}},
	{Analyzer: MissingCacheMount, Code: "CL003", Severity: SeverityInfo, Tags: []string{"cache", "performance"}},
	{Analyzer: CacheMountNotReused, Code: "CL005", Severity: SeverityWarning, Tags: []string{"cache", "performance", "correctness"}},
	{Analyzer: CacheMountIDMismatch, Code: "CL006", Severity: SeverityInfo, Tags: []string{"cache", "performance", "correctness"}},
	{Analyzer: CleanupDefeatsCacheMount, Code: "CL008", Severity: SeverityWarning, Tags: []string{"cache", "performance"}},
	{Analyzer: SecretInArgEnv, Code: "CL014", Severity: SeverityError, Tags: []string{"security", "cache"}},
	{Analyzer: PackageCacheLeftInLayer, Code: "CL025", Severity: SeverityInfo, Tags: []string{"cache", "performance"}},
	{Analyzer: ParseError, Code: "CL900", Severity: SeverityError, Tags: []string{"correctness", "buildkit"}},
}

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
