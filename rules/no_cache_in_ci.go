package rules

import (
	"fmt"
	"go/token"
	"path"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
	"github.com/cachelint/cachelint/dockerfile"
)

// NoCacheInCI flags a CI build that turns the build cache off although
// it has a cache to use.
var NoCacheInCI = &analysis.Analyzer{
	Name: "no_cache_in_ci",
	Doc: `a routine CI build turns the build cache off

Why it matters for the cache: --no-cache (no-cache: true in
docker/build-push-action and docker/bake-action, no-cache = true in a bake
target) makes BuildKit run every step of the Dockerfile again, whatever
cache it has: the layers of the cache it imports with cache-from, the
state of a builder that outlives the job, the local cache of a Docker
daemon that a self-hosted runner keeps between jobs. On a build that runs
on every push or pull request, that is the whole build paid for on every
run, and the cache it imports (and still downloads) is not used.

Example:

    - uses: docker/build-push-action@v6
      with:
        push: true
        tags: user/app:latest
        no-cache: true
        cache-from: type=gha
        cache-to: type=gha,mode=max

Fix: remove no-cache. If one stage must always be fresh (a step that
fetches the latest security updates), name only that stage:

    - uses: docker/build-push-action@v6
      with:
        push: true
        tags: user/app:latest
        no-cache-filters: base
        cache-from: type=gha
        cache-to: type=gha,mode=max

A build is reported only when it has a cache to skip: it imports one
(cache-from), its builder keeps its state (a remote or cloud driver), an
earlier build of the same Dockerfile in the same job warmed the builder
(with no docker builder prune or docker system prune in between),
or it builds on the Docker daemon of a runner that keeps it between jobs
(a self-hosted GitHub runner, a GitLab job without a docker:dind service).
On a fresh runner with nothing to import, --no-cache changes nothing and
is not reported. Scheduled, manually dispatched and release builds
(on: schedule, workflow_dispatch, release; GitLab jobs that only
scheduled pipelines run) are where a full rebuild is usually wanted, to
pick up new base images and packages: they are reported as info. Builds
in shell scripts and Makefiles that no CI job runs are a developer's
choice and are not reported, nor is no-cache-filters, nor a no-cache
whose value is an expression.

Sources:
- https://docs.docker.com/reference/cli/docker/buildx/build/#no-cache-filter
- https://docs.docker.com/build/building/best-practices/#rebuild-your-images-often
- https://docs.docker.com/build/cache/invalidation/`,
	URL:      docURL("no-cache-in-ci"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runNoCacheInCI,
}

func runNoCacheInCI(pass *analysis.Pass) (any, error) {
	repo, _ := pass.ResultOf[buildconfig.Analyzer].(*buildconfig.Repo)
	if repo == nil {
		return nil, nil
	}
	reported := map[token.Pos]bool{}
	for i, b := range repo.Builds {
		nc := b.NoCache
		if !nc.IsSet() || nc.Dynamic || b.Job == nil || isFalseWord(nc.Text) {
			continue
		}
		skipped := skippedCache(pass.Fset, repo.Builds[:i], b)
		if skipped == "" {
			continue
		}
		pos, end := nc.Pos, nc.End
		if !pos.IsValid() {
			pos, end = b.Pos, b.End
		}
		if reported[pos] {
			continue
		}
		reported[pos] = true
		how := "`no-cache`"
		if t := sourceText(pass.Fset, repo, pos, end); strings.HasPrefix(t, "--no-cache") || b.Job.File == b.File && isCommand(b) {
			how = "`--no-cache`"
		}
		runs, rare := jobRuns(b.Job)
		msg := fmt.Sprintf("%s turns the build cache off for %s, which runs %s: it skips %s, so %s is rebuilt from scratch every time",
			how, buildName(b), runs, skipped, whatIsRebuilt(b))
		d := analysis.Diagnostic{Pos: pos, End: end, Message: msg}
		if rare {
			d.Category = LowerToInfo
			d.Message += " (a full rebuild may be the point of this job: then keep it)"
		}
		fix := analysis.SuggestedFix{Message: "remove " + how + "; to keep one stage always fresh, name it with " + noCacheFilterFlag(b) + " instead"}
		fix.TextEdits = removeNoCache(repo, pos, end)
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
		pass.Report(d)
	}
	return nil, nil
}

// isCommand reports whether a build is a command line (not an action step
// or a bake target).
func isCommand(b *buildconfig.Build) bool {
	switch b.Kind {
	case buildconfig.DockerBuild, buildconfig.BuildxBuild, buildconfig.Buildctl, buildconfig.Kaniko:
		return true
	}
	return false
}

// isFalseWord reports whether a value turns a boolean setting off.
func isFalseWord(s string) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(s), `"'`)) {
	case "false", "0", "no", "off":
		return true
	}
	return false
}

