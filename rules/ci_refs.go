package rules

import (
	"path"
	"regexp"
	"strings"

	"github.com/cachelint/cachelint/buildconfig"
)

// This file knows the expressions and variables through which CI
// configuration names a branch: the branch being built (GitHub's
// github.ref_name, GitLab's $CI_COMMIT_REF_SLUG, a $BRANCH of the
// project's own), the target branch of a pull or merge request, and the
// repository's default branch. Rules about per-branch cache locations
// (CL106, CL113) read values through it.

// branchKind is which branch a part of a value names.
type branchKind int

const (
	brCurrent branchKind = iota + 1 // the branch (or ref) being built
	brBase                          // the target branch of a pull or merge request
	brDefault                       // the repository's default branch
)

// ciRef is a part of a value's text that puts a branch name into it: a
// GitHub expression (${{ github.ref_name }}), a variable ($BRANCH,
// ${CI_COMMIT_REF_SLUG}), a make variable or a command substitution
// ($(git rev-parse --abbrev-ref HEAD)).
type ciRef struct {
	Kind       branchKind
	Start, End int    // the part's bytes in the text (the whole ${{ }}, $VAR or $( ))
	Name       string // what names the branch: github.ref_name, CI_COMMIT_REF_SLUG, git
}

// ciRefs finds the parts of a value's text that put a branch into it. A
// branch that is only compared (${{ github.ref_name == 'main' && ... }})
// or tested puts none. Variables are looked up in env (the build's
// environment) first, so that BRANCH: ${{ github.head_ref }} in env: makes
// $BRANCH and ${{ env.BRANCH }} name the branch and BRANCH: main does not;
// a variable env does not set is known by its name.
func ciRefs(text string, env map[string]buildconfig.Value) []ciRef {
	return scanRefs(text, env, 0)
}

// branchRef returns the first part of a value that names the branch being
// built.
func branchRef(text string, env map[string]buildconfig.Value) (ciRef, bool) {
	for _, r := range ciRefs(text, env) {
		if r.Kind == brCurrent {
			return r, true
		}
	}
	return ciRef{}, false
}

// maxRefDepth bounds how far variables are followed through env.
const maxRefDepth = 4

func scanRefs(text string, env map[string]buildconfig.Value, depth int) []ciRef {
	var out []ciRef
	add := func(kind branchKind, start, end int, name string) {
		if kind != 0 {
			out = append(out, ciRef{Kind: kind, Start: start, End: end, Name: name})
		}
	}
	for i := 0; i < len(text); i++ {
		switch {
		case strings.HasPrefix(text[i:], "${{"):
			end := strings.Index(text[i+3:], "}}")
			if end < 0 {
				return out
			}
			end += i + 5
			kind, name := exprRef(text[i+3:end-2], env, depth)
			add(kind, i, end, name)
			i = end - 1
		case text[i] == '$' && i+1 < len(text) && text[i+1] == '$':
			// $$ in a Makefile is a $ for the shell.
			continue
		case text[i] == '$' && i+1 < len(text) && text[i+1] == '(':
			end := matchParen(text, i+1)
			if end < 0 {
				return out
			}
			kind, name := commandRef(text[i+2:end-1], env, depth)
			add(kind, i, end, name)
			i = end - 1
		case text[i] == '$' && i+1 < len(text) && text[i+1] == '{':
			end := strings.IndexByte(text[i:], '}')
			if end < 0 {
				return out
			}
			end += i + 1
			name := leadingName(text[i+2 : end-1])
			kind := varRef(name, env, depth)
			add(kind, i, end, name)
			i = end - 1
		case text[i] == '$':
			name := leadingName(text[i+1:])
			if name == "" {
				continue
			}
			add(varRef(name, env, depth), i, i+1+len(name), name)
			i += len(name)
		case text[i] == '`':
			end := strings.IndexByte(text[i+1:], '`')
			if end < 0 {
				return out
			}
			end += i + 2
			kind, name := commandRef(text[i+1:end-1], env, depth)
			add(kind, i, end, name)
			i = end - 1
		}
	}
	return out
}

