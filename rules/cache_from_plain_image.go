package rules

import (
	"fmt"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// CacheFromPlainImage flags a cache import from an image that the
// repository builds without cache metadata.
var CacheFromPlainImage = &analysis.Analyzer{
	Name: "cache_from_plain_image",
	Doc: `cache-from names an image built without cache metadata

Why it matters for the cache: BuildKit can import cache from an image only
when the image carries cache metadata, written by the inline cache
(cache-to type=inline, or the build argument BUILDKIT_INLINE_CACHE=1), or
from a cache manifest a registry cache export wrote (cache-to
type=registry). A plain image, as a build pushes it by default, has
neither: --cache-from pointing at it imports nothing, without an error or
a warning, and every step runs again. The classic builder could use any
pulled image as a cache source; BuildKit, the default builder since
Docker 23 and the one buildx and the Docker actions use, cannot. Builds
moved over from the classic builder keep "docker pull app:latest ||
true; docker build --cache-from app:latest" and silently lose their
cache.

Example:

    build:
      script:
        - docker pull $CI_REGISTRY_IMAGE:latest || true
        - docker build --cache-from $CI_REGISTRY_IMAGE:latest -t $CI_REGISTRY_IMAGE:latest .
        - docker push $CI_REGISTRY_IMAGE:latest

Fix: write the cache metadata into the image the build pushes:

    docker build --build-arg BUILDKIT_INLINE_CACHE=1 \
      --cache-from $CI_REGISTRY_IMAGE:latest -t $CI_REGISTRY_IMAGE:latest .

or, better for multi-stage Dockerfiles (the inline cache has no max mode),
export a registry cache to a reference of its own and import that:

    docker buildx build \
      --cache-to type=registry,ref=$CI_REGISTRY_IMAGE:buildcache,mode=max \
      --cache-from type=registry,ref=$CI_REGISTRY_IMAGE:buildcache \
      -t $CI_REGISTRY_IMAGE:latest --push .

The finding is reported on the cache-from entry (a bare reference
counts as type=registry) and names the build of the repository that
writes the image. It is reported when some build of the repository tags
the image (tags:, -t, bake tags, an image output), no build that tags it
writes the inline cache, and no build exports a registry cache that may
be at that reference.

Not reported: an image no build of the repository writes (a base image,
an image of another repository, which may well carry inline cache); an
import by the classic builder (DOCKER_BUILDKIT=0, or GitLab's docker:20.10
and older), which can use plain images; references with a variable or
expression unless written alike in the same file; a repository where a
cache export's type, or the inline cache build argument, is an
expression, or a registry cache export's ref may be the image's (a
variable in it).

Sources:
- https://github.com/moby/buildkit/issues/2012
- https://github.com/moby/moby/issues/39003
- https://docs.docker.com/build/cache/backends/inline/
- https://docs.gitlab.com/ci/docker/docker_layer_caching/`,
	URL:      docURL("cache-from-plain-image"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runCacheFromPlainImage,
}

func runCacheFromPlainImage(pass *analysis.Pass) (any, error) {
	repo, _ := pass.ResultOf[buildconfig.Analyzer].(*buildconfig.Repo)
	if repo == nil {
		return nil, nil
	}
	// Exports that could write cache metadata anywhere: an export of an
	// unknown type, an inline cache argument given by a variable. The
	// rule stays quiet in such a repository.
	var registryRefs []buildconfig.Value
	for _, b := range repo.Builds {
		for _, c := range b.CacheTo {
			if c.Type == "" {
				return nil, nil
			}
			if ref, ok := refOf(c); ok {
				registryRefs = append(registryRefs, ref)
			} else if c.Type == "registry" {
				return nil, nil // a registry export without a ref we can read
			}
		}
		for _, a := range b.BuildArgs {
			if a.Name == "BUILDKIT_INLINE_CACHE" && (a.Value.Dynamic || !a.HasValue) {
				return nil, nil
			}
		}
	}
	reported := map[token.Pos]bool{}
	for _, b := range repo.Builds {
		if why, _ := classicBuilder(pass.Fset, b); why != "" {
			continue
		}
		for _, c := range b.CacheFrom {
			ref, ok := refOf(c)
			if !ok {
				continue
			}
			writers, tag := imageWriters(repo, b, ref)
			if len(writers) == 0 || anyExportsInline(writers) || mayBeCacheRef(ref, registryRefs) {
				continue
			}
			pos, end := refSpan(repo, ref, c, b)
			if reported[pos] {
				continue
			}
			reported[pos] = true
			w := writers[0]
			who := "this build writes"
			if w != b {
				who = "that `" + w.Name + "` writes"
			}
			pass.Report(analysis.Diagnostic{
				Pos: pos,
				End: end,
				Message: fmt.Sprintf("cache-from `%s` is the image %s%s without inline cache, and no registry cache is exported there: "+
					"BuildKit finds no cache metadata in a plain image and silently imports nothing",
					shorten(ref.Text, 80), who, placeOf(pass, repo, tag.Pos, pos)),
				SuggestedFixes: []analysis.SuggestedFix{{Message: plainImageHelp(w, ref)}},
			})
		}
	}
	return nil, nil
}

// imageWriters returns the builds of the repository that tag an image
// reference (the reading build first when it does), and the first such
// tag. A reference with a variable matches another build's only when
// written alike in the same file.
func imageWriters(repo *buildconfig.Repo, b *buildconfig.Build, ref buildconfig.Value) ([]*buildconfig.Build, buildconfig.Value) {
	norm := normalImageRef(ref)
	dynamic := ref.Dynamic || hasDynamicPart(ref.Text)
	var out []*buildconfig.Build
	var tag buildconfig.Value
	add := func(o *buildconfig.Build) {
		for _, t := range imageRefs(o) {
			if normalImageRef(t) == norm {
				if len(out) == 0 {
					tag = t
				}
				out = append(out, o)
				return
			}
		}
	}
	add(b)
	for _, o := range repo.Builds {
		if o != b && (!dynamic || o.File == b.File) {
			add(o)
		}
	}
	return out, tag
}

func anyExportsInline(builds []*buildconfig.Build) bool {
	for _, b := range builds {
		if exportsInline(b) {
			return true
		}
	}
	return false
}

// plainImageHelp says how to give the image cache metadata.
func plainImageHelp(w *buildconfig.Build, ref buildconfig.Value) string {
	inline := "--build-arg BUILDKIT_INLINE_CACHE=1"
	if w.Kind == buildconfig.BuildPushAction || w.Kind == buildconfig.BakeAction {
		inline = "cache-to: type=inline"
	}
	r := repoOfRef(ref)
	if r == "" {
		r = "<repository>"
	}
	return fmt.Sprintf("write the inline cache into the image where it is built (%s), or better export a registry cache to a ref of its own "+
		"(cache-to type=registry,ref=%s:buildcache,mode=max) and import that", inline, r)
}

// mayBeCacheRef reports whether an image reference may be the ref of one
// of the registry cache exports: equal, or equal for some value of their
// variables.
func mayBeCacheRef(ref buildconfig.Value, exports []buildconfig.Value) bool {
	for _, e := range exports {
		if refsMayMatch(ref, e) {
			return true
		}
	}
	return false
}

// refsMayMatch reports whether two references may name the same image:
// equal, or equal for some value of their run-time parts (each may stand
// for any text).
func refsMayMatch(a, b buildconfig.Value) bool {
	na, nb := normalImageRef(a), normalImageRef(b)
	if na == nb {
		return true
	}
	da, db := dynamicParts(na), dynamicParts(nb)
	switch {
	case len(da) == 0 && len(db) == 0:
		return false
	case len(db) == 0:
		return holesMatch(na, da, nb) || holesMatch(na, da, strings.TrimSpace(b.Text))
	case len(da) == 0:
		return holesMatch(nb, db, na) || holesMatch(nb, db, strings.TrimSpace(a.Text))
	}
	// Both have run-time parts: they may match when their literal
	// beginnings and ends agree.
	return mayEqual(na, nb)
}

// holesMatch reports whether s is pattern with each of its holes (spans
// of pattern, in order) replaced by some text.
func holesMatch(pattern string, holes [][2]int, s string) bool {
	if !strings.HasPrefix(s, pattern[:holes[0][0]]) {
		return false
	}
	rest := s[holes[0][0]:]
	for k, h := range holes {
		next := len(pattern)
		if k+1 < len(holes) {
			next = holes[k+1][0]
		}
		lit := pattern[h[1]:next]
		if k+1 == len(holes) {
			return strings.HasSuffix(rest, lit)
		}
		i := strings.Index(rest, lit)
		if i < 0 {
			return false
		}
		rest = rest[i+len(lit):]
	}
	return true
}