// skippedCache describes the cache a build that turns the cache off would
// otherwise use, or "" when it has none: a cache it imports, a builder
// that keeps its state, an earlier build of the same Dockerfile in the
// same job on the same builder, or the daemon of a runner that keeps its
// cache between jobs.
func skippedCache(fset *token.FileSet, earlier []*buildconfig.Build, b *buildconfig.Build) string {
	for _, c := range b.CacheFrom {
		if c.Type != "" {
			return fmt.Sprintf("the cache it imports (cache-from `%s` on line %d)", shortText(c.Text, 60), fset.Position(c.Pos).Line)
		}
	}
	if b.Builder.KeepState {
		return "the cache its builder keeps between runs"
	}
	if b.DockerfilePath != "" {
		for _, e := range slices.Backward(earlier) {
			if e.Job == b.Job && e.DockerfilePath == b.DockerfilePath && e.File == b.File && e.End < b.Pos && sameBuilder(e.Builder, b.Builder) &&
				!pruneCommand.Match(b.File.Src[b.File.Tok.Offset(e.End):b.File.Tok.Offset(b.Pos)]) {
				return fmt.Sprintf("the cache that the build of the same Dockerfile on line %d filled earlier in the job", fset.Position(e.Pos).Line)
			}
		}
	}
	if (b.Builder.Default || b.Builder.Driver == "docker") && keepsDaemon(b.Job) {
		return "the local cache of the runner's Docker daemon, which outlives the job"
	}
	return ""
}

// pruneCommand matches a command that empties the build cache.
var pruneCommand = regexp.MustCompile(`\b(?:builder|buildx|system)\s+prune\b`)

func sameBuilder(a, b *buildconfig.Builder) bool {
	return a == b || a.Default && b.Default
}

// keepsDaemon reports whether a job's Docker daemon keeps its build
// cache from one job to the next: a self-hosted GitHub runner, or a GitLab
// job that builds without a docker:dind service (on the runner host's
// daemon, through its socket or a shell executor).
func keepsDaemon(j *buildconfig.Job) bool {
	switch j.File.Kind {
	case buildconfig.Workflow:
		return !j.Runner.Dynamic && slices.ContainsFunc(strings.Split(j.Runner.Text, ","), func(l string) bool {
			return strings.EqualFold(strings.Trim(strings.TrimSpace(l), `[]"'`), "self-hosted")
		})
	case buildconfig.GitLab:
		return !j.Hosted && !slices.ContainsFunc(j.Services, func(s buildconfig.Value) bool { return s.Dynamic })
	}
	return false
}

// jobRuns says when a job runs, for a message, and whether that is rare:
// only on schedules, by hand or on releases.
func jobRuns(j *buildconfig.Job) (string, bool) {
	rare := len(j.Triggers) > 0
	for _, t := range j.Triggers {
		switch t {
		case "schedule", "workflow_dispatch", "release", "repository_dispatch":
		default:
			rare = false
		}
	}
	if len(j.Triggers) == 0 {
		return "in CI", false
	}
	if j.File.Kind == buildconfig.GitLab {
		if rare {
			return "only in scheduled pipelines", true
		}
		return "in every pipeline", false
	}
	ts := strings.Join(j.Triggers, ", ")
	if i := strings.LastIndex(ts, ", "); i >= 0 {
		ts = ts[:i] + " and " + ts[i+2:]
	}
	if rare {
		return "only on " + ts, true
	}
	return "on " + ts, false
}

// buildName names a build in a message: its step or job, and its kind.
func buildName(b *buildconfig.Build) string {
	switch {
	case b.BakeTarget != "":
		return fmt.Sprintf("bake target `%s`", b.BakeTarget)
	case b.Step != nil && b.Step.Name != "":
		return fmt.Sprintf("step `%s`", b.Step.Name)
	case b.Job != nil:
		return fmt.Sprintf("the %s in job `%s`", b.Kind, b.Job.Name)
	}
	return "this " + b.Kind.String()
}

