package rules

import (
	"fmt"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// GHAScopeIncludesBranch flags a GitHub Actions cache scope that holds
// the branch name.
var GHAScopeIncludesBranch = &analysis.Analyzer{
	Name: "gha_scope_includes_branch",
	Doc: `a GitHub Actions cache scope includes the branch name

Why it matters for the cache: GitHub keeps the Actions cache of each
branch apart on its own, and a run may read the cache of its own branch,
of the branch a pull request targets and of the default branch. BuildKit's
gha cache finds its entries by scope, so that fallback only works when
every branch writes under the same scope. A scope that holds the branch
name (scope=${{ github.ref_name }}) is a new scope on every new branch and
pull request: their first build finds nothing under it, although the
default branch's cache is right there under another name.

Example:

    - uses: docker/build-push-action@v6
      with:
        cache-from: type=gha,scope=${{ github.ref_name }}-api
        cache-to: type=gha,mode=max,scope=${{ github.ref_name }}-api

Fix: leave the branch out of the scope; GitHub already separates the
branches. Name the scope after the image or target when the repository
builds several:

    - uses: docker/build-push-action@v6
      with:
        cache-from: type=gha,scope=api
        cache-to: type=gha,mode=max,scope=api

The branch is found as GitHub's contexts (github.ref_name, github.ref,
github.head_ref, the pull request's head ref), the runner's variables
($GITHUB_REF_NAME ...), and env variables, step outputs and inputs set
from them or named like a branch. A branch that the expression only
compares (github.ref_name == 'main' && ...) is not in the scope.

Not reported: a job that runs on fixed branches only (push: branches:
[main], schedule, a job if: that pins the branch), where the scope never
changes; a reusable workflow (on: workflow_call), whose callers' refs are
not known; a build that also imports a cache whose scope does not depend on
the branch (the fallback written out by hand); a scope whose value is
unknown. Keeping branches apart on purpose (caches of untrusted pull
requests) is the case for turning this rule off.

Sources:
- https://docs.docker.com/build/cache/backends/gha/#scope
- https://docs.github.com/en/actions/using-workflows/caching-dependencies-to-speed-up-workflows#restrictions-for-accessing-a-cache
- https://github.com/moby/buildkit#github-actions-cache-experimental`,
	URL:      docURL("gha-scope-includes-branch"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runGHAScopeIncludesBranch,
}

func runGHAScopeIncludesBranch(pass *analysis.Pass) (any, error) {
	repo, _ := pass.ResultOf[buildconfig.Analyzer].(*buildconfig.Repo)
	if repo == nil {
		return nil, nil
	}
	done := map[token.Pos]bool{}
	for _, b := range repo.Builds {
		if !branchVaries(b) || hasBranchFallback(b) {
			continue
		}
		for _, c := range b.CacheTo {
			if c.Type != "gha" {
				continue
			}
			scope, ok := c.Get("scope")
			if !ok {
				continue
			}
			r, ok := branchRef(scope.Text, b.Env)
			if !ok {
				continue
			}
			scope = attrValue(repo, scope)
			pos, end := scope.Pos, scope.End
			if !scope.Verbatim() {
				pos, end = c.Pos, c.End
			}
			if !pos.IsValid() || done[pos] {
				continue
			}
			done[pos] = true
			what := "the build"
			if note := dockerfileNote(b); note != "" {
				what = "the build of " + note
			}
			msg := fmt.Sprintf("gha cache scope `%s` holds the branch (%s): %s writes a new scope for every branch, tag and pull request, whose first build then finds nothing, although GitHub would let it read the default branch's cache under a fixed scope",
				scope.Text, r.Name, what)
			fix := analysis.SuggestedFix{Message: "leave the branch out of the scope in cache-to and cache-from (GitHub keeps each branch's cache apart already); name the scope after the image or target"}
			if rest := withoutRef(scope.Text, r); rest != "" {
				fix.Message = fmt.Sprintf("use scope=%s in cache-to and cache-from: GitHub keeps each branch's cache apart already", rest)
				fix.TextEdits = scopeEdits(repo, b, scope, rest)
			}
			pass.Report(analysis.Diagnostic{Pos: pos, End: end, Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
		}
	}
	return nil, nil
}

// hasBranchFallback reports whether a build imports a cache whose place
// does not depend on the branch (or whose place is unknown): then a new
// branch does not start cold.
func hasBranchFallback(b *buildconfig.Build) bool {
	for _, c := range b.CacheFrom {
		if c.Type == "" {
			return true
		}
		if _, ok := branchRef(c.Text, b.Env); !ok {
			return true
		}
	}
	return false
}

// withoutRef is a text with a branch part left out, with one separator
// next to it; "" when nothing but separators is left.
func withoutRef(text string, r ciRef) string {
	before, after := text[:r.Start], text[r.End:]
	switch {
	case after != "" && strings.ContainsRune("-_./:", rune(after[0])):
		after = after[1:]
	case before != "" && strings.ContainsRune("-_./:", rune(before[len(before)-1])):
		before = before[:len(before)-1]
	}
	rest := before + after
	if strings.Trim(rest, "-_./:") == "" {
		return ""
	}
	return rest
}

// scopeEdits replaces a gha scope by another in the build's cache-to and
// in its cache-from entries that read the same scope; none unless every
// one is written as it reads.
func scopeEdits(repo *buildconfig.Repo, b *buildconfig.Build, scope buildconfig.Value, repl string) []analysis.TextEdit {
	var edits []analysis.TextEdit
	for _, list := range [][]*buildconfig.CacheSpec{b.CacheTo, b.CacheFrom} {
		for _, c := range list {
			if c.Type != "gha" {
				continue
			}
			s, ok := c.Get("scope")
			if !ok || s.Text != scope.Text {
				continue
			}
			s = attrValue(repo, s)
			if !s.Verbatim() {
				return nil
			}
			edits = append(edits, analysis.TextEdit{Pos: s.Pos, End: s.End, NewText: []byte(repl)})
		}
	}
	return edits
}
