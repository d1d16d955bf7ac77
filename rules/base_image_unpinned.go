package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// BaseImageUnpinned flags FROM an image with no tag or the latest tag.
var BaseImageUnpinned = &analysis.Analyzer{
	Name: "base_image_unpinned",
	Doc: `FROM names an image without a tag, or with the latest tag, and no digest

Why it matters for the cache: every layer of a stage is cached on top of
its base image. An image named without a tag means its latest tag, which
the publisher moves whenever they push. When it moves, each builder that
pulls it misses the cache for the whole stage; builders that resolved
different images cannot share cache, and the same Dockerfile builds
different images on different days.

Example:

    FROM python
    RUN pip install --no-cache-dir requests

Fix: name a version tag and pin its digest. The digest is not known to
cachelint, so there is no automatic edit; look it up with
docker buildx imagetools inspect python:3.12-slim (the digest of the
index, so that every platform is pinned) and write it after the tag:

    FROM python:3.12-slim@sha256:2f0e...9c

A tool such as Renovate or Dependabot can then keep the pin up to date.

The image is read after substituting global ARGs with a default
(FROM ${BASE} with ARG BASE=python is python). Not reported: scratch, a
stage of the same Dockerfile, an image with a digest (image@sha256:...,
image:tag@sha256:...), an image with a tag other than latest, and an
image whose tag depends on an ARG without a default (it is given at build
time). A registry with a port is not a tag: localhost:5000/app has no tag.
A single word that is not one of Docker Hub's official images (FROM
app-base, FROM myapp:latest) names an image built locally or a named
build context (--build-context), not a published image, and is not
reported either.

Sources:
- https://docs.docker.com/build/building/best-practices/#pin-base-image-versions
- https://docs.docker.com/reference/dockerfile/#from
- https://docs.docker.com/reference/cli/docker/buildx/imagetools/inspect/`,
	URL:      docURL("base-image-unpinned"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runBaseImageUnpinned,
}

func runBaseImageUnpinned(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	for _, s := range f.Stages {
		in := s.From
		if s.BaseStage != nil || in == nil || in.Err != nil || len(in.Args) == 0 {
			continue
		}
		word := in.Args[0]
		value, used, ok := expandMarked(f, in.Env, word.Text)
		if !ok {
			continue
		}
		name, tag, pinned := imageTag(value)
		if pinned || strings.EqualFold(value, "scratch") || !validImageName(name) || isLocalImageName(name) || selectsStage(f, word.Text) {
			continue
		}
		var what string
		switch {
		case tag == "" && strings.HasSuffix(value, ":"):
			continue // an empty tag from an ARG: the build must give one
		case tag == "":
			what = fmt.Sprintf("has no tag, so it means %s:latest", displayImage(name))
		case tag == "latest":
			what = "uses the latest tag"
		default:
			continue
		}
		image := value
		if word.Text != value {
			image = fmt.Sprintf("%s (%s", word.Text, displayImage(value))
			image += argsNote(in.Env, used)
			image += ")"
		}
		// The help names the image as written when part of it is unknown.
		pin := name
		if strings.Contains(value, unknownMark) {
			pin = strings.TrimSuffix(word.Text, ":latest")
		}
		pass.Report(analysis.Diagnostic{
			Pos: word.Pos,
			End: word.End,
			Message: fmt.Sprintf("FROM %s %s: the image changes whenever the publisher pushes a new one, "+
				"and every layer of the stage is then rebuilt", image, what),
			SuggestedFixes: []analysis.SuggestedFix{{
				Message: fmt.Sprintf("pin a version tag and its digest: FROM %s:<tag>@sha256:<digest>; `docker buildx imagetools inspect %s:<tag>` prints the digest",
					pin, pin),
			}},
		})
	}
	return nil, nil
}

// imageTag splits an image reference into its name and tag. pinned is true
// when the reference has a digest, or when its tag or digest depends on
// an unknown value.
func imageTag(ref string) (name, tag string, pinned bool) {
	if strings.Contains(ref, "@") {
		return ref, "", true
	}
	r := parseImageRef(ref)
	if r.Tag == "" && !strings.HasSuffix(ref, ":") {
		// An unknown part in the last component may itself hold a tag or
		// a digest (FROM node${SUFFIX}).
		return ref, "", strings.Contains(ref[strings.LastIndexByte(ref, '/')+1:], unknownMark)
	}
	return r.Name, r.Tag, strings.Contains(r.Tag, unknownMark)
}

// isLocalImageName reports whether an image name is a single word that is
// not an official image: a locally built image or a named build context
// (--build-context), which no registry tag or digest pins.
func isLocalImageName(name string) bool {
	return !strings.ContainsAny(name, "/"+unknownMark) && !officialImages[name]
}

// displayImage shows unknown parts of an image reference as an ellipsis.
func displayImage(s string) string {
	return strings.ReplaceAll(s, unknownMark, "…")
}

// validImageName reports whether name can be an image name: lower-case
// path components after an optional registry host. A placeholder such as
// REPLACE-ME, or a URL, is not one.
func validImageName(name string) bool {
	if name == "" || strings.Contains(name, "://") {
		return false
	}
	_, path, _ := cutRegistry(name)
	allowed := func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("._-/"+unknownMark, r)
	}
	return !strings.ContainsFunc(path, func(r rune) bool { return !allowed(r) })
}

// selectsStage reports whether a FROM word that refers to build arguments
// picks one of the file's stages by name (FROM build-${TARGETARCH} with
// stages build-amd64 and build-arm64): the argument's default need not
// name a stage, but the values the build passes do.
func selectsStage(f *dockerfile.File, word string) bool {
	if !strings.Contains(word, "$") {
		return false
	}
	var pattern strings.Builder
	for i := 0; i < len(word); i++ {
		switch c := word[i]; {
		case c == '$' && i+1 < len(word) && word[i+1] == '{':
			if j := strings.IndexByte(word[i:], '}'); j >= 0 {
				i += j
			}
			pattern.WriteByte('*')
		case c == '$':
			for i+1 < len(word) && isNameByte(word[i+1]) {
				i++
			}
			pattern.WriteByte('*')
		case strings.IndexByte(`*?[]\`, c) >= 0:
			pattern.WriteByte('\\')
			pattern.WriteByte(c)
		default:
			pattern.WriteByte(c)
		}
	}
	if strings.Trim(pattern.String(), "*") == "" {
		return false // FROM ${IMAGE}: nothing to match stage names with
	}
	for _, s := range f.Stages {
		if ok, _ := path.Match(strings.ToLower(pattern.String()), s.Name); ok && s.Name != "" {
			return true
		}
	}
	return false
}

// argsNote names the global ARGs an image reference was built from:
// ", from ARG BASE on line 1" or ", from ARGs REGISTRY and TAG".
func argsNote(env *dockerfile.Env, used []string) string {
	var names []string
	for _, n := range used {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		if v, ok := env.Lookup(names[0]); ok && v.Line > 0 {
			return fmt.Sprintf(", from ARG %s on line %d", names[0], v.Line)
		}
		return ", from ARG " + names[0]
	}
	return fmt.Sprintf(", from ARGs %s and %s", strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
}
