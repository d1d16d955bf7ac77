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
// repository imports.
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

Not reported: inline cache (it travels with the image, see CL111 and
CL102), an export whose place is unknown. A registry cache imported only
outside the repository (another repository's CI, developers' machines) is
reported: suppress the finding there.

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
	return nil, nil
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
	if b.Kind != buildconfig.BuildPushAction || b.Step == nil || len(b.CacheTo) != 1 || !verbatim(c.Value) {
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
