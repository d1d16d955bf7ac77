package rules

import (
	"fmt"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// BranchCacheWithoutFallback flags a per-branch cache location that is
// imported without the default branch's cache beside it.
var BranchCacheWithoutFallback = &analysis.Analyzer{
	Name: "branch_cache_without_fallback",
	Doc: `a per-branch cache is imported without falling back to the default branch

Why it matters for the cache: a registry, S3, Azure or local cache is kept
in one place, and the last build to export there replaces what was there.
Putting the branch name into that place (ref=org/app:cache-$BRANCH) keeps
branches from overwriting each other's cache, but the first build of every
new branch, and every merge or pull request, then imports a place nothing
has written yet and rebuilds every step. BuildKit accepts several
cache-from entries and uses any that matches: importing the default
branch's cache as well gives a new branch a warm start.

Example:

    - uses: docker/build-push-action@v6
      with:
        cache-from: type=registry,ref=ghcr.io/org/app:cache-${{ github.ref_name }}
        cache-to: type=registry,ref=ghcr.io/org/app:cache-${{ github.ref_name }},mode=max

Fix: add a cache-from entry for the default branch's cache:

    - uses: docker/build-push-action@v6
      with:
        cache-from: |
          type=registry,ref=ghcr.io/org/app:cache-${{ github.ref_name }}
          type=registry,ref=ghcr.io/org/app:cache-${{ github.event.repository.default_branch }}
        cache-to: type=registry,ref=ghcr.io/org/app:cache-${{ github.ref_name }},mode=max

In GitLab CI the default branch is $CI_DEFAULT_BRANCH.

The branch is found as GitHub's contexts (github.ref_name, github.ref,
github.head_ref ...), GitLab's variables ($CI_COMMIT_REF_SLUG,
$CI_COMMIT_REF_NAME, $CI_COMMIT_BRANCH), other CI systems' branch
variables, variables named like a branch ($BRANCH, $GIT_BRANCH), env
variables set from them and $(git rev-parse --abbrev-ref HEAD). A branch
that an expression only compares is not in the place. A cache-from entry
counts as a fallback when its place does not depend on the branch being
built: the default branch, the pull request's target branch, a fixed ref,
or one whose value is unknown.

Not reported: gha caches (GitHub falls back to the default branch by
itself; see CL113); a job that runs on fixed branches only (push:
branches: [main, develop], a schedule, a job if: that pins the branch),
whose place never changes; a reusable workflow (on: workflow_call),
whose callers' refs are not known; a build that imports no cache at all
(CL103 is about that).

Sources:
- https://docs.docker.com/build/cache/backends/#multiple-caches
- https://docs.docker.com/build/cache/backends/registry/
- https://docs.gitlab.com/ci/variables/predefined_variables/
- https://www.augmentedmind.de/2023/11/19/advanced-buildkit-caching/`,
	URL:      docURL("branch-cache-without-fallback"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runBranchCacheWithoutFallback,
}

func runBranchCacheWithoutFallback(pass *analysis.Pass) (any, error) {
	repo, _ := pass.ResultOf[buildconfig.Analyzer].(*buildconfig.Repo)
	if repo == nil {
		return nil, nil
	}
	done := map[token.Pos]bool{}
	for _, b := range repo.Builds {
		if len(b.CacheFrom) == 0 || !branchVaries(b) || hasBranchFallback(b) {
			continue
		}
		for _, c := range b.CacheTo {
			if c.Type == "gha" || c.Type == "inline" {
				continue
			}
			loc, ok := location(c, true)
			if !ok {
				continue
			}
			r, ok := branchRef(loc.Text, b.Env)
			if !ok {
				continue
			}
			loc = attrValue(repo, loc)
			pos, end := loc.Pos, loc.End
			if !loc.Verbatim() {
				pos, end = c.Pos, c.End
			}
			if !pos.IsValid() || done[pos] {
				continue
			}
			done[pos] = true
			what := "this build"
			if note := dockerfileNote(b); note != "" {
				what = "this build of " + note
			}
			msg := fmt.Sprintf("cache-to %s `%s` is per branch (%s) and no cache-from of %s falls back to the default branch's cache: the first build of each new branch and pull request starts cold",
				locationKey(c.Type, true), loc.Text, r.Name, what)
			fallback := fallbackEntry(b, c, loc, r)
			fix := analysis.SuggestedFix{Message: fmt.Sprintf("add a cache-from entry for the default branch's cache: %s", fallback)}
			fix.TextEdits = appendCacheFrom(b, fallback)
			pass.Report(analysis.Diagnostic{Pos: pos, End: end, Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
		}
	}
	return nil, nil
}

// fallbackEntry is the cache-from entry that reads the default branch's
// cache: the build's entry that reads the per-branch place (else one made
// from the export), with the branch replaced by the default branch.
func fallbackEntry(b *buildconfig.Build, to *buildconfig.CacheSpec, loc buildconfig.Value, r ciRef) string {
	def := defaultBranchText(b, r)
	for _, c := range b.CacheFrom {
		if c.Type != to.Type {
			continue
		}
		if from, ok := location(c, false); ok && from.Text == loc.Text {
			if fr, ok := branchRef(c.Text, b.Env); ok {
				return c.Text[:fr.Start] + def + c.Text[fr.End:]
			}
		}
	}
	text := loc.Text[:r.Start] + def + loc.Text[r.End:]
	switch to.Type {
	case "registry":
		return "type=registry,ref=" + text
	case "local":
		return "type=local,src=" + text
	}
	var parts []string
	for _, a := range to.Attrs {
		switch a.Key {
		case "mode", "ignore-error", "compression", "compression-level", "force-compression", "oci-mediatypes", "image-manifest":
			continue
		case "name":
			parts = append(parts, "name="+text)
		default:
			parts = append(parts, a.Key+"="+a.Value.Text)
		}
	}
	return strings.Join(parts, ",")
}

// appendCacheFrom adds an entry after the last cache-from entry of a
// build-push-action step whose cache-from is a block of lines (|), on a
// line of its own with the same indentation; no edit otherwise.
func appendCacheFrom(b *buildconfig.Build, entry string) []analysis.TextEdit {
	if b.Kind != buildconfig.BuildPushAction || b.Step == nil || len(b.CacheFrom) == 0 {
		return nil
	}
	in, ok := b.Step.With["cache-from"]
	if !ok || !strings.Contains(in.Text, "\n") {
		return nil
	}
	last := b.CacheFrom[len(b.CacheFrom)-1]
	if !last.Verbatim() {
		return nil
	}
	indent, before, _ := lineIndent(b.File, last.Pos)
	if before != "" {
		return nil
	}
	return []analysis.TextEdit{{Pos: last.End, End: last.End, NewText: []byte("\n" + indent + entry)}}
}
