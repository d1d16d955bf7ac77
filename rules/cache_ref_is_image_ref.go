package rules

import (
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// CacheRefIsImageRef flags a registry cache exported to the reference the
// build pushes its image to.
var CacheRefIsImageRef = &analysis.Analyzer{
	Name: "cache_ref_is_image_ref",
	Doc: `a registry cache is exported to the image's own tag

Why it matters for the cache: a registry cache export (type=registry)
pushes a cache manifest to its ref. When that ref is also a tag of the
image the same build pushes, both are written to one place: whichever is
pushed last replaces the other. Either the tag no longer points at a
runnable image (a pull fails or gets the cache manifest), or the cache is
gone and the next build imports nothing. The cache needs a reference of
its own.

Example:

    - uses: docker/build-push-action@v6
      with:
        push: true
        tags: ghcr.io/acme/app:latest
        cache-from: type=registry,ref=ghcr.io/acme/app:latest
        cache-to: type=registry,ref=ghcr.io/acme/app:latest,mode=max

Fix: give the cache a dedicated tag (or repository), and import it from
there:

    cache-from: type=registry,ref=ghcr.io/acme/app:buildcache
    cache-to: type=registry,ref=ghcr.io/acme/app:buildcache,mode=max

The image may be written by the same build or by another one (another
step, job or workflow pushing that tag): the two still overwrite each
other. The finding is reported on the ref of the cache-to entry; the edit
renames the tag to buildcache there and in the build's cache-from entries
that name the same ref. References are compared as a registry sees them
(docker.io/library/ dropped, :latest when no tag is given). The image's
references are its tags (tags:, -t, bake tags) and the names of its image
or registry outputs.

Not reported: the inline cache (type=inline with cache-from the image's
tag is how the inline cache is meant to be used); a ref that differs from
every tag; references with a variable or expression unless written the
same way in both places (${{ env.IMAGE }}:latest twice), and in the same
file when they are in two builds.

Sources:
- https://docs.docker.com/build/cache/backends/registry/
- https://docs.docker.com/build/cache/backends/#command-syntax`,
	URL:      docURL("cache-ref-is-image-ref"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runCacheRefIsImageRef,
}

func runCacheRefIsImageRef(pass *analysis.Pass) (any, error) {
	repo, _ := pass.ResultOf[buildconfig.Analyzer].(*buildconfig.Repo)
	if repo == nil {
		return nil, nil
	}
	reported := map[token.Pos]bool{}
	for _, b := range repo.Builds {
		if b.Legacy || len(b.CacheTo) == 0 {
			continue
		}
		for _, c := range b.CacheTo {
			ref, ok := refOf(c)
			if !ok {
				continue
			}
			norm := normalImageRef(ref)
			tag, writer, found := imageWithRef(repo, b, ref, norm)
			if !found {
				continue
			}
			pos, end := refSpan(repo, ref, c, b)
			if reported[pos] {
				continue
			}
			reported[pos] = true
			who := "this build writes"
			if writer != b {
				who = "that `" + writer.Name + "` writes"
			}
			pass.Report(analysis.Diagnostic{
				Pos: pos,
				End: end,
				Message: fmt.Sprintf("registry cache ref `%s` is also the tag `%s` of the image %s%s: "+
					"the cache manifest and the image overwrite each other, so either the tag or the cache is lost",
					shorten(ref.Text, 80), shorten(tag.Text, 80), who, placeOf(pass, repo, tag.Pos, pos)),
				SuggestedFixes: []analysis.SuggestedFix{cacheRefFix(repo, b, ref, norm)},
			})
		}
	}
	return nil, nil
}

// imageWithRef finds an image reference equal to a cache ref: one of the
// build's own, else one of another build. A reference with a variable
// matches another build's only when both are written alike in the same
// file, where the variable is likely the same.
func imageWithRef(repo *buildconfig.Repo, b *buildconfig.Build, ref buildconfig.Value, norm string) (buildconfig.Value, *buildconfig.Build, bool) {
	for _, t := range imageRefs(b) {
		if normalImageRef(t) == norm {
			return t, b, true
		}
	}
	dynamic := ref.Dynamic || hasDynamicPart(ref.Text)
	for _, o := range repo.Builds {
		if o == b || o.Legacy || dynamic && o.File != b.File {
			continue
		}
		for _, t := range imageRefs(o) {
			if normalImageRef(t) == norm {
				return t, o, true
			}
		}
	}
	return buildconfig.Value{}, nil, false
}

// placeOf says where a value is for a message: " (line 12)" in the file
// of the finding, " (path:12)" in another; "" when it has no place or is
// on the finding's line.
func placeOf(pass *analysis.Pass, repo *buildconfig.Repo, at, from token.Pos) string {
	if !at.IsValid() {
		return ""
	}
	line := pass.Fset.Position(at).Line
	if f := repo.FileAt(at); f != nil && f != repo.FileAt(from) {
		return fmt.Sprintf(" (%s:%d)", repoPath(f), line)
	}
	if line == pass.Fset.Position(from).Line {
		return "" // on the line of the finding
	}
	return fmt.Sprintf(" (line %d)", line)
}

// cacheRefFix moves the cache to a tag of its own, buildcache, in the
// cache-to entry and in the build's cache-from entries with the same ref.
func cacheRefFix(repo *buildconfig.Repo, b *buildconfig.Build, ref buildconfig.Value, norm string) analysis.SuggestedFix {
	r := repoOfRef(ref)
	if r == "" {
		return analysis.SuggestedFix{Message: "export the cache to a tag of its own, such as <repository>:buildcache, and import it from there"}
	}
	newRef := r + ":buildcache"
	fix := analysis.SuggestedFix{Message: fmt.Sprintf("export the cache to a tag of its own, ref=%s, and import it from there", newRef)}
	var edits []analysis.TextEdit
	seen := map[token.Pos]bool{}
	for _, c := range append(append([]*buildconfig.CacheSpec(nil), b.CacheTo...), b.CacheFrom...) {
		cr, ok := refOf(c)
		if !ok || normalImageRef(cr) != norm {
			continue
		}
		pos, end, exact := attrSpan(repo, cr)
		if !exact {
			return fix // all the entries or none
		}
		if seen[pos] {
			continue
		}
		seen[pos] = true
		edits = append(edits, analysis.TextEdit{Pos: pos, End: end, NewText: []byte(newRef)})
	}
	fix.TextEdits = edits
	return fix
}
