package rules

import (
	"fmt"
	"go/token"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
	"github.com/cachelint/cachelint/dockerfile"
)

// VolatileBuildArgInCI flags a build-arg whose value changes with every
// CI run and that the Dockerfile declares above expensive steps.
var VolatileBuildArgInCI = &analysis.Analyzer{
	Name: "volatile_build_arg_in_ci",
	Doc: `a build-arg that changes with every CI run feeds an ARG declared before expensive steps

Why it matters for the cache: a build argument becomes the value of the
Dockerfile's ARG of that name, and BuildKit puts every ARG with a value
into the environment of each RUN below it in the stage, which is part of
the RUN's cache key. A build-arg set to the commit (${{ github.sha }},
$CI_COMMIT_SHA, $(git rev-parse HEAD)), the run number or the date is new
on every run, so every RUN below the ARG misses the cache on every run,
even the ones that never read it: the package installs and dependency
downloads are done again each time, whatever cache the build imports.

Example:

    - uses: docker/build-push-action@v6
      with:
        build-args: |
          GIT_SHA=${{ github.sha }}
        cache-from: type=gha
        cache-to: type=gha,mode=max

with a Dockerfile that declares the ARG at the top of the stage:

    FROM node:22
    ARG GIT_SHA
    COPY package.json package-lock.json ./
    RUN npm ci
    COPY . .
    RUN GIT_SHA=$GIT_SHA npm run build

Fix: in the Dockerfile, declare the ARG just before the first step that
uses it, below the expensive ones (the message says where). When only
metadata needs the value, pass it as a label or an annotation instead of
a build-arg (labels:, --label), which no RUN sees:

    - uses: docker/build-push-action@v6
      with:
        labels: |
          org.opencontainers.image.revision=${{ github.sha }}

What changes with every run is read from the value: the commit
(github.sha, github.event.pull_request.head.sha, $GITHUB_SHA,
$CI_COMMIT_SHA, $CI_COMMIT_SHORT_SHA, $(git rev-parse HEAD),
$(git describe), $(git log ...)), a run or pipeline number (github.run_id,
github.run_number, $CI_PIPELINE_ID, $CI_JOB_ID, $BUILD_NUMBER) and the
time ($(date ...), bake's timestamp()); a variable, an env value or a step
output is followed when the configuration sets it, and otherwise read by
its name as rule CL011 reads ARG names (${{ steps.date.outputs.date }},
$GIT_COMMIT). The branch ($(git rev-parse --abbrev-ref HEAD),
github.ref_name), a version and anything else are not reported. Which
steps pay for it is decided as CL011 decides for a volatile ARG: the
expensive steps (package installs, dependency downloads, compiles) of the
stages the build builds, between the ARG and the first RUN that reads it
(or runs the project's own build scripts, which may); for a commit, steps
after a copy of the whole context are not counted, since they run again
on every commit anyway. An ARG declared just before the step that uses
it, or one named like a cache buster (CACHEBUST, which is meant to make
the next step run), is not reported.

Sources:
- https://docs.docker.com/reference/dockerfile/#impact-on-build-caching
- https://docs.docker.com/build/cache/invalidation/
- https://docs.docker.com/build/ci/github-actions/annotations/`,
	URL:      docURL("volatile-build-arg-in-ci"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runVolatileBuildArgInCI,
}

// ciVolatileArg is a build-arg whose value changes with every run.
type ciVolatileArg struct {
	arg  buildconfig.BuildArg
	what string // one of the volatile* constants
	part string // the part of the value that changes, as written
}

func runVolatileBuildArgInCI(pass *analysis.Pass) (any, error) {
	repo, _ := pass.ResultOf[buildconfig.Analyzer].(*buildconfig.Repo)
	if repo == nil {
		return nil, nil
	}
	reported := map[token.Pos]bool{}
	for _, b := range repo.Builds {
		if b.Stages == nil || b.Kind == buildconfig.Kaniko {
			continue
		}
		vol := map[string]ciVolatileArg{}
		for _, a := range b.BuildArgs {
			val := a.Value
			if !a.HasValue {
				v, ok := b.Env[a.Name]
				if !ok {
					continue
				}
				val = v
			}
			what, part := volatileValue(val.Text, b.Env, 0)
			if what == "" {
				continue
			}
			if volatileKind(a.Name) == volatileCacheBust {
				what = volatileCacheBust // meant to make the step after it run
			}
			vol[a.Name] = ciVolatileArg{arg: a, what: what, part: part}
		}
		if len(vol) == 0 {
			continue
		}
		namer := func(kind, name string) string {
			if kind != "ARG" {
				return "" // a build-arg sets ARGs only
			}
			return vol[name].what
		}
		f := b.Stages
		lex := f.Lex()
		seen := map[token.Pos]bool{}
		for _, s := range slices.Backward(stagesBuilt(b)) {
			chain := stageChain(s)
			for _, v := range findVolatileArgs(f, lex, chain, namer) {
				d := v.decl
				if seen[keyPos(d)] {
					continue
				}
				seen[keyPos(d)] = true
				ca, ok := vol[d.name]
				if !ok || !ca.arg.Pos.IsValid() || reported[ca.arg.Pos] {
					continue
				}
				reported[ca.arg.Pos] = true
				reportVolatileBuildArg(pass, b, chain, ca, v)
			}
		}
	}
	return nil, nil
}

func reportVolatileBuildArg(pass *analysis.Pass, b *buildconfig.Build, chain []*dockerfile.Instruction, ca ciVolatileArg, v volatileArg) {
	f := b.Stages
	d, first := v.decl, v.first
	more := ""
	switch n := len(v.wasted) - 1; n {
	case 0:
	case 1:
		more = " and one more expensive step"
	default:
		more = fmt.Sprintf(" and %d more expensive steps", n)
	}
	what := ca.what
	if what == volatileCacheBust {
		what = "a value that changes with every run"
	}
	msg := fmt.Sprintf("build-arg %s is `%s`, %s, and %s declares ARG %s on line %d, before `%s` on line %d%s that do not use it: every run re-runs them",
		ca.arg.Name, shortText(ca.part, 70), what, dockerfileName(b), d.name, d.in.StartLine,
		commandText(f, v.wasted[0], first), f.Tok.Line(first.Pos), more)
	if more == "" {
		msg = strings.Replace(msg, "that do not use it: every run re-runs them", "that does not use it: every run re-runs it", 1)
	}
	help := "in " + dockerfileName(b) + ", " + volatileArgFix(f, chain, v).Message
	if ca.what != volatileCacheBust {
		help += "; or, if only metadata needs it, pass it as a label (" + labelHow(b) + ") instead of a build-arg"
	}
	pass.Report(analysis.Diagnostic{
		Pos:            ca.arg.Pos,
		End:            ca.arg.End,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{{Message: help}},
	})
}

// labelHow is how a build sets a label.
func labelHow(b *buildconfig.Build) string {
	switch b.Kind {
	case buildconfig.BuildPushAction:
		return "labels:"
	case buildconfig.BakeAction, buildconfig.BuildxBake:
		return "the target's labels"
	case buildconfig.Buildctl:
		return "--opt label:KEY=VALUE"
	}
	return "--label"
}

var (
	// ghExpression matches a GitHub Actions expression.
	ghExpression = regexp.MustCompile(`\$\{\{.*?\}\}`)
	// ghContextRef matches a reference to a context value in an
	// expression: github.sha, env.NAME, steps.id.outputs.name.
	ghContextRef = regexp.MustCompile(`\b[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)+`)
	// shellVarRef matches $NAME and ${NAME...}.
	shellVarRef = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))`)
	// commandSubst matches $(...) and `...` (not nested).
	commandSubst = regexp.MustCompile("\\$\\(([^()]*)\\)|`([^`]*)`")
	// bakeTimestamp matches bake's timestamp() function.
	bakeTimestamp = regexp.MustCompile(`\btimestamp\(\s*\)`)
)

// ghVolatile are the values of GitHub's github context that change with
// every commit or run.
var ghVolatile = map[string]string{
	"github.sha": volatileCommit, "github.event.pull_request.head.sha": volatileCommit,
	"github.event.after": volatileCommit, "github.event.head_commit.id": volatileCommit,
	"github.event.workflow_run.head_sha": volatileCommit,
	"github.run_id":                      volatileCounter, "github.run_number": volatileCounter, "github.run_attempt": volatileCounter,
}

// ciVolatileVars are CI variables that change with every commit or run
// whose names volatileKind does not read as such.
var ciVolatileVars = map[string]string{
	"CIRCLE_SHA1": volatileCommit, "TRAVIS_COMMIT": volatileCommit, "DRONE_COMMIT_SHA": volatileCommit,
	"CI_COMMIT_TIMESTAMP": volatileCommit, "CI_PIPELINE_IID": volatileCounter,
	"CIRCLE_BUILD_NUM": volatileCounter, "BITBUCKET_BUILD_NUMBER": volatileCounter,
}

// volatileValue says what a build-arg value holds when it changes with
// every run (one of the volatile* constants) and which part of it does;
// "" when nothing in it is known to. env is the environment the build
// sees, to follow the variables it sets.
func volatileValue(v string, env map[string]buildconfig.Value, depth int) (what, part string) {
	if depth > 4 {
		return "", ""
	}
	for _, e := range ghExpression.FindAllString(v, -1) {
		for _, ref := range ghContextRef.FindAllString(e, -1) {
			if w := ghVolatile[ref]; w != "" {
				return w, e
			}
			parts := strings.Split(ref, ".")
			name := parts[len(parts)-1]
			switch {
			case parts[0] == "env" && len(parts) == 2:
				if val, ok := env[name]; ok {
					if w, _ := volatileValue(val.Text, env, depth+1); w != "" {
						return w, e
					}
					continue
				}
				if w := volatileVarName(name); w != "" {
					return w, e
				}
			case (parts[0] == "steps" || parts[0] == "needs" || parts[0] == "jobs") && len(parts) == 4 && parts[2] == "outputs":
				if w := volatileVarName(name); w != "" {
					return w, e
				}
			}
		}
	}
	rest := ghExpression.ReplaceAllString(v, "")
	for _, m := range commandSubst.FindAllStringSubmatch(rest, -1) {
		if w := volatileCommandOutput(m[1] + m[2]); w != "" {
			return w, m[0]
		}
	}
	rest = commandSubst.ReplaceAllString(rest, "")
	if m := bakeTimestamp.FindString(rest); m != "" {
		return volatileTime, m
	}
	for _, m := range shellVarRef.FindAllStringSubmatch(rest, -1) {
		name := m[1] + m[2]
		if val, ok := env[name]; ok {
			if w, _ := volatileValue(val.Text, env, depth+1); w != "" {
				return w, m[0]
			}
			continue
		}
		if w := volatileVarName(name); w != "" {
			return w, m[0]
		}
	}
	return "", ""
}

// volatileVarName says what a variable (or step output) named name holds
// when its name says it changes with every run: CI's own variables and
// the names CL011 reads as volatile. A cache buster's name says nothing
// of its value.
func volatileVarName(name string) string {
	if w := ciVolatileVars[name]; w != "" {
		return w
	}
	if w := volatileKind(name); w != volatileCacheBust {
		return w
	}
	return ""
}

// volatileCommandOutput says what the output of a command substitution
// holds when it changes with every run: date prints the time; git
// rev-parse, describe, log, show and rev-list print the commit or what
// follows from it (not the branch: rev-parse --abbrev-ref, --show-toplevel).
func volatileCommandOutput(cmd string) string {
	fields := strings.Fields(cmd)
	if len(fields) == 0 {
		return ""
	}
	switch fields[0] {
	case "date":
		return volatileTime
	case "git":
		if len(fields) < 2 {
			return ""
		}
		switch fields[1] {
		case "rev-parse":
			if slices.ContainsFunc(fields[2:], func(f string) bool {
				return strings.HasPrefix(f, "--abbrev-ref") || strings.HasPrefix(f, "--show-") || strings.HasPrefix(f, "--git-dir")
			}) {
				return ""
			}
			return volatileCommit
		case "describe", "log", "show", "rev-list":
			return volatileCommit
		}
	}
	return ""
}
