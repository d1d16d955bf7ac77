package rules

import (
	"strings"
	"sync"
)

// all is the registry: every rule with its code, default severity, tags
// and precision, ordered by code. Precision (see the type) is set from how
// the rule decides and from the corpus reviews: very-high for syntax facts
// (CL010, CL012, CL013) and BuildKit's own parser (CL900); medium where a
// name or a word decides (CL011 volatile ARG names, CL015 credential file
// names, CL023 moving URL words), where the finding may be intended
// (CL006 two ids for one cache, CL018 --link, which changes what a COPY
// sees) or depends on what the context holds (CL016); high for the rest.
var all = []*Rule{
	{Analyzer: CopyBeforeInstall, Code: "CL001", Severity: SeverityWarning, Tags: []string{"cache", "performance"}, Precision: PrecisionHigh},
	{Analyzer: LockfileNotCopied, Code: "CL002", Severity: SeverityWarning, Tags: []string{"cache", "reproducibility"}, Precision: PrecisionHigh},
	{Analyzer: MissingCacheMount, Code: "CL003", Severity: SeverityInfo, Tags: []string{"cache", "performance"}, Precision: PrecisionHigh},
	{Analyzer: CacheMountWrongTarget, Code: "CL004", Severity: SeverityWarning, Tags: []string{"cache", "performance"}, Precision: PrecisionHigh},
	{Analyzer: CacheMountNotReused, Code: "CL005", Severity: SeverityWarning, Tags: []string{"cache", "performance", "correctness"}, Precision: PrecisionHigh},
	{Analyzer: CacheMountIDMismatch, Code: "CL006", Severity: SeverityInfo, Tags: []string{"cache", "performance", "correctness"}, Precision: PrecisionMedium},
	{Analyzer: AptCacheMountDefeated, Code: "CL007", Severity: SeverityWarning, Tags: []string{"cache", "performance", "correctness"}, Precision: PrecisionHigh},
	{Analyzer: CleanupDefeatsCacheMount, Code: "CL008", Severity: SeverityWarning, Tags: []string{"cache", "performance"}, Precision: PrecisionHigh},
	{Analyzer: AptUpdateAlone, Code: "CL009", Severity: SeverityWarning, Tags: []string{"cache", "correctness", "reproducibility"}, Precision: PrecisionHigh},
	{Analyzer: PackageUpgrade, Code: "CL010", Severity: SeverityInfo, Tags: []string{"cache", "reproducibility"}, Precision: PrecisionVeryHigh},
	{Analyzer: VolatileArgEarly, Code: "CL011", Severity: SeverityWarning, Tags: []string{"cache", "performance"}, Precision: PrecisionMedium},
	{Analyzer: RemoteAddWithoutChecksum, Code: "CL012", Severity: SeverityWarning, Tags: []string{"cache", "reproducibility", "security"}, Precision: PrecisionVeryHigh},
	{Analyzer: BaseImageUnpinned, Code: "CL013", Severity: SeverityInfo, Tags: []string{"cache", "reproducibility"}, Precision: PrecisionVeryHigh},
	{Analyzer: SecretInArgEnv, Code: "CL014", Severity: SeverityError, Tags: []string{"security", "cache"}, Precision: PrecisionHigh},
	{Analyzer: SecretFileCopied, Code: "CL015", Severity: SeverityError, Tags: []string{"security", "cache"}, Precision: PrecisionMedium},
	{Analyzer: WeakDockerignore, Code: "CL016", Severity: SeverityWarning, Tags: []string{"cache", "performance"}, Precision: PrecisionMedium},
	{Analyzer: MissingSyntaxDirective, Code: "CL017", Severity: SeverityInfo, Tags: []string{"reproducibility", "correctness"}, Precision: PrecisionHigh},
	{Analyzer: CopyLinkOpportunity, Code: "CL018", Severity: SeverityInfo, Tags: []string{"cache", "performance"}, Precision: PrecisionMedium},
	{Analyzer: SystemPackagesAfterCopy, Code: "CL019", Severity: SeverityWarning, Tags: []string{"cache", "performance"}, Precision: PrecisionHigh},
	{Analyzer: NonFrozenInstall, Code: "CL020", Severity: SeverityInfo, Tags: []string{"reproducibility", "cache"}, Precision: PrecisionHigh},
	{Analyzer: CacheMountPermission, Code: "CL021", Severity: SeverityWarning, Tags: []string{"cache", "correctness"}, Precision: PrecisionHigh},
	{Analyzer: CacheMountHidesOutput, Code: "CL022", Severity: SeverityError, Tags: []string{"cache", "correctness"}, Precision: PrecisionHigh},
	{Analyzer: StaleRemoteFetch, Code: "CL023", Severity: SeverityInfo, Tags: []string{"cache", "reproducibility"}, Precision: PrecisionMedium},
	{Analyzer: OSPackageCacheNotRetained, Code: "CL024", Severity: SeverityInfo, Tags: []string{"cache", "performance"}, Precision: PrecisionHigh},
	{Analyzer: PackageCacheLeftInLayer, Code: "CL025", Severity: SeverityInfo, Tags: []string{"cache", "performance"}, Precision: PrecisionHigh},
	{Analyzer: CacheToWithoutModeMax, Code: "CL101", Severity: SeverityWarning, Tags: []string{"cache", "performance", "ci"}, Precision: PrecisionHigh},
	{Analyzer: InlineCacheMultiStage, Code: "CL102", Severity: SeverityWarning, Tags: []string{"cache", "performance", "ci"}, Precision: PrecisionHigh},
	{Analyzer: CacheToWithoutCacheFrom, Code: "CL103", Severity: SeverityWarning, Tags: []string{"cache", "performance", "ci"}, Precision: PrecisionHigh},
	{Analyzer: CacheRefIsImageRef, Code: "CL104", Severity: SeverityError, Tags: []string{"cache", "correctness", "ci"}, Precision: PrecisionHigh},
	{Analyzer: SharedCacheLocation, Code: "CL105", Severity: SeverityWarning, Tags: []string{"cache", "performance", "correctness", "ci"}, Precision: PrecisionHigh},
	{Analyzer: BranchCacheWithoutFallback, Code: "CL106", Severity: SeverityWarning, Tags: []string{"cache", "performance", "ci"}, Precision: PrecisionHigh},
	{Analyzer: CacheExportNeedsContainerDriver, Code: "CL107", Severity: SeverityWarning, Tags: []string{"cache", "correctness", "ci"}, Precision: PrecisionHigh},
	{Analyzer: LocalCacheGrowsUnbounded, Code: "CL108", Severity: SeverityWarning, Tags: []string{"cache", "performance", "ci"}, Precision: PrecisionHigh},
	{Analyzer: RegistryCacheManifestCompat, Code: "CL109", Severity: SeverityInfo, Tags: []string{"cache", "correctness", "ci"}, Precision: PrecisionHigh},
	{Analyzer: NoCacheInCI, Code: "CL110", Severity: SeverityWarning, Tags: []string{"cache", "performance", "ci"}, Precision: PrecisionHigh},
	{Analyzer: CacheFromPlainImage, Code: "CL111", Severity: SeverityWarning, Tags: []string{"cache", "performance", "ci"}, Precision: PrecisionHigh},
	{Analyzer: CacheMountsNotPersisted, Code: "CL112", Severity: SeverityInfo, Tags: []string{"cache", "performance", "ci"}, Precision: PrecisionHigh},
	{Analyzer: GHAScopeIncludesBranch, Code: "CL113", Severity: SeverityInfo, Tags: []string{"cache", "performance", "ci"}, Precision: PrecisionHigh},
	{Analyzer: GHACacheWithoutRuntimeToken, Code: "CL114", Severity: SeverityWarning, Tags: []string{"cache", "performance", "ci"}, Precision: PrecisionHigh},
	{Analyzer: VolatileBuildArgInCI, Code: "CL115", Severity: SeverityWarning, Tags: []string{"cache", "performance", "ci"}, Precision: PrecisionHigh},
	{Analyzer: SecretPassedAsBuildArg, Code: "CL116", Severity: SeverityError, Tags: []string{"security", "cache", "ci"}, Precision: PrecisionHigh},
	{Analyzer: LegacyBuilderWithBuildKitFeatures, Code: "CL117", Severity: SeverityError, Tags: []string{"correctness", "cache", "ci"}, Precision: PrecisionHigh},
	{Analyzer: ParseError, Code: "CL900", Severity: SeverityError, Tags: []string{"correctness", "buildkit"}, Precision: PrecisionVeryHigh},
	{Analyzer: ConfigParseError, Code: "CL901", Severity: SeverityError, Tags: []string{"correctness"}, Precision: PrecisionVeryHigh},
	{Analyzer: UnusedSuppression, Code: "CL902", Severity: SeverityInfo, Tags: []string{"correctness"}, Precision: PrecisionVeryHigh, Off: true},

	// BuildKit's own checks (what docker build --check reports), by name;
	// see buildkit_checks.go. SecretsUsedInArgOrEnv is off: CL014 supersedes it.
	{Analyzer: ConsistentInstructionCasing, Code: "ConsistentInstructionCasing", Severity: SeverityWarning, Tags: []string{"buildkit", "style"}, Precision: PrecisionVeryHigh},
	{Analyzer: CopyIgnoredFile, Code: "CopyIgnoredFile", Severity: SeverityWarning, Tags: []string{"buildkit", "correctness"}, Precision: PrecisionHigh},
	{Analyzer: DuplicateStageName, Code: "DuplicateStageName", Severity: SeverityWarning, Tags: []string{"buildkit", "correctness"}, Precision: PrecisionVeryHigh},
	{Analyzer: ExposeInvalidFormat, Code: "ExposeInvalidFormat", Severity: SeverityWarning, Tags: []string{"buildkit", "correctness"}, Precision: PrecisionVeryHigh},
	{Analyzer: ExposeProtoCasing, Code: "ExposeProtoCasing", Severity: SeverityWarning, Tags: []string{"buildkit", "style"}, Precision: PrecisionVeryHigh},
	{Analyzer: FromAsCasing, Code: "FromAsCasing", Severity: SeverityWarning, Tags: []string{"buildkit", "style"}, Precision: PrecisionVeryHigh},
	{Analyzer: FromPlatformFlagConstDisallowed, Code: "FromPlatformFlagConstDisallowed", Severity: SeverityWarning, Tags: []string{"buildkit", "correctness"}, Precision: PrecisionHigh},
	{Analyzer: InvalidBaseImagePlatform, Code: "InvalidBaseImagePlatform", Severity: SeverityWarning, Tags: []string{"buildkit", "correctness"}, Precision: PrecisionHigh},
	{Analyzer: InvalidDefaultArgInFrom, Code: "InvalidDefaultArgInFrom", Severity: SeverityWarning, Tags: []string{"buildkit", "correctness"}, Precision: PrecisionVeryHigh},
	{Analyzer: InvalidDefinitionDescription, Code: "InvalidDefinitionDescription", Severity: SeverityWarning, Tags: []string{"buildkit", "style"}, Precision: PrecisionHigh},
	{Analyzer: JSONArgsRecommended, Code: "JSONArgsRecommended", Severity: SeverityWarning, Tags: []string{"buildkit", "correctness"}, Precision: PrecisionVeryHigh},
	{Analyzer: LegacyKeyValueFormat, Code: "LegacyKeyValueFormat", Severity: SeverityWarning, Tags: []string{"buildkit", "style"}, Precision: PrecisionVeryHigh},
	{Analyzer: MaintainerDeprecated, Code: "MaintainerDeprecated", Severity: SeverityWarning, Tags: []string{"buildkit", "style"}, Precision: PrecisionVeryHigh},
	{Analyzer: MultipleInstructionsDisallowed, Code: "MultipleInstructionsDisallowed", Severity: SeverityWarning, Tags: []string{"buildkit", "correctness"}, Precision: PrecisionVeryHigh},
	{Analyzer: NoEmptyContinuation, Code: "NoEmptyContinuation", Severity: SeverityWarning, Tags: []string{"buildkit", "style"}, Precision: PrecisionVeryHigh},
	{Analyzer: RedundantTargetPlatform, Code: "RedundantTargetPlatform", Severity: SeverityWarning, Tags: []string{"buildkit", "style"}, Precision: PrecisionVeryHigh},
	{Analyzer: ReservedStageName, Code: "ReservedStageName", Severity: SeverityWarning, Tags: []string{"buildkit", "correctness"}, Precision: PrecisionVeryHigh},
	{Analyzer: SecretsUsedInArgOrEnv, Code: "SecretsUsedInArgOrEnv", Severity: SeverityWarning, Tags: []string{"buildkit", "security"}, Precision: PrecisionMedium, Off: true},
	{Analyzer: StageNameCasing, Code: "StageNameCasing", Severity: SeverityWarning, Tags: []string{"buildkit", "style"}, Precision: PrecisionVeryHigh},
	{Analyzer: UndefinedArgInFrom, Code: "UndefinedArgInFrom", Severity: SeverityWarning, Tags: []string{"buildkit", "correctness"}, Precision: PrecisionVeryHigh},
	{Analyzer: UndefinedVar, Code: "UndefinedVar", Severity: SeverityWarning, Tags: []string{"buildkit", "correctness"}, Precision: PrecisionMedium},
	{Analyzer: WorkdirRelativePath, Code: "WorkdirRelativePath", Severity: SeverityWarning, Tags: []string{"buildkit", "correctness"}, Precision: PrecisionHigh},
}

// securitySeverity holds the GitHub code scanning security severity of the
// rules whose findings are security problems: a score from 0.1 to 10.0,
// written as a string as SARIF's properties.security-severity wants it
// (7.0 to 8.9 shows as "high"). A credential left in an image or its build
// metadata can be read by anyone who can pull the image or its cache: it
// scores 7.5, in the middle of the "high" band.
var securitySeverity = map[string]string{
	"CL014": "7.5", // secret-in-arg-env
	"CL015": "7.5", // secret-file-copied
	"CL116": "7.5", // secret-passed-as-build-arg
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
