package rules

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// MissingCacheMount flags package managers and build tools that run
// without a cache mount on their cache directory.
var MissingCacheMount = &analysis.Analyzer{
	Name: "missing_cache_mount",
	Doc: `a package manager or build tool runs without a cache mount on its cache directory

Why it matters for the cache: the layer cache is all or nothing. When
anything above a RUN changes (a lockfile, a base image update, one more
package), the whole step runs again from an empty download cache: every
package is fetched again, every object recompiled. A
RUN --mount=type=cache keeps the tool's cache directory on the builder
between builds, outside the image, so a re-run fetches and compiles only
what changed.

Example:

    FROM golang:1.23
    WORKDIR /src
    COPY go.mod go.sum ./
    RUN go mod download
    COPY . .
    RUN go build -o /out/app ./cmd/app

Fix: mount the tool's cache directory (the suggested fix inserts the
mount flags after RUN):

    FROM golang:1.23
    WORKDIR /src
    COPY go.mod go.sum ./
    RUN --mount=type=cache,target=/go/pkg/mod go mod download
    COPY . .
    RUN --mount=type=cache,target=/go/pkg/mod \
        --mount=type=cache,target=/root/.cache/go-build \
        go build -o /out/app ./cmd/app

The directory is worked out for each command, as the tool would: from its
command-line flag (npm --cache, pip --cache-dir, mvn
-Dmaven.repo.local=...), the variables that move it (GOMODCACHE,
GOCACHE, npm_config_cache, PIP_CACHE_DIR, UV_CACHE_DIR, CARGO_HOME,
GRADLE_USER_HOME, XDG_CACHE_HOME, ...) set by ENV, ARG defaults, the
command's env prefix or the base image (golang sets GOPATH=/go, rust sets
CARGO_HOME=/usr/local/cargo, composer sets COMPOSER_HOME=/tmp), and HOME,
which follows USER (/home/node for the node image's node user, the home
given to useradd or adduser earlier in the Dockerfile). For a non-root
user the suggested mount carries its uid (and gid when known), so the
tool can write to it. apt and dnf mounts get sharing=locked, as those
tools need the directory to themselves; on Debian and Ubuntu images the
apt mount also needs /etc/apt/apt.conf.d/docker-clean removed (see
apt-cache-mount-defeated).

Not reported: a command that turns its cache off on purpose (pip
--no-cache-dir, PIP_NO_CACHE_DIR=1, apk add --no-cache, uv --no-cache:
the author chose a small image; a cache mount would give both, and
cleanup-defeats-cache-mount reports the mix of the two); a command that
only reads what an earlier step fetched (mvn -o, gradle --offline,
dotnet build --no-restore, cargo --offline); a directory that cannot be
known here (HOME of a user the Dockerfile does not create, a variable
with no value); a RUN with a cache mount whose target is not known
(target=$CACHE_DIR with no default); a RUN that already has a cache mount meant for the tool
on another directory (that is cache-mount-wrong-target); Windows stages.
Tools run from scripts (RUN ./build.sh) are not seen. In the image's own
stages, package-cache-left-in-layer may name the same command, about
image size rather than speed: the one mount answers both.

Sources:
- https://docs.docker.com/build/cache/optimize/#use-cache-mounts
- https://docs.docker.com/reference/dockerfile/#run---mounttypecache
- https://docs.astral.sh/uv/guides/integration/docker/#caching
- https://pnpm.io/docker`,
	URL:      docURL("missing-cache-mount"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runMissingCacheMount,
}

func runMissingCacheMount(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	for _, s := range f.Stages {
		if IsWindows(s) {
			continue
		}
		for _, in := range s.Instructions {
			checkCacheMounts(pass, f, in)
		}
	}
	return nil, nil
}

func checkCacheMounts(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction) {
	mounts := cacheMounts(in)
	if slices.ContainsFunc(mounts, func(m cacheMount) bool { return m.Target == "" }) {
		return // a mount whose target is not known here may be the one
	}
	// One finding a tool, at its first command, with every cache it lacks.
	var tools []*Tool
	missing := map[*Tool][]cacheNeed{}
	for _, n := range cacheNeeds(in) {
		if n.Off || n.Offline || n.Dirs == nil || n.mountFor(mounts) != nil || coveredByTmpfs(in, n.Dirs) ||
			slices.ContainsFunc(mounts, func(m cacheMount) bool { return n.Cache.meantFor(m.Target) }) ||
			slices.ContainsFunc(missing[n.Tool], func(o cacheNeed) bool { return o.Cache == n.Cache }) {
			continue
		}
		if missing[n.Tool] == nil {
			tools = append(tools, n.Tool)
		}
		missing[n.Tool] = append(missing[n.Tool], n)
	}
	for _, t := range tools {
		reportMissingCacheMount(pass, f, in, missing[t])
	}
}

// coveredByTmpfs reports whether a tmpfs mount of the RUN holds one of dirs.
func coveredByTmpfs(in *dockerfile.Instruction, dirs []string) bool {
	for _, m := range in.Run.Mounts {
		if m.Type != "tmpfs" {
			continue
		}
		cm := cacheMount{Mount: m, Target: m.Target}
		for _, d := range dirs {
			if cm.covers(d) {
				return true
			}
		}
	}
	return false
}

func reportMissingCacheMount(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction, needs []cacheNeed) {
	c := needs[0].Cmd
	var what, flags []string
	for _, n := range needs {
		what = append(what, fmt.Sprintf("the %s (%s)", n.Cache.What, n.Dirs[0]))
		flags = append(flags, n.mountFlag())
	}
	msg := fmt.Sprintf("`%s` runs without a cache mount on %s: when this step re-runs, it downloads or builds everything again",
		commandText(f, in, c), strings.Join(what, " and "))
	help := "add " + strings.Join(flags, " ") + " to this RUN"
	for _, n := range needs {
		if w := wipes(in, n); w != nil {
			help += fmt.Sprintf(", and drop `%s`: what is in the mount never reaches the image", commandText(f, in, w))
			break
		}
	}
	if needs[0].Tool.Name == "apt" && Family(in.Stage) == "debian" {
		help += ", and remove /etc/apt/apt.conf.d/docker-clean in an earlier step so that apt keeps the packages it downloads"
	}
	pass.Report(analysis.Diagnostic{
		Pos:     c.Args[0].Pos,
		End:     c.Args[0].End,
		Message: msg,
		SuggestedFixes: []analysis.SuggestedFix{{
			Message:   help,
			TextEdits: []analysis.TextEdit{insertFlags(in, flags)},
		}},
	})
}
