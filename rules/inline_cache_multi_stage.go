package rules

import (
	"fmt"
	"go/token"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// InlineCacheMultiStage flags the inline cache for a build whose target
// needs the work of other stages.
var InlineCacheMultiStage = &analysis.Analyzer{
	Name: "inline_cache_multi_stage",
	Doc: `inline cache for a target built from other stages

Why it matters for the cache: the inline cache (cache-to type=inline, or
the build argument BUILDKIT_INLINE_CACHE=1) writes the cache metadata into
the pushed image itself. It can only describe the layers the image has:
those of the target stage and of the stages it is built FROM. It has no
max mode. The stages the target only copies or mounts files from (a
builder stage that installs dependencies and compiles) are not in the
image, so a later build that imports the image as cache finds nothing for
them and runs their steps again from scratch, whenever anything in the
image misses the cache. The inline cache was also reported to hit only on
every second build in some setups (moby/buildkit#1981).

Example:

    # Dockerfile: FROM node AS build / RUN npm ci / RUN npm run build
    #             FROM nginx / COPY --from=build /app/dist /usr/share/nginx/html
    docker build --build-arg BUILDKIT_INLINE_CACHE=1 \
      --cache-from registry.example.com/web:latest \
      -t registry.example.com/web:latest .

Fix: export a separate registry cache in max mode, and import it:

    docker buildx build \
      --cache-to type=registry,ref=registry.example.com/web:buildcache,mode=max \
      --cache-from type=registry,ref=registry.example.com/web:buildcache \
      -t registry.example.com/web:latest --push .

A registry cache needs a builder that can export it (docker buildx create
--use, docker/setup-buildx-action). The finding is reported on the
type=inline entry or on the build argument, and names the stage the
target copies from and its first expensive step (an OS package or
dependency install, a compile, a project build script).

Not reported: a target that is the only stage, or that is built FROM the
stages that do the work (FROM deps AS app): the inline cache holds all of
them and is the simplest choice there; a target whose other stages only
copy files or download a single binary; a stage whose cache the build
imports from another build that pushes that stage as its own image with
the inline cache (each stage built on its own, all listed in
cache-from); BUILDKIT_INLINE_CACHE given by a
variable or set to a false value; a build by the classic builder
(DOCKER_BUILDKIT=0), which ignores it; a build whose Dockerfile or target
is not known.

Sources:
- https://docs.docker.com/build/cache/backends/inline/
- https://docs.docker.com/build/ci/github-actions/cache/#inline-cache
- https://docs.docker.com/build/cache/backends/#cache-mode
- https://github.com/moby/buildkit/issues/1981`,
	URL:      docURL("inline-cache-multi-stage"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runInlineCacheMultiStage,
}

// inlineUse is where a build asks for the inline cache.
type inlineUse struct {
	pos, end token.Pos
	what     string // how to name it in a message
}

// inlineUses returns where a build turns the inline cache on: its
// type=inline exports and a BUILDKIT_INLINE_CACHE build argument with a
// true value.
func inlineUses(b *buildconfig.Build) []inlineUse {
	var out []inlineUse
	for _, c := range b.CacheTo {
		if c.Type == "inline" {
			out = append(out, inlineUse{c.Pos, c.End, "`" + shorten(strings.TrimSpace(c.Text), 40) + "`"})
		}
	}
	for _, a := range b.BuildArgs {
		if inlineCacheArg(a) {
			out = append(out, inlineUse{a.Pos, a.End, "`BUILDKIT_INLINE_CACHE=" + strings.TrimSpace(a.Value.Text) + "`"})
		}
	}
	return out
}

// inlineCacheArg reports whether a build argument turns the inline cache
// on: BUILDKIT_INLINE_CACHE with a true value (1, true), as BuildKit reads
// it.
func inlineCacheArg(a buildconfig.BuildArg) bool {
	if a.Name != "BUILDKIT_INLINE_CACHE" || !a.HasValue || a.Value.Dynamic {
		return false
	}
	on, err := strconv.ParseBool(strings.Trim(strings.TrimSpace(a.Value.Text), `"'`))
	return err == nil && on
}

// exportsInline reports whether a build writes the inline cache into its
// image.
func exportsInline(b *buildconfig.Build) bool {
	return !b.Legacy && b.Kind != buildconfig.Kaniko && len(inlineUses(b)) > 0
}

func runInlineCacheMultiStage(pass *analysis.Pass) (any, error) {
	repo, _ := pass.ResultOf[buildconfig.Analyzer].(*buildconfig.Repo)
	if repo == nil {
		return nil, nil
	}
	reported := map[token.Pos]bool{}
	for _, b := range repo.Builds {
		if b.Legacy || b.Kind == buildconfig.Kaniko {
			continue
		}
		uses := inlineUses(b)
		if len(uses) == 0 {
			continue
		}
		w, ok := targetSideWork(repo, b)
		if !ok {
			continue
		}
		for _, u := range uses {
			pos, end := u.pos, u.end
			if !pos.IsValid() {
				pos, end = b.Pos, b.Pos
			}
			if reported[pos] {
				continue
			}
			reported[pos] = true
			pass.Report(analysis.Diagnostic{
				Pos: pos,
				End: end,
				Message: fmt.Sprintf("inline cache %s holds only the image's own layers (it has no max mode), so a fresh builder repeats "+
					"the work of the stages the image is not built FROM: %s", u.what, w.Describe(b.DockerfilePath)),
				SuggestedFixes: []analysis.SuggestedFix{{Message: inlineFixHelp(b)}},
			})
		}
	}
	return nil, nil
}

// inlineFixHelp says how to replace the inline cache by a registry cache,
// with the build's image repository when it has a literal one.
func inlineFixHelp(b *buildconfig.Build) string {
	repo := "<image>"
	for _, t := range imageRefs(b) {
		if r := repoOfRef(t); r != "" {
			repo = r
			break
		}
	}
	tag := "buildcache"
	own := ""
	if b.BakeTarget != "" {
		// Bake targets (a matrix's entries too) often share an entry:
		// one ref for all would make them overwrite each other (CL105).
		tag = "buildcache-<target>"
		own = ", a ref of its own for each bake target,"
	}
	return fmt.Sprintf("export a registry cache in max mode instead, cache-to type=registry,ref=%s:%s,mode=max%s "+
		"and import it with cache-from type=registry,ref=%s:%s (on a docker-container builder)", repo, tag, own, repo, tag)
}

// repoOfRef is the repository of an image reference without its tag or
// digest; "" when it holds a variable.
func repoOfRef(v buildconfig.Value) string {
	s := strings.TrimSpace(v.Text)
	if s == "" || strings.ContainsAny(s, ", \n") {
		return ""
	}
	if !hasDynamicPart(s) {
		if i := strings.Index(s, "@"); i >= 0 {
			s = s[:i]
		}
		if i := strings.LastIndex(s, ":"); i > strings.LastIndex(s, "/") {
			s = s[:i]
		}
		return s
	}
	// $CI_REGISTRY_IMAGE:latest, ${{ env.IMAGE }}:main: the tag is
	// literal, the repository is the rest.
	i := strings.LastIndex(s, ":")
	if i <= 0 || hasDynamicPart(s[i+1:]) || strings.ContainsAny(s[i+1:], "{}/") {
		return ""
	}
	return s[:i]
}
