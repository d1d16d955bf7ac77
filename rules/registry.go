package rules

import (
	"strings"
	"sync"
)

// all is the registry: every rule with its code, default severity and
// tags, ordered by code.
var all = []*Rule{
	{Analyzer: CopyBeforeInstall, Code: "CL001", Severity: SeverityWarning, Tags: []string{"cache", "performance"}},
	{Analyzer: LockfileNotCopied, Code: "CL002", Severity: SeverityWarning, Tags: []string{"cache", "reproducibility"}},
	{Analyzer: MissingCacheMount, Code: "CL003", Severity: SeverityInfo, Tags: []string{"cache", "performance"}},
	{Analyzer: CacheMountWrongTarget, Code: "CL004", Severity: SeverityWarning, Tags: []string{"cache", "performance"}},
	{Analyzer: CacheMountNotReused, Code: "CL005", Severity: SeverityWarning, Tags: []string{"cache", "performance", "correctness"}},
	{Analyzer: CacheMountIDMismatch, Code: "CL006", Severity: SeverityInfo, Tags: []string{"cache", "performance", "correctness"}},
	{Analyzer: AptCacheMountDefeated, Code: "CL007", Severity: SeverityWarning, Tags: []string{"cache", "performance", "correctness"}},
	{Analyzer: CleanupDefeatsCacheMount, Code: "CL008", Severity: SeverityWarning, Tags: []string{"cache", "performance"}},
	{Analyzer: AptUpdateAlone, Code: "CL009", Severity: SeverityWarning, Tags: []string{"cache", "correctness", "reproducibility"}},
	{Analyzer: PackageUpgrade, Code: "CL010", Severity: SeverityInfo, Tags: []string{"cache", "reproducibility"}},
	{Analyzer: VolatileArgEarly, Code: "CL011", Severity: SeverityWarning, Tags: []string{"cache", "performance"}},
	{Analyzer: RemoteAddWithoutChecksum, Code: "CL012", Severity: SeverityWarning, Tags: []string{"cache", "reproducibility", "security"}},
	{Analyzer: BaseImageUnpinned, Code: "CL013", Severity: SeverityInfo, Tags: []string{"cache", "reproducibility"}},
	{Analyzer: SecretInArgEnv, Code: "CL014", Severity: SeverityError, Tags: []string{"security", "cache"}},
	{Analyzer: SecretFileCopied, Code: "CL015", Severity: SeverityError, Tags: []string{"security", "cache"}},
	{Analyzer: WeakDockerignore, Code: "CL016", Severity: SeverityWarning, Tags: []string{"cache", "performance"}},
	{Analyzer: MissingSyntaxDirective, Code: "CL017", Severity: SeverityInfo, Tags: []string{"reproducibility", "correctness"}},
	{Analyzer: CopyLinkOpportunity, Code: "CL018", Severity: SeverityInfo, Tags: []string{"cache", "performance"}},
	{Analyzer: SystemPackagesAfterCopy, Code: "CL019", Severity: SeverityWarning, Tags: []string{"cache", "performance"}},
	{Analyzer: NonFrozenInstall, Code: "CL020", Severity: SeverityInfo, Tags: []string{"reproducibility", "cache"}},
	{Analyzer: CacheMountPermission, Code: "CL021", Severity: SeverityWarning, Tags: []string{"cache", "correctness"}},
	{Analyzer: CacheMountHidesOutput, Code: "CL022", Severity: SeverityError, Tags: []string{"cache", "correctness"}},
	{Analyzer: StaleRemoteFetch, Code: "CL023", Severity: SeverityInfo, Tags: []string{"cache", "reproducibility"}},
	{Analyzer: OSPackageCacheNotRetained, Code: "CL024", Severity: SeverityInfo, Tags: []string{"cache", "performance"}},
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
