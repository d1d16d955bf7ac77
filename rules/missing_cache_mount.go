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
apt-cache-mount-defeated). When the RUN also deletes the cache (rm -rf
/var/lib/apt/lists/*, apt-get clean), the help says to drop that: what is
in a mount never reaches the image; of an rm that deletes other files too,
only the operands in the cache.

Not reported: a command that turns its cache off on purpose (pip
--no-cache-dir, PIP_NO_CACHE_DIR=1, apk add --no-cache, uv --no-cache:
the author chose a small image; a cache mount would give both, and
cleanup-defeats-cache-mount reports the mix of the two); a command that
only reads what an earlier step fetched (mvn -o, gradle --offline,
dotnet build --no-restore, cargo --offline); a build or install of the
project whose dependency store (Go modules, Maven repository, Gradle
home, Cargo registry, NuGet packages, Composer cache) an earlier step of
the stage, or of a stage it is built FROM, filled in the image by running
the tool for the project without a mount: RUN go mod download, COPY . .,
RUN go build reads the modules from the layer, so only the build cache is
reported there (a mount on /go/pkg/mod would hide the modules the layer
holds; mount the download step, and cache-mount-not-reused then asks
for the same mount on the build); a directory that cannot be
known here (HOME of a user the Dockerfile does not create, a variable
with no value); a RUN with a cache mount whose target is not known
(target=$CACHE_DIR with no default); a RUN that already has a cache mount meant for the tool
on another directory (that is cache-mount-wrong-target); Windows stages.
Tools run from scripts (RUN ./build.sh) are not seen, unless the
configuration file describes the script (the tools: key of
.cachelint.yaml: its command and the cache directories it keeps): a
command that starts with a configured command is checked for mounts on
those directories like any tool of the table. In the image's own
stages, package-cache-left-in-layer may name the same command, about
image size rather than speed: the one mount answers both.

Sources:
- https://docs.docker.com/build/cache/optimize/#use-cache-mounts
- https://docs.docker.com/reference/dockerfile/#run---mounttypecache
- https://docs.astral.sh/uv/guides/integration/docker/#caching
- https://pnpm.io/docker`,
	URL:      docURL("missing-cache-mount"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer, ConfiguredTools},
	Run:      runMissingCacheMount,
}

func runMissingCacheMount(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	extra := configuredTools(pass)
	for _, s := range f.Stages {
		if IsWindows(s) {
			continue
		}
		// The stages s is built FROM may have filled a store in the image.
		stored := storesInImage{}
		for _, in := range stageChain(s) {
			if in.Stage == s {
				checkCacheMounts(pass, f, in, stored, extra)
			}
			stored.update(in)
		}
	}
	return nil, nil
}

// storesInImage are the dependency stores (Go modules, the Maven
// repository, NuGet packages ...) that an earlier RUN filled in the image
// by running the tool for the project without a mount: a later build of
// the project reads its dependencies from there and downloads nothing
// again (RUN go mod download, COPY . ., RUN go build). Keyed by cache and
// directory.
type storesInImage map[storeKey]bool

// update records what a RUN does to the stores: a project install
// without a mount fills its store, an rm or the tool's own cleanup
// empties it.
func (st storesInImage) update(in *dockerfile.Instruction) {
	if in.Run == nil {
		return
	}
	mounts := cacheMounts(in)
	unknown := slices.ContainsFunc(mounts, func(m cacheMount) bool { return m.Target == "" })
	for _, n := range cacheNeeds(in) {
		if !unknown && n.Cache.Store && !n.Off && !n.Offline && len(n.Dirs) > 0 && n.mountFor(mounts) == nil &&
			!anyMountCovers(in, n.Dirs) && projectInstall(in, n) && wipes(in, n) == nil {
			st[storeKey{n.Cache, n.Dirs[0]}] = true
		}
	}
	for k := range st {
		for _, c := range in.Run.Commands {
			if c.Name() == "rm" && rmDeletes(c, newRunEnv(in, c), k.dir) {
				delete(st, k)
			}
		}
		for _, cl := range cleanups(in) {
			if cl.Cache == k.cache {
				delete(st, k)
			}
		}
	}
}

// has reports whether the need's store is in the image and the need is a
// build or install of the project that reads it.
func (st storesInImage) has(in *dockerfile.Instruction, n cacheNeed) bool {
	return n.Cache.Store && len(n.Dirs) > 0 && st[storeKey{n.Cache, n.Dirs[0]}] && projectInstall(in, n)
}

// projectInstall reports whether a command installs or builds the
// project's own dependencies, not one named tool (go install
// tool@version, cargo install ripgrep, composer global require).
func projectInstall(in *dockerfile.Instruction, n cacheNeed) bool {
	if n.Tool.installs == nil {
		return readsProjectStore(in, n)
	}
	return n.Tool.installs(n.Args, func(name string) (string, bool) { return n.Cmd.Getenv(in, name) })
}

func checkCacheMounts(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction, stored storesInImage, extra []*configuredTool) {
	mounts := cacheMounts(in)
	if slices.ContainsFunc(mounts, func(m cacheMount) bool { return m.Target == "" }) {
		return // a mount whose target is not known here may be the one
	}
	// One finding a tool, at its first command, with every cache it lacks.
	var tools []*Tool
	missing := map[*Tool][]cacheNeed{}
	for _, n := range cacheNeeds(in, extra...) {
		if n.Off || n.Offline || n.Dirs == nil || n.mountFor(mounts) != nil || coveredByTmpfs(in, n.Dirs) || stored.has(in, n) ||
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
	if w, ops := cacheWipe(in, needs); w != nil {
		if ops != "" {
			// rm -rf /tmp/npm* /var/cache/apk/*: keep the rest.
			help += fmt.Sprintf(", and drop %s from `%s`: what is in the mount never reaches the image", ops, commandText(f, in, w))
		} else {
			help += fmt.Sprintf(", and drop `%s`: what is in the mount never reaches the image", commandText(f, in, w))
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

// cacheWipe returns the first command of a RUN that deletes one of the
// needs' caches: the tool's own cleanup (apt-get clean), else an rm. For
// an rm that deletes other things too (rm -rf /tmp/npm* /var/cache/apk/*)
// ops lists, as written, the operands that delete the caches, so that
// only those are dropped; it is "" when the whole command can go.
func cacheWipe(in *dockerfile.Instruction, needs []cacheNeed) (*dockerfile.Command, string) {
	for _, cl := range cleanups(in) {
		if slices.ContainsFunc(needs, func(n cacheNeed) bool { return n.Cache == cl.Cache }) {
			return cl.Cmd, ""
		}
	}
	for _, c := range in.Run.Commands {
		if c.Name() != "rm" {
			continue
		}
		var ops []string
		all := true
		for _, a := range c.Args[1:] {
			if a.Lit && strings.HasPrefix(a.Value, "-") {
				continue
			}
			hit := false
			for _, n := range needs {
				if p, ok := removedPattern(c, n.Env, a); ok && slices.ContainsFunc(n.Dirs, func(d string) bool { return patternReaches(p, d) }) {
					hit = true
				}
			}
			if hit {
				ops = append(ops, a.Value)
			} else {
				all = false
			}
		}
		switch {
		case len(ops) == 0:
		case all:
			return c, ""
		default:
			return c, strings.Join(ops, " ")
		}
	}
	return nil, ""
}
