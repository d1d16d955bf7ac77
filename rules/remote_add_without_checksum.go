package rules

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// RemoteAddWithoutChecksum flags ADD of an http(s) URL without --checksum.
var RemoteAddWithoutChecksum = &analysis.Analyzer{
	Name: "remote_add_without_checksum",
	Doc: `ADD downloads a URL without --checksum

Why it matters for the cache: to decide whether the cached ADD step can be
reused, BuildKit has to ask the server about the file on every build
(its ETag or Last-Modified date, or the whole file when the server gives
neither). When the file behind the URL changes, the step and every step
after it are rebuilt, and two builds of the same Dockerfile can produce
different images. With --checksum the expected digest is part of the
Dockerfile: BuildKit knows the cache key without asking, and a build
fails instead of silently using a changed file.

Example:

    FROM debian:12
    ADD https://example.com/releases/tool-1.4.2.tar.gz /opt/

Fix: pin the file's digest (Dockerfile syntax 1.6 or later). The digest
is not known to cachelint, so there is no automatic edit; compute it once
with curl -fsSL <url> | sha256sum and write it into the instruction:

    # syntax=docker/dockerfile:1
    FROM debian:12
    ADD --checksum=sha256:0b3a...e1 https://example.com/releases/tool-1.4.2.tar.gz /opt/

Only sources that start with http:// or https:// once build arguments
with a default are substituted are reported; a source that is a variable
without a known value is not. A URL that names a Git repository
(https://host/repo.git, with or without a #ref) is a Git source, not a
download: stale-remote-fetch (CL023) covers it. An ADD with --checksum,
whatever its value, is not reported.

Sources:
- https://docs.docker.com/reference/dockerfile/#add---checksum
- https://docs.docker.com/build/building/best-practices/#add-or-copy
- https://github.com/moby/buildkit/blob/master/source/http/source.go`,
	URL:      docURL("remote-add-without-checksum"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runRemoteAddWithoutChecksum,
}

func runRemoteAddWithoutChecksum(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	for _, in := range f.Instructions {
		add, ok := in.Command.(*instructions.AddCommand)
		if !ok || in.Copy == nil || add.Checksum != "" {
			continue
		}
		for _, src := range in.Copy.Sources {
			value, _, ok := expandMarked(f, in.Env, src.Text)
			if !ok || !isHTTPURL(value) || gitSource(value) != nil {
				continue
			}
			shown := displayURL(value)
			dest := unquote(in.Copy.Dest.Text)
			// The help repeats the URL as written, unless it carries user
			// information or a query, either of which may hold a token.
			u := unquote(src.Text)
			if withoutUserinfo(u) != u || strings.Contains(u, "?") {
				u = "<url>"
			}
			pass.Report(analysis.Diagnostic{
				Pos: src.Pos,
				End: src.End,
				Message: fmt.Sprintf("ADD of %s without --checksum: BuildKit must ask the server on every build whether the file changed, "+
					"and a changed file silently rebuilds this step and all later ones", shown),
				SuggestedFixes: []analysis.SuggestedFix{{
					Message: fmt.Sprintf("pin the file: ADD --checksum=sha256:<digest> %s %s, with the digest from `curl -fsSL %s | sha256sum`",
						u, dest, curlURL(u)),
				}},
			})
		}
	}
	return nil, nil
}

// curlURL quotes a URL for a shell command line when it holds characters
// the shell would read.
func curlURL(s string) string {
	if strings.ContainsAny(s, "&*;|()[]") {
		return "'" + s + "'"
	}
	return s
}
