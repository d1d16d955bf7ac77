package rules

import (
	"fmt"
	"go/token"
	"regexp"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// CacheToWithoutCacheFrom flags a cache export that no build of the
// repository imports, and (as info) an import that no build exports.
var CacheToWithoutCacheFrom = &analysis.Analyzer{
	Name: "cache_to_without_cache_from",
	Doc: `a build exports a cache that no build imports

Why it matters for the cache: BuildKit only reads a cache that a build
names in cache-from (--cache-from); cache-to alone writes the cache and
nothing ever reads it back. Every run then pays for exporting the layers
(with mode=max, those of every stage) and for storing them, and still
builds from scratch.

Example:

    - uses: docker/build-push-action@v6
      with:
        push: true
        tags: ghcr.io/org/app:latest
        cache-to: type=gha,mode=max

Fix: import the same place the build exports to:

    - uses: docker/build-push-action@v6
      with:
        push: true
        tags: ghcr.io/org/app:latest
        cache-from: type=gha
        cache-to: type=gha,mode=max

Every build of the repository counts as a reader: workflows, bake files
(after inherits and --set), GitLab CI, scripts and Makefiles, so a main
branch workflow that only exports and a pull request workflow that only
imports the same place are fine. Places are compared as BuildKit finds
them: the registry ref, the gha scope (buildkit when none is given), the
local directory (dest= against src=), the S3 or Azure blob name. A part
known only at run time (${{ }}, $VAR) may stand for anything, so a reader
with one matches any export of the same type whose fixed text agrees; a
cache-from whose type is unknown matches every export. A local export is
also read by a local import of the same job at another directory: the
usual rotation (export to a new directory, then move it over the old
one).

The other way round, a cache-from that no build of the repository may
write is reported as info: the import finds nothing unless something
outside the repository exports there (another repository's CI, a
developer's push), which cachelint cannot see. An import of an image that
a build of the repository tags is left to CL111 (cache-from-plain-image),
and one that such a build fills with inline cache is what inline cache is
for.

Not reported: inline cache (it travels with the image, see CL111 and
CL102), an export or import whose place is unknown, an import when some
export of the repository has an unknown type. A registry cache imported
only outside the repository (another repository's CI, developers'
machines) is reported: suppress the finding there.

Sources:
- https://docs.docker.com/build/cache/backends/#command-syntax
- https://docs.docker.com/build/ci/github-actions/cache/
- https://www.augmentedmind.de/2023/11/19/advanced-buildkit-caching/`,
	URL:      docURL("cache-to-without-cache-from"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runCacheToWithoutCacheFrom,
}

// cacheRead is one cache import of the repository.
type cacheRead struct {
	b *buildconfig.Build
	c *buildconfig.CacheSpec
}

func runCacheToWithoutCacheFrom(pass *analysis.Pass) (any, error) {
	repo, _ := pass.ResultOf[buildconfig.Analyzer].(*buildconfig.Repo)
	if repo == nil {
		return nil, nil
	}
	var reads []cacheRead
	for _, b := range repo.Builds {
		for _, c := range b.CacheFrom {
			reads = append(reads, cacheRead{b, c})
		}
	}
	done := map[token.Pos]bool{}
	for _, b := range repo.Builds {
		for _, c := range b.CacheTo {
			loc, ok := location(c, true)
			if !ok || !c.Pos.IsValid() || done[c.Pos] {
				continue
			}
			if cacheIsRead(b, c, loc, reads) {
				continue
			}
			done[c.Pos] = true
			place := fmt.Sprintf("%s %s `%s`", c.Type, locationKey(c.Type, true), loc.Text)
			if c.Type == "gha" {
				if _, set := c.Get("scope"); !set {
					place = "gha scope `buildkit` (the default)"
				}
			}
			what := ""
			if note := dockerfileNote(b); note != "" {
				what = " (" + note + ")"
			}
			msg := fmt.Sprintf("cache exported to %s%s is imported by no build in the repository: every run uploads it and none reads it back, so nothing is reused", place, what)
			read := readEntry(c, loc)
			fix := analysis.SuggestedFix{Message: "import the cache where it is exported: add a cache-from entry for the same place"}
			if read != "" {
				fix.Message = "import the cache where it is exported: cache-from: " + read
				fix.TextEdits = insertCacheFrom(b, c, read)
			}
			pass.Report(analysis.Diagnostic{Pos: c.Pos, End: c.End, Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
		}
	}
	reportUnwrittenImports(pass, repo, reads, done)
	return nil, nil
}

// reportUnwrittenImports reports, as info, each cache import that no
// export of the repository may write.
func reportUnwrittenImports(pass *analysis.Pass, repo *buildconfig.Repo, reads []cacheRead, done map[token.Pos]bool) {
	var writes []cacheRead
	for _, b := range repo.Builds {
		for _, c := range b.CacheTo {
			if c.Type == "" {
				return // an export of unknown type may write anything
			}
			writes = append(writes, cacheRead{b, c})
		}
	}
	for _, r := range reads {
		loc, ok := location(r.c, false)
		if !ok || r.c.Type == "inline" || !r.c.Pos.IsValid() || done[r.c.Pos] {
			continue
		}
		if r.c.Type == "registry" {
			if writers, _ := imageWriters(repo, r.b, loc); len(writers) > 0 {
				continue // an image the repository builds: CL111's, or inline cache
			}
		}
		if cacheIsWritten(r, loc, writes) {
			continue
		}
		done[r.c.Pos] = true
		place := fmt.Sprintf("%s %s `%s`", r.c.Type, locationKey(r.c.Type, false), loc.Text)
		if r.c.Type == "gha" {
			if _, set := r.c.Get("scope"); !set {
				place = "gha scope `buildkit` (the default)"
			}
		}
		pass.Report(analysis.Diagnostic{
			Pos: r.c.Pos, End: r.c.End, Category: LowerToInfo,
			Message:        fmt.Sprintf("cache imported from %s is exported by no build in the repository: the import finds nothing unless something outside the repository writes it", place),
			SuggestedFixes: []analysis.SuggestedFix{{Message: "export the cache there from the build that should fill it (cache-to with the same place and mode=max), or remove this cache-from"}},
		})
	}
}

// cacheIsWritten reports whether some export of the repository may write
// the place an import reads.
func cacheIsWritten(r cacheRead, loc buildconfig.Value, writes []cacheRead) bool {
	want := expandConstEnv(loc.Text, r.b.Env)
	for _, w := range writes {
		if w.c.Type != r.c.Type {
			continue
		}
		if r.c.Type == "local" && (w.b == r.b || r.b.Job != nil && w.b.Job == r.b.Job) {
			return true // the same job's local cache, maybe rotated
		}
		to, ok := location(w.c, true)
		if !ok {
			return true // an export of that type whose place is not said
		}
		if placesMayEqual(r.c.Type, expandConstEnv(to.Text, w.b.Env), want) {
			return true
		}
	}
	return false
}

// cacheIsRead reports whether some import of the repository may read
// the place an export writes.
func cacheIsRead(b *buildconfig.Build, to *buildconfig.CacheSpec, loc buildconfig.Value, reads []cacheRead) bool {
	want := expandConstEnv(loc.Text, b.Env)
	for _, r := range reads {
		if r.c.Type == "" {
			return true // an import of unknown type may read anything
		}
		if r.c.Type != to.Type {
			continue
		}
		if to.Type == "local" && (r.b == b || b.Job != nil && r.b.Job == b.Job) {
			return true // the same job's local cache, maybe rotated
		}
		from, ok := location(r.c, false)
		if !ok {
			return true // an import of that type whose place is not said
		}
		got := expandConstEnv(from.Text, r.b.Env)
		if placesMayEqual(to.Type, want, got) {
			return true
		}
	}
	return false
}

// placesMayEqual compares an exported place with an imported one.
func placesMayEqual(typ, to, from string) bool {
	switch typ {
	case "registry":
		return mayEqual(normalRef(to), normalRef(from))
	case "local":
		return mayEqual(strings.TrimSuffix(to, "/"), strings.TrimSuffix(from, "/"))
	case "s3", "azblob":
		// An import may list several names separated by ;.
		for _, n := range strings.Split(from, ";") {
			if mayEqual(to, n) {
				return true
			}
		}
		for _, n := range strings.Split(to, ";") {
			if mayEqual(n, from) {
				return true
			}
		}
		return false
	}
	return mayEqual(to, from)
}

// readEntry is the cache-from entry that reads what an export writes; ""
// when it is not mechanical (s3, azblob: their credentials and region).
func readEntry(c *buildconfig.CacheSpec, loc buildconfig.Value) string {
	switch c.Type {
	case "gha":
		if _, set := c.Get("scope"); set {
			return "type=gha,scope=" + loc.Text
		}
		return "type=gha"
	case "registry":
		return "type=registry,ref=" + loc.Text
	case "local":
		return "type=local,src=" + loc.Text
	}
	return ""
}

// cacheToLine matches what precedes a one-line cache-to value on its
// line.
var cacheToLine = regexp.MustCompile(`^cache-to:\s*["']?$`)

// insertCacheFrom writes cache-from: <entry> on the line above a
// build-push-action step's one-line cache-to, when the step has no
// cache-from input; no edit otherwise.
func insertCacheFrom(b *buildconfig.Build, c *buildconfig.CacheSpec, entry string) []analysis.TextEdit {
	if b.Kind != buildconfig.BuildPushAction || b.Step == nil || len(b.CacheTo) != 1 || !c.Verbatim() {
		return nil
	}
	if _, ok := b.Step.With["cache-from"]; ok {
		return nil
	}
	indent, before, start := lineIndent(b.File, c.Pos)
	if !cacheToLine.MatchString(before) {
		return nil
	}
	pos := b.File.Pos(start)
	return []analysis.TextEdit{{Pos: pos, End: pos, NewText: []byte(indent + "cache-from: " + entry + "\n")}}
}
