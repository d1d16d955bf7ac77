package rules

import (
	"fmt"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// GHACacheWithoutRuntimeToken reports type=gha cache entries of command
// line builds that get no GitHub Actions runtime token.
var GHACacheWithoutRuntimeToken = &analysis.Analyzer{
	Name: "gha_cache_without_runtime_token",
	Doc: `a type=gha cache is used from a command line that has no GitHub Actions runtime token

Why it matters for the cache: the gha cache backend talks to GitHub's
cache service with the token and URL of the Actions runtime
(ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL). GitHub
gives them to actions, not to run: steps. docker/build-push-action and
docker/bake-action pass them on; a plain "docker buildx build" in a run:
step does not have them, and buildx then drops the gha entries without a
word: nothing is imported, nothing is exported, and every run builds from
scratch. Outside GitHub Actions (GitLab CI, a script on a laptop) there
is no such service at all.

Example:

    steps:
      - uses: docker/setup-buildx-action@v3
      - run: |
          docker buildx build \
            --cache-from type=gha \
            --cache-to type=gha,mode=max \
            -t app .

Fix: expose the runtime to the run: steps that follow:

    steps:
      - uses: docker/setup-buildx-action@v3
      - name: Expose GitHub Runtime
        uses: crazy-max/ghaction-github-runtime@v3
      - run: docker buildx build --cache-from type=gha --cache-to type=gha,mode=max -t app .

or build with docker/build-push-action. Outside GitHub Actions use
another cache backend (registry, local).

Reported: a type=gha cache-from or cache-to of docker build, docker
buildx build or docker buildx bake run from a workflow's run: step when no
earlier step of the job uses crazy-max/ghaction-github-runtime or
mentions ACTIONS_RUNTIME_TOKEN (an actions/github-script step exporting
it, an echo to GITHUB_ENV), the step's environment does not set it, and
the entry has no token= and url= (or url_v2=) of its own; the same in
GitLab CI jobs; and in scripts and Makefiles when no workflow of the
repository exposes the runtime. Not reported: docker/build-push-action
and docker/bake-action, which pass the token themselves; buildctl, which
fails loudly without it. A self-hosted runner that exports
ACTIONS_RUNTIME_TOKEN to every step is not visible here.

Sources:
- https://docs.docker.com/build/cache/backends/gha/#authentication
- https://github.com/docker/buildx/blob/master/build/opt.go
- https://github.com/crazy-max/ghaction-github-runtime`,
	URL:      docURL("gha-cache-without-runtime-token"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runGHACacheWithoutRuntimeToken,
}

// runtimeAction is the action that exposes the Actions runtime to the
// steps after it.
const runtimeAction = "crazy-max/ghaction-github-runtime"

func runGHACacheWithoutRuntimeToken(pass *analysis.Pass) (any, error) {
	repo := configRepo(pass)
	if repo == nil {
		return nil, nil
	}
	repoExposes := repoExposesRuntime(repo)
	seen := onceAt{}
	fixed := map[*buildconfig.Job]bool{}
	for _, b := range repo.Builds {
		where, missing := ghaTokenMissing(b, repoExposes)
		if !missing {
			continue
		}
		for _, c := range append(append([]*buildconfig.CacheSpec{}, b.CacheFrom...), b.CacheTo...) {
			if c.Type != "gha" || !c.Pos.IsValid() || hasOwnToken(c) || !seen.first(c.Pos) {
				continue
			}
			reportGHAWithoutToken(pass, b, c, where, fixed)
		}
	}
	return nil, nil
}

// repoExposesRuntime reports whether some workflow step of the
// repository exposes the Actions runtime token.
func repoExposesRuntime(repo *buildconfig.Repo) bool {
	for _, b := range repo.Builds {
		if b.Job == nil {
			continue
		}
		for _, st := range b.Job.Steps {
			if exposesRuntime(st) {
				return true
			}
		}
	}
	return false
}

// ghaTokenMissing reports whether a build's type=gha entries get no
// Actions runtime token (buildx then drops them), and why, for messages.
// Entries with their own token= and url= are checked apart (hasOwnToken).
func ghaTokenMissing(b *buildconfig.Build, repoExposes bool) (where string, missing bool) {
	switch b.Kind {
	case buildconfig.DockerBuild, buildconfig.BuildxBuild, buildconfig.BuildxBake:
	default:
		return "", false // the actions pass the token; buildctl fails without it
	}
	if b.Legacy || hasRuntimeEnv(b.Env) {
		return "", false
	}
	switch {
	case b.Step != nil:
		if runtimeBefore(b) {
			return "", false
		}
		return fmt.Sprintf("the run: step of job %q gets no Actions runtime token (no %s step before it)", b.Job.Name, runtimeAction), true
	case b.Job != nil:
		return fmt.Sprintf("GitLab CI job %q has no GitHub Actions cache service", b.Job.Name), true
	case b.File.Kind == buildconfig.Script || b.File.Kind == buildconfig.Makefile:
		if repoExposes {
			return "", false
		}
		return fmt.Sprintf("this %s gets no Actions runtime token (no workflow of the repository exposes it)", b.File.Kind), true
	}
	return "", false
}

// exposesRuntime reports whether a step hands the Actions runtime token
// to the steps after it.
func exposesRuntime(st *buildconfig.Step) bool {
	if strings.EqualFold(st.Uses, runtimeAction) {
		return true
	}
	if strings.Contains(st.Run.Text, "ACTIONS_RUNTIME_TOKEN") {
		return true
	}
	for _, v := range st.With {
		if strings.Contains(v.Text, "ACTIONS_RUNTIME_TOKEN") {
			return true
		}
	}
	return false
}

// runtimeBefore reports whether a step before the build's (or its own
// script) exposes the runtime token.
func runtimeBefore(b *buildconfig.Build) bool {
	for _, st := range b.Job.Steps {
		if st.Index < b.Step.Index && exposesRuntime(st) {
			return true
		}
	}
	return strings.Contains(b.Step.Run.Text, "ACTIONS_RUNTIME_TOKEN")
}

// hasRuntimeEnv reports whether an environment sets the runtime token.
func hasRuntimeEnv(env map[string]buildconfig.Value) bool {
	_, ok := env["ACTIONS_RUNTIME_TOKEN"]
	return ok
}

// hasOwnToken reports whether a gha entry carries its token and URL.
func hasOwnToken(c *buildconfig.CacheSpec) bool {
	_, tok := c.Get("token")
	_, url := c.Get("url")
	_, url2 := c.Get("url_v2")
	return tok && (url || url2)
}

func reportGHAWithoutToken(pass *analysis.Pass, b *buildconfig.Build, c *buildconfig.CacheSpec, where string, fixed map[*buildconfig.Job]bool) {
	msg := fmt.Sprintf("`type=gha` cache of %s: %s, so buildx silently skips this entry (nothing imported or exported)", b.Kind, where)
	fix := analysis.SuggestedFix{}
	switch {
	case b.Step != nil:
		msg += " unless the runner exports ACTIONS_RUNTIME_TOKEN itself"
		fix.Message = fmt.Sprintf("add a `%s` step before this one, or build with docker/build-push-action", runtimeAction)
		if !fixed[b.Job] && jobFile(b).Contains(c.Pos) {
			if e, ok := insertStepBefore(jobFile(b), b.Step, "name: Expose GitHub Runtime", "uses: "+runtimeAction+"@v3"); ok {
				fix.TextEdits = []analysis.TextEdit{e}
				fixed[b.Job] = true
			}
		}
	case b.Job != nil:
		fix.Message = "use a registry cache (`type=registry,ref=<image>:buildcache`) instead"
	default:
		fix.Message = fmt.Sprintf("run it from a GitHub workflow after a `%s` step, or use another cache backend", runtimeAction)
	}
	pass.Report(analysis.Diagnostic{Pos: c.Pos, End: c.End, Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
}
