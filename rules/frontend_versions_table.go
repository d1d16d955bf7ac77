package rules

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
)

// frontendFeature is Dockerfile syntax that only a recent enough Dockerfile
// frontend (the docker/dockerfile:1.N image, or the one bundled with the
// builder) understands. Versions are the minor N of 1.N, from the "Minimum
// Dockerfile version" tables of the Dockerfile reference and the frontend's
// release notes.
type frontendFeature struct {
	Name  string // as shown in messages: "RUN --mount", "heredocs"
	Minor int    // first stable release 1.N that has it
	// LabsMinor is the first 1.N-labs release that has it; 0 when not
	// known, and the feature is then not checked against a -labs pin.
	LabsMinor int
	// PinOnly features are checked against a pinned version but are not
	// enough on their own to ask for a # syntax= directive: every builder
	// that runs BuildKit has them.
	PinOnly bool
}

// frontendFlags are the instruction flags that need a minimum frontend
// version, keyed by upper-case instruction and flag name.
var frontendFlags = map[string]*frontendFeature{
	"RUN --mount":    {Name: "RUN --mount", Minor: 2},
	"RUN --network":  {Name: "RUN --network", Minor: 3},
	"RUN --security": {Name: "RUN --security", Minor: 20}, // labs channel earlier
	"RUN --device":   {Name: "RUN --device", Minor: 27},   // labs channel earlier
	"COPY --link":    {Name: "COPY --link", Minor: 4, LabsMinor: 4},
	"ADD --link":     {Name: "ADD --link", Minor: 4, LabsMinor: 4},
	"COPY --parents": {Name: "COPY --parents", Minor: 20, LabsMinor: 7},
	"COPY --exclude": {Name: "COPY --exclude", Minor: 19, LabsMinor: 7},
	"ADD --exclude":  {Name: "ADD --exclude", Minor: 19, LabsMinor: 7},
	"ADD --checksum": {Name: "ADD --checksum", Minor: 6, LabsMinor: 5},
	// The reference's table says 1.1, but the flag only means something
	// for ADD <git URL>, which left the labs channel in 1.6.
	"ADD --keep-git-dir": {Name: "ADD --keep-git-dir", Minor: 6, LabsMinor: 5},
	"ADD --unpack":       {Name: "ADD --unpack", Minor: 17},
	"COPY --chmod":       {Name: "COPY --chmod", Minor: 2, LabsMinor: 2, PinOnly: true},
	"ADD --chmod":        {Name: "ADD --chmod", Minor: 2, LabsMinor: 2, PinOnly: true},
}

var (
	featureHeredoc   = &frontendFeature{Name: "a heredoc", Minor: 4, LabsMinor: 3}
	featureSecretEnv = &frontendFeature{Name: "RUN --mount=type=secret,env=", Minor: 10}
)

// syntaxPin is what a "# syntax=" directive selects.
type syntaxPin struct {
	Official bool // docker/dockerfile or docker/dockerfile-upstream
	// Minor is N of a 1.N or 1.N.P tag; -1 for a tag that follows the
	// newest release (1, labs, latest, master) or cannot be read.
	Minor int
	Labs  bool // a -labs or -experimental tag
	// TagStart is the index in the value where the tag starts (after the
	// colon); the tag and any digest run to the end of the value.
	TagStart int
}

var pinnedTag = regexp.MustCompile(`^1\.(\d+)(?:\.\d+)?(-labs|-experimental)?$`)

// syntaxDirective returns the frontend a file's # syntax= directive names
// (the first word of its value) and the directive's line.
func syntaxDirective(f *dockerfile.File) (frontend string, line int, ok bool) {
	for _, d := range f.Directives {
		if d.Name == "syntax" {
			frontend, _, _ = strings.Cut(d.Value, " ")
			return frontend, d.Line, true
		}
	}
	return "", 0, false
}

// parseSyntax reads the value of a # syntax= directive.
func parseSyntax(value string) syntaxPin {
	pin := syntaxPin{Minor: -1}
	ref, _, _ := strings.Cut(value, "@")
	name, tag := ref, ""
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		name, tag = ref[:i], ref[i+1:]
		pin.TagStart = i + 1
	}
	name = strings.ToLower(name)
	for _, registry := range []string{"docker.io/", "index.docker.io/", "registry-1.docker.io/"} {
		name = strings.TrimPrefix(name, registry)
	}
	pin.Official = name == "docker/dockerfile" || name == "docker/dockerfile-upstream"
	if !pin.Official {
		return pin
	}
	if m := pinnedTag.FindStringSubmatch(tag); m != nil {
		pin.Minor, _ = strconv.Atoi(m[1])
		pin.Labs = m[2] != ""
	}
	return pin
}

// has reports whether the pinned frontend has the feature. A pin that
// follows the newest release has everything.
func (p syntaxPin) has(ft *frontendFeature) bool {
	switch {
	case !p.Official || p.Minor < 0:
		return true
	case p.Labs:
		return ft.LabsMinor == 0 || p.Minor >= min(ft.LabsMinor, ft.Minor)
	}
	return p.Minor >= ft.Minor
}
