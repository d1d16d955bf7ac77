package rules

import (
	"fmt"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// CacheToWithoutModeMax flags a cache export in the default min mode for a
// build whose target needs the work of other stages.
var CacheToWithoutModeMax = &analysis.Analyzer{
	Name: "cache_to_without_mode_max",
	Doc: `a cache export without mode=max for a target built from other stages

Why it matters for the cache: a cache export (cache-to, --cache-to,
--export-cache) keeps by default only the layers of the image it builds:
the target stage and the stages it is built FROM. This is the min mode.
The stages the target only copies or mounts files from (a builder stage
that installs dependencies and compiles) are not in the image, so they are
not in the cache either. On a fresh CI builder (a GitHub-hosted runner, a
new docker-container builder) their steps run again from scratch as soon
as anything in the image misses the cache, even when their own inputs did
not change. With mode=max every step of every stage the build runs is
exported, and the dependency install of the builder stage is found in the
cache the next time.

Example:

    # Dockerfile: FROM golang AS build / RUN go mod download / ...
    #             FROM alpine / COPY --from=build /app /app
    - uses: docker/build-push-action@v6
      with:
        push: true
        tags: ghcr.io/acme/app:latest
        cache-from: type=gha
        cache-to: type=gha

Fix: add mode=max to the export:

    cache-to: type=gha,mode=max

The finding is reported on the cache-to entry, and names the stage the
target copies from and its first expensive step (an OS package or
dependency install, a compile, a project build script). Exports of type
registry, local, gha, s3 and azblob are checked; the inline cache has only
min mode (see inline-cache-multi-stage).

Not reported: a target that is the only stage, or that is built FROM the
stages that do the work (FROM deps AS app): min mode holds all of them; a
target whose other stages only copy files or download a single binary; a
stage whose cache the build imports from another build of the same
Dockerfile that builds it as its target (each stage built and cached on
its own, all listed in cache-from); an
entry that sets mode at all (mode=min is taken as deliberate, for example
to save registry storage) or whose type is not known (an expression); a
build whose Dockerfile, or whose target, is not known (a variable, a
Dockerfile outside the repository). The edit appends ,mode=max to the
entry when the entry is written as one piece in the file; a bare
reference (cache-to: user/app:cache) becomes
type=registry,ref=user/app:cache,mode=max, since buildx does not read a
bare reference followed by options.

Sources:
- https://docs.docker.com/build/cache/backends/#cache-mode
- https://docs.docker.com/build/cache/backends/registry/
- https://docs.docker.com/build/ci/github-actions/cache/
- https://github.com/moby/buildkit#export-cache`,
	URL:      docURL("cache-to-without-mode-max"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runCacheToWithoutModeMax,
}

// modeMaxTypes are the cache exporters that have a max mode.
var modeMaxTypes = []string{"registry", "local", "gha", "s3", "azblob"}

func runCacheToWithoutModeMax(pass *analysis.Pass) (any, error) {
	repo, _ := pass.ResultOf[buildconfig.Analyzer].(*buildconfig.Repo)
	if repo == nil {
		return nil, nil
	}
	reported := map[string]bool{}
	for _, b := range repo.Builds {
		if b.Legacy || len(b.CacheTo) == 0 {
			continue
		}
		var w sideWork
		known := false
		for _, c := range b.CacheTo {
			if !oneOf(c.Type, modeMaxTypes...) {
				continue
			}
			if _, ok := c.Get("mode"); ok {
				continue
			}
			if !known {
				var ok bool
				if w, ok = targetSideWork(repo, b); !ok {
					break
				}
				known = true
			}
			pos, end := c.Pos, c.End
			if !pos.IsValid() {
				pos, end = b.Pos, b.Pos
			}
			key := fmt.Sprintf("%d:%s", pos, c.Text)
			if reported[key] {
				continue
			}
			reported[key] = true
			entry := strings.TrimSpace(c.Text)
			pass.Report(analysis.Diagnostic{
				Pos: pos,
				End: end,
				Message: fmt.Sprintf("cache export `%s` without mode=max keeps only the image's own layers, so a fresh builder repeats "+
					"the work of the stages the image is not built FROM: %s", shorten(entry, 60), w.Describe(b.DockerfilePath)),
				SuggestedFixes: []analysis.SuggestedFix{modeMaxFix(repo, c)},
			})
		}
	}
	return nil, nil
}

// modeMaxFix adds mode=max to a cache export: an edit when the entry is
// written as one piece, else a help text alone.
func modeMaxFix(repo *buildconfig.Repo, c *buildconfig.CacheSpec) analysis.SuggestedFix {
	text := strings.TrimSpace(c.Text)
	bare := !strings.Contains(text, "=")
	fixed := text + ",mode=max"
	if bare {
		fixed = "type=registry,ref=" + text + ",mode=max"
	}
	fix := analysis.SuggestedFix{Message: fmt.Sprintf("export the layers of every stage: %s", fixed)}
	if !writtenAt(repo, c.Value) || strings.Contains(text, "\n") {
		return fix
	}
	if bare {
		fix.TextEdits = []analysis.TextEdit{{Pos: c.Pos, End: c.End, NewText: []byte(fixed)}}
	} else {
		fix.TextEdits = []analysis.TextEdit{{Pos: c.End, End: c.End, NewText: []byte(",mode=max")}}
	}
	return fix
}

// shorten cuts a text for a message.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-3]) + "..."
	}
	return s
}