// whatIsRebuilt says what of the Dockerfile a build runs again: its RUN
// steps, naming the first expensive one, when the Dockerfile is known.
func whatIsRebuilt(b *buildconfig.Build) string {
	f := b.Stages
	stages := stagesBuilt(b)
	if f == nil || len(stages) == 0 {
		return "every step"
	}
	runs := 0
	var first *dockerfile.Instruction
	var firstCmd *dockerfile.Command
	for _, s := range stages {
		for _, in := range s.Instructions {
			if in.Run == nil {
				continue
			}
			runs++
			if first != nil {
				continue
			}
			for _, c := range in.Run.Commands {
				if classifyCommand(in, c).expensive {
					first, firstCmd = in, c
					break
				}
			}
		}
	}
	name := dockerfileName(b)
	steps := fmt.Sprintf("%d RUN steps", runs)
	if runs == 1 {
		steps = "1 RUN step"
	}
	switch {
	case first != nil:
		return fmt.Sprintf("every step of %s (%s, such as `%s` on line %d)", name, steps, commandText(f, first, firstCmd), f.Tok.Line(firstCmd.Pos))
	case runs > 0:
		return fmt.Sprintf("every step of %s (%s)", name, steps)
	}
	return "every step of " + name
}

// dockerfileName is the Dockerfile a build builds, for a message.
func dockerfileName(b *buildconfig.Build) string {
	if b.DockerfilePath != "" {
		return b.DockerfilePath
	}
	return "the Dockerfile"
}

// stagesBuilt lists, in file order, the stages of its Dockerfile that a
// build builds: its target and the stages the target is built FROM or
// copies from, directly or not. It is empty when the Dockerfile or the
// target is unknown.
func stagesBuilt(b *buildconfig.Build) []*dockerfile.Stage {
	target := b.Stage()
	if target == nil {
		return nil
	}
	seen := map[*dockerfile.Stage]bool{}
	var walk func(s *dockerfile.Stage)
	walk = func(s *dockerfile.Stage) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		walk(s.BaseStage)
		for _, c := range s.CopiesFrom {
			walk(c)
		}
	}
	walk(target)
	var out []*dockerfile.Stage
	for _, s := range b.Stages.Stages {
		if seen[s] {
			out = append(out, s)
		}
	}
	return out
}

// noCacheFilterFlag is how a build names the stages to rebuild.
func noCacheFilterFlag(b *buildconfig.Build) string {
	switch b.Kind {
	case buildconfig.BuildPushAction:
		return "`no-cache-filters: <stage>`"
	case buildconfig.BakeAction, buildconfig.BuildxBake:
		return "`no-cache-filter = [\"<stage>\"]` in the bake target"
	}
	return "`--no-cache-filter <stage>`"
}

// shortText cuts a text for a message.
func shortText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-3]) + "..."
	}
	return s
}

// sourceText is the text of a configuration file between two positions,
// "" when they are not in one.
func sourceText(fset *token.FileSet, repo *buildconfig.Repo, pos, end token.Pos) string {
	f := repo.FileAt(pos)
	if f == nil || !end.IsValid() || fset.File(end) != f.Tok || end < pos {
		return ""
	}
	return string(f.Src[f.Tok.Offset(pos):f.Tok.Offset(end)])
}

// noCacheLine matches a line that only turns no-cache on, in YAML or HCL.
var noCacheLine = regexp.MustCompile(`^\s*(?:-\s*)?no-cache\s*[:=]\s*["']?(?:true|1)["']?\s*(?:#.*)?$`)

// removeNoCache returns the edits that remove the no-cache at pos: the
// flag and one blank next to it on a command line, the whole line of a
// `no-cache: true` input or a `no-cache = true` attribute. It returns
// none when the text there is not one of these (a JSON bake file, a
// --no-cache=true, an expression).
func removeNoCache(repo *buildconfig.Repo, pos, end token.Pos) []analysis.TextEdit {
	f := repo.FileAt(pos)
	if f == nil || path.Ext(f.Rel) == ".json" {
		return nil
	}
	src := f.Src
	off, eoff := f.Tok.Offset(pos), f.Tok.Offset(end)
	if eoff < off || eoff > len(src) {
		return nil
	}
	if string(src[off:eoff]) == "--no-cache" {
		switch {
		case eoff < len(src) && (src[eoff] == ' ' || src[eoff] == '\t'):
			return []analysis.TextEdit{{Pos: pos, End: end + 1}}
		case off > 0 && (src[off-1] == ' ' || src[off-1] == '\t'):
			return []analysis.TextEdit{{Pos: pos - 1, End: end}}
		}
		return nil
	}
	line := f.Tok.Line(pos)
	start := f.Tok.Offset(f.Tok.LineStart(line))
	stop := len(src)
	if line < f.Tok.LineCount() {
		stop = f.Tok.Offset(f.Tok.LineStart(line + 1))
	}
	text := strings.TrimRight(string(src[start:stop]), "\r\n")
	if !noCacheLine.MatchString(text) || strings.HasPrefix(strings.TrimSpace(text), "-") {
		return nil
	}
	return []analysis.TextEdit{{Pos: f.Pos(start), End: f.Pos(stop)}}
}
