package rules

import (
	"fmt"
	"go/token"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// RegistryCacheManifestCompat reports cache manifest settings that
// BuildKit or the registry refuses.
var RegistryCacheManifestCompat = &analysis.Analyzer{
	Name: "registry_cache_manifest_compat",
	Doc: `a registry cache export uses a manifest format that BuildKit or the registry refuses

Why it matters for the cache: a registry cache is pushed either as a
manifest list of its own kind or, with image-manifest=true, as an OCI
image manifest. The image manifest form needs OCI media types: BuildKit
stops the export when image-manifest=true comes with oci-mediatypes=false
(an error here). Some registries, Amazon ECR among them, refuse the
manifest list form; BuildKit writes the
image manifest form by default only since v0.21, so an older BuildKit
pushing cache there fails or leaves no cache (info here).

Example:

    - uses: docker/setup-buildx-action@v3
      with:
        driver-opts: image=moby/buildkit:v0.15.2
    - uses: docker/build-push-action@v6
      with:
        cache-to: type=registry,ref=123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:cache,mode=max

Fix: ask for the image manifest form with OCI media types:

        cache-to: type=registry,ref=123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:cache,mode=max,image-manifest=true,oci-mediatypes=true

or use a BuildKit of v0.21 or later.

Reported: a registry or local cache-to with image-manifest=true and
oci-mediatypes=false (error); a registry cache-to whose reference is on
ECR (*.dkr.ecr.*.amazonaws.com) without
image-manifest=true, when the builder's BuildKit is known to be older
than v0.21: a docker-container builder pinned to such a moby/buildkit
image (driver-opts image=...), or buildctl run in a job whose image is
one. Not reported: builders whose BuildKit is the default (the latest
release for setup-buildx-action and docker buildx create) or unknown;
references whose registry is an expression; Artifact Registry
(*-docker.pkg.dev, and gcr.io, which it now serves), which takes both
forms.

Sources:
- https://docs.docker.com/build/cache/backends/#oci-media-types
- https://docs.docker.com/build/cache/backends/registry/
- https://github.com/moby/buildkit/pull/5892
- https://github.com/moby/buildkit/issues/1143
- https://github.com/aws/containers-roadmap/issues/876`,
	URL:      docURL("registry-cache-manifest-compat"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runRegistryCacheManifestCompat,
}

func runRegistryCacheManifestCompat(pass *analysis.Pass) (any, error) {
	repo := configRepo(pass)
	if repo == nil {
		return nil, nil
	}
	seen := onceAt{}
	for _, b := range repo.Builds {
		for _, c := range b.CacheTo {
			if (c.Type != "registry" && c.Type != "local") || !c.Pos.IsValid() {
				continue
			}
			im, hasIM := c.Get("image-manifest")
			oci, hasOCI := c.Get("oci-mediatypes")
			if hasIM && isTrue(im) && hasOCI && isFalse(oci) {
				if seen.first(c.Pos) {
					reportManifestWithoutOCI(pass, c, oci)
				}
				continue
			}
			if c.Type != "registry" || hasIM && (isTrue(im) || im.Dynamic) {
				continue
			}
			ref, _ := c.Get("ref")
			registry := manifestListRejecter(ref)
			if registry == "" {
				continue
			}
			version, where, ok := builderBuildkitMinor(b)
			if !ok || version >= 21 || !seen.first(c.Pos) {
				continue
			}
			reportManifestListRegistry(pass, c, registry, version, where, hasIM, hasOCI, oci)
		}
	}
	return nil, nil
}

func isTrue(v buildconfig.Value) bool {
	return !v.Dynamic && strings.EqualFold(strings.TrimSpace(v.Text), "true")
}

func isFalse(v buildconfig.Value) bool {
	return !v.Dynamic && strings.EqualFold(strings.TrimSpace(v.Text), "false")
}

// manifestListRejecter names the registry of a cache reference when it
// is one that refuses cache manifest lists: ECR. (Google Container
// Registry refused them too, but gcr.io is now served by Artifact
// Registry, which takes them.)
func manifestListRejecter(ref buildconfig.Value) string {
	host, _, ok := strings.Cut(strings.TrimSpace(ref.Text), "/")
	if !ok || strings.ContainsAny(host, "${}`") {
		return ""
	}
	host = strings.ToLower(host)
	if strings.Contains(host, ".dkr.ecr.") && strings.HasSuffix(host, ".amazonaws.com") {
		return "Amazon ECR"
	}
	return ""
}

// buildkitImage matches a pinned moby/buildkit image: its minor version.
var buildkitImage = regexp.MustCompile(`^(?:docker\.io/)?moby/buildkit:v?0\.(\d+)(?:\.\d+)?(?:-[a-z0-9.-]+)?$`)

// builderBuildkitMinor is the minor version of v0.x of the BuildKit a build
// runs on, when it is known, and where that is said.
func builderBuildkitMinor(b *buildconfig.Build) (minor int, where string, ok bool) {
	img := ""
	switch {
	case b.Kind == buildconfig.Buildctl && b.Job != nil && !b.Job.Image.Dynamic:
		img, where = b.Job.Image.Text, "the job's image"
	case b.Builder != nil && b.Builder.Driver == "docker-container" && b.Builder.Image != "":
		img, where = b.Builder.Image, "the builder's image"
		if b.Builder.Pos.IsValid() {
			where = fmt.Sprintf("the builder set up on line %d", jobFile(b).Tok.Line(b.Builder.Pos))
		}
	default:
		return 0, "", false
	}
	m := buildkitImage.FindStringSubmatch(strings.TrimSpace(img))
	if m == nil {
		return 0, "", false
	}
	minor, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, "", false
	}
	return minor, where + " (" + strings.TrimSpace(img) + ")", true
}

func reportManifestWithoutOCI(pass *analysis.Pass, c *buildconfig.CacheSpec, oci buildconfig.Value) {
	fix := analysis.SuggestedFix{Message: "set `oci-mediatypes=true`, or drop it (true is the default)"}
	if e, ok := replaceAttrValue(c, oci, "true"); ok {
		fix.TextEdits = []analysis.TextEdit{e}
	}
	pass.Report(analysis.Diagnostic{
		Pos: c.Pos, End: c.End, Category: RaiseToError,
		Message:        "cache export asks for `image-manifest=true` with `oci-mediatypes=false`: BuildKit writes the image manifest form only with OCI media types and stops the export",
		SuggestedFixes: []analysis.SuggestedFix{fix},
	})
}

// replaceAttrValue is an edit that replaces the value of a key=value
// field of a cache spec, when the field is written as its text.
func replaceAttrValue(c *buildconfig.CacheSpec, attr buildconfig.Value, text string) (analysis.TextEdit, bool) {
	if !c.Verbatim() || !attr.Pos.IsValid() {
		return analysis.TextEdit{}, false
	}
	val := strings.TrimSpace(attr.Text)
	start, end := int(attr.Pos-c.Pos), int(attr.End-c.Pos)
	if start < 0 || end > len(c.Text) || !strings.HasSuffix(c.Text[start:end], "="+val) {
		return analysis.TextEdit{}, false
	}
	return analysis.TextEdit{Pos: attr.End - token.Pos(len(val)), End: attr.End, NewText: []byte(text)}, true
}

func reportManifestListRegistry(pass *analysis.Pass, c *buildconfig.CacheSpec, registry string, minor int, where string, hasIM, hasOCI bool, oci buildconfig.Value) {
	msg := fmt.Sprintf("registry cache on %s without `image-manifest=true`, built with BuildKit v0.%d from %s: before v0.21 BuildKit pushes the cache as a manifest list, which %s refuses",
		registry, minor, where, registry)
	fix := analysis.SuggestedFix{Message: "append `,image-manifest=true,oci-mediatypes=true`, or use BuildKit v0.21 or later"}
	if minor < 12 {
		fix.Message = "use BuildKit v0.12 or later and append `,image-manifest=true,oci-mediatypes=true` (v0.21 and later do it by default)"
	} else if c.Verbatim() && !hasIM {
		add := ",image-manifest=true,oci-mediatypes=true"
		switch {
		case hasOCI && isTrue(oci):
			add = ",image-manifest=true"
		case hasOCI:
			add = ""
		}
		if add != "" {
			fix.TextEdits = []analysis.TextEdit{{Pos: c.End, End: c.End, NewText: []byte(add)}}
		}
	}
	pass.Report(analysis.Diagnostic{Pos: c.Pos, End: c.End, Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
}
