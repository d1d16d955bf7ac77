package rules

import (
	"fmt"
	"go/token"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
	"github.com/cachelint/cachelint/dockerfile"
)

// CacheMountsNotPersisted reports CI builds on fresh builders of
// Dockerfiles that rely on cache mounts.
var CacheMountsNotPersisted = &analysis.Analyzer{
	Name: "cache_mounts_not_persisted",
	Doc: `a CI job builds on a fresh builder a Dockerfile whose cache mounts nothing saves

Why it matters for the cache: a RUN --mount=type=cache directory lives in
the builder's own state. It is not part of the image, and no --cache-to
exports it. A GitHub-hosted runner, or a GitLab job with a docker:dind
service, starts every run with a new builder, so the mounts are empty
each time: the package downloads they are meant to keep happen on every
run, and only the layer cache (cache-from) helps. Keeping them takes a
step that saves the mount directories and puts them back into the
builder, such as reproducible-containers/buildkit-cache-dance with
actions/cache, or a builder that persists (a remote or cloud builder, a
self-hosted runner).

Example:

    # Dockerfile
    RUN --mount=type=cache,target=/root/.npm npm ci

    # .github/workflows/ci.yml
    runs-on: ubuntu-latest
    steps:
      - uses: docker/setup-buildx-action@v3
      - uses: docker/build-push-action@v6

Fix: save and restore the mounts around the build:

      - uses: actions/cache@v4
        with:
          path: npm-cache
          key: npm-cache-${{ hashFiles('package-lock.json') }}
      - uses: reproducible-containers/buildkit-cache-dance@v3
        with:
          cache-map: |
            { "npm-cache": "/root/.npm" }
      - uses: docker/build-push-action@v6

or accept it: the mounts still speed up builds on laptops and persistent
builders, and a layer cache export (mode=max) covers the steps that did
not change.

Reported (info): a build in a GitHub Actions job on GitHub-hosted
runners, or a GitLab CI job with a docker:dind service, on the docker or
docker-container driver, whose target stage, the stages it is built from
and the stages it copies from have a RUN with a cache mount, when no step
of the job mentions a cache dance (buildkit-cache-dance) or saves the
builder's state directory with actions/cache. Not reported: self-hosted
runners; remote, cloud or kubernetes builders and builders chosen by a
name; builds with no-cache (a cold build on purpose, such as a build-time
benchmark); a second build of the same Dockerfile on the same builder
in the job, which finds the mounts the first one filled; a target that
is an expression (a Dockerfile target, or bake
targets named by ${{ matrix.target }} unless every bake target it may be
has a cache mount); cache mounts only in stages the target does not
build.

Sources:
- https://docs.docker.com/build/ci/github-actions/cache/#cache-mounts
- https://docs.docker.com/build/cache/optimize/#use-cache-mounts
- https://github.com/moby/buildkit/issues/1474
- https://github.com/reproducible-containers/buildkit-cache-dance`,
	URL:      docURL("cache-mounts-not-persisted"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runCacheMountsNotPersisted,
}

func runCacheMountsNotPersisted(pass *analysis.Pass) (any, error) {
	repo := configRepo(pass)
	if repo == nil {
		return nil, nil
	}
	seen := onceAt{}
	warmed := map[warmKey]bool{}
	// A step that names its bake targets by an expression may build any
	// of the targets the expression matches: it is reported only when
	// each of them has a cache mount.
	unsure := map[*buildconfig.Step]bool{}
	for _, b := range repo.Builds {
		if b.Guessed && b.Step != nil {
			if st := b.Stage(); st == nil {
				unsure[b.Step] = true
			} else if in, _ := firstCacheMount(st); in == nil {
				unsure[b.Step] = true
			}
		}
	}
	for _, b := range repo.Builds {
		if b.Guessed && unsure[b.Step] {
			continue
		}
		if b.Job == nil || !b.Job.Hosted || b.Builder == nil || b.Builder.KeepState || b.NoCache.IsSet() {
			continue
		}
		if d := b.Builder.Driver; d != "docker" && d != "docker-container" {
			continue
		}
		st := b.Stage()
		if st == nil {
			continue
		}
		in, m := firstCacheMount(st)
		if in == nil || persistsMounts(b.Job) {
			continue
		}
		if f, p, _ := buildSite(b); !seen.first(p) || f == nil {
			continue
		}
		// A later build of the same Dockerfile on the same builder in
		// the job finds the mounts that the first one filled.
		key := warmKey{b.Job, b.Builder, b.DockerfilePath}
		if b.Builder.Default {
			key.builder = nil
		}
		if b.DockerfilePath != "" && warmed[key] {
			continue
		}
		warmed[key] = true
		runner := "GitHub-hosted runners"
		if jobFile(b).Kind == buildconfig.GitLab {
			runner = "a fresh docker:dind service"
		}
		target := ""
		if m.Target != "" {
			target = fmt.Sprintf(" (`target=%s`)", m.Target)
		}
		pos, end := firstLine(buildSite(b))
		pass.Report(analysis.Diagnostic{
			Pos: pos, End: end,
			Message: fmt.Sprintf("job %q builds %s on %s, a new builder every run, and its RUN on line %d uses a cache mount%s: nothing saves the builder's cache mounts between runs, so they start empty every time",
				b.Job.Name, dockerfileName(b), runner, in.StartLine, target),
			SuggestedFixes: []analysis.SuggestedFix{{Message: "save and restore the mounts with actions/cache and reproducible-containers/buildkit-cache-dance, or rely on an exported layer cache (mode=max)"}},
		})
	}
	return nil, nil
}

// warmKey is a Dockerfile built on a builder in a job; builder is nil
// for the default builder.
type warmKey struct {
	job     *buildconfig.Job
	builder *buildconfig.Builder
	df      string
}

// firstCacheMount finds the first RUN with a cache mount among the
// stages a target builds: the target, the stages it is built FROM and the
// stages they copy files from.
func firstCacheMount(target *dockerfile.Stage) (*dockerfile.Instruction, *dockerfile.Mount) {
	var stages []*dockerfile.Stage
	done := map[*dockerfile.Stage]bool{}
	var visit func(s *dockerfile.Stage)
	visit = func(s *dockerfile.Stage) {
		if s == nil || done[s] {
			return
		}
		done[s] = true
		stages = append(stages, s)
		visit(s.BaseStage)
		for _, c := range s.CopiesFrom {
			visit(c)
		}
	}
	visit(target)
	var best *dockerfile.Instruction
	var bestMount *dockerfile.Mount
	for _, s := range stages {
		for _, in := range s.Instructions {
			if in.Run == nil || best != nil && in.StartLine >= best.StartLine {
				continue
			}
			for _, m := range in.Run.Mounts {
				if m.Mount != nil && m.Type == instructions.MountTypeCache && m.Known("type") {
					best, bestMount = in, m
					break
				}
			}
		}
	}
	return best, bestMount
}

// persistsMounts reports whether a job saves the builder's cache mounts:
// a cache dance step, or actions/cache of the builder's state.
func persistsMounts(j *buildconfig.Job) bool {
	for _, st := range j.Steps {
		text := strings.ToLower(st.Uses + "\n" + st.Run.Text)
		if strings.Contains(text, "cache-dance") {
			return true
		}
		u := strings.ToLower(st.Uses)
		if u == "actions/cache" || u == "actions/cache/save" {
			p := st.With["path"].Text
			if strings.Contains(p, "/var/lib/buildkit") || strings.Contains(p, "/var/lib/docker") {
				return true
			}
		}
	}
	return false
}

// buildSite is where a build is invoked: its step in the workflow for a
// bake target that a workflow step builds, else the build itself.
func buildSite(b *buildconfig.Build) (f *buildconfig.File, pos, end token.Pos) {
	if b.Step != nil && b.File != jobFile(b) {
		return jobFile(b), b.Step.Pos, b.Step.End
	}
	return b.File, b.Pos, b.End
}

// firstLine narrows a span to its first line: a finding about a whole
// step is shown on its first line.
func firstLine(f *buildconfig.File, pos, end token.Pos) (token.Pos, token.Pos) {
	if f == nil || f.Tok == nil || !pos.IsValid() || !end.IsValid() {
		return pos, end
	}
	off, e := f.Tok.Offset(pos), f.Tok.Offset(end)
	for i := off; i < e && i < len(f.Src); i++ {
		if f.Src[i] == '\n' || f.Src[i] == '\r' {
			return pos, f.Pos(i)
		}
	}
	return pos, end
}