// matchParen returns the offset after the parenthesis that closes the one
// at open, -1 when none does.
func matchParen(text string, open int) int {
	depth := 0
	for j := open; j < len(text); j++ {
		switch text[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return -1
}

// leadingName is the variable name at the start of s.
func leadingName(s string) string {
	n := 0
	for n < len(s) && (s[n] == '_' || s[n] >= 'A' && s[n] <= 'Z' || s[n] >= 'a' && s[n] <= 'z' || n > 0 && s[n] >= '0' && s[n] <= '9') {
		n++
	}
	return s[:n]
}

// The CI variables that hold a branch name, by what they name.
var (
	branchVars = map[string]bool{
		"GITHUB_REF": true, "GITHUB_REF_NAME": true, "GITHUB_HEAD_REF": true,
		"CI_COMMIT_REF_SLUG": true, "CI_COMMIT_REF_NAME": true, "CI_COMMIT_BRANCH": true,
		"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": true,
		"BITBUCKET_BRANCH":                    true, "CIRCLE_BRANCH": true, "BUILDKITE_BRANCH": true,
		"GIT_BRANCH": true, "BRANCH_NAME": true, "BRANCH": true,
	}
	baseVars = map[string]bool{
		"GITHUB_BASE_REF": true, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": true,
	}
	defaultVars = map[string]bool{"CI_DEFAULT_BRANCH": true}
)

// notCurrentBranch matches the words that make a name like FOO_BRANCH
// name some fixed branch rather than the one being built.
var notCurrentBranch = regexp.MustCompile(`(?i)default|main|master|base|target|trunk|stable|upstream|release|protected|parent|source_repo`)

// nameRef tells what a variable or output named name holds when nothing
// says its value: the CI systems' own names, else a name containing
// "branch" (DEFAULT_BRANCH and the like name a fixed branch).
func nameRef(name string) branchKind {
	up := strings.ToUpper(name)
	switch {
	case branchVars[up]:
		return brCurrent
	case baseVars[up]:
		return brBase
	case defaultVars[up]:
		return brDefault
	case strings.Contains(up, "DEFAULT_BRANCH"):
		return brDefault
	case strings.Contains(up, "BRANCH") && !notCurrentBranch.MatchString(up):
		return brCurrent
	}
	return 0
}

// varRef tells what a variable holds: its value when env sets it, else
// what its name says.
func varRef(name string, env map[string]buildconfig.Value, depth int) branchKind {
	if name == "" {
		return 0
	}
	if v, ok := env[name]; ok && depth < maxRefDepth && !branchVars[strings.ToUpper(name)] {
		return strongest(scanRefs(v.Text, env, depth+1))
	}
	return nameRef(name)
}

// strongest is what a value made of parts names: the branch being built
// when a part does, else the base, else the default branch.
func strongest(refs []ciRef) branchKind {
	var k branchKind
	for _, r := range refs {
		if k == 0 || r.Kind < k {
			k = r.Kind
		}
	}
	return k
}

// gitBranchCmd matches the git commands that print the current branch.
var gitBranchCmd = regexp.MustCompile(`git\s+(rev-parse\s+--abbrev-ref\s+HEAD|branch\s+--show-current|symbolic-ref\s+(--short\s+|-q\s+)*HEAD)`)

// commandRef tells what a command substitution (or make variable,
// $(NAME)) prints.
func commandRef(cmd string, env map[string]buildconfig.Value, depth int) (branchKind, string) {
	c := strings.TrimSpace(cmd)
	if n := leadingName(c); n == c && n != "" {
		return varRef(n, env, depth), n // a make variable
	}
	if gitBranchCmd.MatchString(c) {
		return brCurrent, "git"
	}
	refs := scanRefs(c, env, depth)
	if k := strongest(refs); k != 0 {
		for _, r := range refs {
			if r.Kind == k {
				return k, r.Name
			}
		}
	}
	return 0, ""
}

// ghContext matches the contexts of a GitHub expression that can hold a
// branch name.
var ghContext = regexp.MustCompile(`\b(github\.(?:event\.pull_request\.(?:head|base)\.ref|event\.repository\.default_branch|ref_name|ref|head_ref|base_ref)|env\.[A-Za-z_][A-Za-z0-9_]*|(?:steps|needs|jobs)\.[A-Za-z_][A-Za-z0-9_-]*\.outputs\.[A-Za-z_][A-Za-z0-9_-]*|inputs\.[A-Za-z_][A-Za-z0-9_-]*)\b`)

// exprRef tells what a GitHub expression (the text between ${{ and }})
// puts into a value: the strongest of the contexts it does not only
// compare or test.
func exprRef(expr string, env map[string]buildconfig.Value, depth int) (branchKind, string) {
	var kind branchKind
	var name string
	for _, m := range ghContext.FindAllStringSubmatchIndex(expr, -1) {
		ctx := expr[m[2]:m[3]]
		if m[3] < len(expr) && (expr[m[3]] == '.' || expr[m[3]] == '-') {
			continue // a longer context (github.ref.x, steps.a.outputs.b-c)
		}
		if onlyTested(expr[:m[0]], expr[m[1]:]) {
			continue
		}
		var k branchKind
		switch {
		case ctx == "github.ref" || ctx == "github.ref_name" || ctx == "github.head_ref" || ctx == "github.event.pull_request.head.ref":
			k = brCurrent
		case ctx == "github.base_ref" || ctx == "github.event.pull_request.base.ref":
			k = brBase
		case ctx == "github.event.repository.default_branch":
			k = brDefault
		case strings.HasPrefix(ctx, "env."):
			k = varRef(strings.TrimPrefix(ctx, "env."), env, depth)
		default: // an output or an input: by its name
			k = nameRef(strings.ReplaceAll(path.Ext(ctx)[1:], "-", "_"))
		}
		if k != 0 && (kind == 0 || k < kind) {
			kind, name = k, ctx
		}
	}
	return kind, name
}

// onlyTested reports whether a context between before and after is only
// compared or tested, not put into the value: an operand of ==, != or !,
// the condition of && or the first argument of startsWith, endsWith or
// contains.
func onlyTested(before, after string) bool {
	b := strings.TrimRight(before, " \t\n")
	a := strings.TrimLeft(after, " \t\n")
	if strings.HasPrefix(a, "==") || strings.HasPrefix(a, "!=") || strings.HasPrefix(a, "&&") {
		return true
	}
	if strings.HasSuffix(b, "==") || strings.HasSuffix(b, "!=") || strings.HasSuffix(b, "!") {
		return true
	}
	lb := strings.ToLower(b)
	for _, f := range []string{"startswith(", "endswith(", "contains("} {
		if strings.HasSuffix(lb, f) {
			return true
		}
	}
	return false
}

// branchVaries reports whether a build may run on different branches
// or tags from one run to another, so that a per-branch cache place
// changes: not when its GitHub job runs only on branches its workflow
// names (push: branches: [main, develop]), on a schedule or by hand, or
// when the job's if: pins the branch. Pull requests, pushes to any branch
// and tags (each tag is a new ref name) vary. A reusable workflow
// (workflow_call) runs on its callers' refs, which are not known here: it
// is taken not to vary. Builds outside GitHub Actions are taken to vary.
func branchVaries(b *buildconfig.Build) bool {
	j := b.Job
	if j == nil || j.File == nil || j.File.Kind != buildconfig.Workflow {
		return true
	}
	if pinnedBranchIf.MatchString(j.If.Text) && !strings.Contains(j.If.Text, "||") {
		return false
	}
	for _, ev := range j.Triggers {
		switch ev {
		case "pull_request", "pull_request_target", "merge_group", "release", "create":
			return true
		case "push":
			f, ok := j.Filters[ev]
			if !ok || len(f.BranchesIgnore) > 0 || len(f.Tags) > 0 || len(f.TagsIgnore) > 0 {
				return true
			}
			for _, br := range f.Branches {
				if strings.ContainsAny(br, "*?[!+") {
					return true
				}
			}
		}
	}
	return false
}

// pinnedBranchIf matches a job condition that runs it on one branch only.
var pinnedBranchIf = regexp.MustCompile(`github\.ref\s*==\s*'refs/heads/[^'*]+'|github\.ref_name\s*==\s*'[^'*]+'`)

// defaultBranchText is how a build's configuration names the default
// branch: the GitHub expression in a workflow, $CI_DEFAULT_BRANCH in
// GitLab CI, else the name most repositories give it.
func defaultBranchText(b *buildconfig.Build, r ciRef) string {
	switch {
	case b.File != nil && b.File.Kind == buildconfig.Workflow && r.Name == "github.ref":
		return "refs/heads/${{ github.event.repository.default_branch }}"
	case b.File != nil && b.File.Kind == buildconfig.Workflow:
		return "${{ github.event.repository.default_branch }}"
	case b.File != nil && b.File.Kind == buildconfig.GitLab:
		return "$CI_DEFAULT_BRANCH"
	}
	return "main"
}
