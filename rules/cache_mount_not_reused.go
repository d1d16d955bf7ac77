package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// CacheMountNotReused flags a later step that runs a tool without the
// cache mount an earlier step filled its dependency store through.
var CacheMountNotReused = &analysis.Analyzer{
	Name: "cache_mount_not_reused",
	Doc: `a later step runs the tool without the cache mount an earlier step filled its dependencies into

Why it matters for the cache: what a RUN writes into a cache mount stays
on the builder, never in the image, and the mount exists only while that
one RUN runs. Go, Maven, Gradle, Cargo, sbt, NuGet and Composer keep the
dependencies they download in that cache directory and read them from
there on the next run. When one step downloads them through a cache
mount and a later step runs the same tool without the mount, the later
step finds an empty directory and downloads everything again, on every
build, even though the first step shows as CACHED. With an offline flag
(mvn -o, gradle --offline, cargo --offline, dotnet --no-restore) the
later step fails instead.

Example:

    FROM eclipse-temurin:21-jdk
    WORKDIR /app
    COPY build.gradle.kts settings.gradle.kts gradlew ./
    COPY gradle ./gradle
    RUN --mount=type=cache,id=gradle-cache,target=/root/.gradle ./gradlew dependencies --no-daemon
    COPY src ./src
    RUN ./gradlew build --no-daemon -x test

Fix: give every step that runs the tool the same mount, with the same id,
uid, gid and mode (the suggested fix copies the earlier mount flag):

    RUN --mount=type=cache,id=gradle-cache,target=/root/.gradle ./gradlew dependencies --no-daemon
    COPY src ./src
    RUN --mount=type=cache,id=gradle-cache,target=/root/.gradle ./gradlew build --no-daemon -x test

The later step is looked for in the same stage and in stages built FROM
it; a stage that only copies files from it (COPY --from) has its own
layers and is not concerned. Not reported: tools whose install writes
what later steps read into the project (npm, pip, uv, Yarn, pnpm,
bundler: node_modules and site-packages are in the layer); a later step
with its own mount on the directory (a mount with another id or uid is
cache-mount-id-mismatch, one meant for the tool on another directory is
cache-mount-wrong-target); a store that is in the image anyway, because
an earlier step ran the tool without a mount, copied the mount's content
out (cp -r /root/.m2 /m2) or copied a store in; commands that fetch one
named tool rather than the project's dependencies (go install
tool@version, cargo install ripgrep); directories that cannot be known
here (HOME of an unknown user, a variable with no value); Windows stages.

Sources:
- https://docs.docker.com/reference/dockerfile/#run---mounttypecache
- https://www.augmentedmind.de/2023/11/19/advanced-buildkit-caching/
- https://docs.docker.com/build/ci/github-actions/cache/#cache-mounts
- https://learn.microsoft.com/en-us/nuget/consume-packages/managing-the-global-packages-and-cache-folders`,
	URL:      docURL("cache-mount-not-reused"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runCacheMountNotReused,
}

// storeKey is one dependency store: a cache in one directory.
type storeKey struct {
	cache *Cache
	dir   string
}

// storeState is what the steps so far did to a store.
type storeState struct {
	filledIn *dockerfile.Instruction // the last RUN that filled it through a mount
	mount    cacheMount
	inLayer  bool // the image holds it: a RUN used it without a mount, or it was copied in
}

// missedStore is one store a command runs without.
type missedStore struct {
	need  cacheNeed
	state *storeState
}

func runCacheMountNotReused(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	if !hasCacheMounts(f) {
		return nil, nil
	}
	reported := map[string]bool{}
	for _, s := range f.Stages {
		if IsWindows(s) {
			continue
		}
		checkStoreReuse(pass, f, stageChain(s), reported)
	}
	return nil, nil
}

func checkStoreReuse(pass *analysis.Pass, f *dockerfile.File, chain []*dockerfile.Instruction, reported map[string]bool) {
	states := map[storeKey]*storeState{}
	state := func(k storeKey) *storeState {
		if states[k] == nil {
			states[k] = &storeState{}
		}
		return states[k]
	}
	for _, in := range chain {
		if in.Copy != nil {
			// A store copied in (COPY --from=deps /root/.m2 /root/.m2) is in the image.
			if dest := copyDestDir(in); dest != "" && dest != "/" {
				for k, st := range states {
					if k.dir == dest || strings.HasPrefix(k.dir, dest+"/") {
						st.inLayer = true
					}
				}
			}
			continue
		}
		if in.Run == nil {
			continue
		}
		mounts := cacheMounts(in)
		for _, m := range mounts {
			if !copiesOut(in, m) {
				continue
			}
			// The mount may be the same cache on another target
			// (id=gradle-cache,target=/.gradle cp -r /.gradle /root).
			for k, st := range states {
				if m.covers(k.dir) || st.filledIn != nil && st.mount.ID == m.ID && cacheBase(st.mount.Mount) == cacheBase(m.Mount) {
					st.inLayer = true
				}
			}
		}
		var tools []*Tool
		missed := map[*Tool][]missedStore{}
		for _, n := range cacheNeeds(in) {
			if !n.Cache.Store || n.Dirs == nil || !readsProjectStore(in, n) {
				continue
			}
			if m := n.mountFor(mounts); m != nil {
				for _, d := range n.Dirs {
					if m.covers(d) {
						st := state(storeKey{n.Cache, d})
						st.filledIn, st.mount = in, *m
					}
				}
				continue
			}
			if anyMountCovers(in, n.Dirs) || meantForMount(mounts, n.Cache) || unmodelledMounts(in) || runsAsOtherUser(in) {
				continue
			}
			var found *storeState
			for _, d := range n.Dirs {
				st := states[storeKey{n.Cache, d}]
				if found == nil && st != nil && !st.inLayer && st.filledIn != nil && st.mount.covers(d) {
					found = st
				}
			}
			// From here on the tool's store is in the image.
			for _, d := range n.Dirs {
				state(storeKey{n.Cache, d}).inLayer = true
			}
			if found == nil {
				continue
			}
			if missed[n.Tool] == nil {
				tools = append(tools, n.Tool)
			}
			missed[n.Tool] = append(missed[n.Tool], missedStore{n, found})
		}
		for _, t := range tools {
			ms := missed[t]
			key := fmt.Sprintf("%d:%s", ms[0].need.Cmd.Pos, t.Name)
			if reported[key] {
				continue
			}
			reported[key] = true
			reportCacheMountNotReused(pass, f, in, ms)
		}
	}
}

// readsProjectStore reports whether a command reads the project's
// dependencies from the tool's store, as opposed to fetching one named
// tool into it (go install tool@version, cargo install ripgrep).
func readsProjectStore(in *dockerfile.Instruction, n cacheNeed) bool {
	if n.Offline {
		return true
	}
	switch n.Tool.Name {
	case "cargo":
		sub, rest := subcommand(n.Args)
		return sub != "install" || hasFlag(rest, "--path")
	case "go":
		return n.Tool.installs(n.Args, func(name string) (string, bool) { return n.Cmd.Getenv(in, name) })
	}
	return true
}

func reportCacheMountNotReused(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction, ms []missedStore) {
	c := ms[0].need.Cmd
	var what, flags []string
	var lines []int
	canEdit := true
	for _, m := range ms {
		what = append(what, fmt.Sprintf("the %s (%s)", m.need.Cache.What, m.state.mount.Target))
		line := f.Tok.Line(m.state.filledIn.Pos)
		if !slices.Contains(lines, line) {
			lines = append(lines, line)
		}
		flag := m.state.mount.Flag.Text
		if !slices.Contains(flags, flag) {
			flags = append(flags, flag)
		}
		// A relative target lands somewhere else under another WORKDIR.
		if flag == "" || !path.IsAbs(m.state.mount.Mount.Target) && m.state.filledIn.Workdir != in.Workdir {
			canEdit = false
		}
	}
	var lineText []string
	for _, l := range lines {
		lineText = append(lineText, fmt.Sprint(l))
	}
	where, who := "on line "+strings.Join(lineText, " and "), "what line "+lineText[0]+" downloaded into it"
	if len(lines) > 1 {
		where, who = "on lines "+strings.Join(lineText, " and "), "what those steps downloaded into them"
	}
	mount := "the cache mount that holds"
	if len(what) > 1 {
		mount = "the cache mounts that hold"
		who = strings.Replace(who, "into it", "into them", 1)
	}
	msg := fmt.Sprintf("`%s` runs without %s %s %s: %s is not in the image, so this step downloads all the dependencies again",
		commandText(f, in, c), mount, strings.Join(what, " and "), where, who)
	for _, m := range ms {
		if off := offlineFlag(m.need); off != "" {
			msg = fmt.Sprintf("`%s` runs offline (%s) without %s %s %s: %s is not in the image, so this step fails",
				commandText(f, in, c), off, mount, strings.Join(what, " and "), where, who)
			break
		}
	}
	fix := analysis.SuggestedFix{Message: "add " + strings.Join(flags, " ") + " to this RUN too"}
	if canEdit {
		fix.TextEdits = []analysis.TextEdit{insertFlags(in, flags)}
	}
	pass.Report(analysis.Diagnostic{
		Pos:            c.Args[0].Pos,
		End:            c.Args[0].End,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{fix},
	})
}

// offlineFlag is the offline flag a need's command has, or "".
func offlineFlag(n cacheNeed) string {
	if !n.Offline {
		return ""
	}
	for _, a := range n.Args {
		if hasFlag([]string{a}, n.Tool.Offline...) {
			return a
		}
	}
	return ""
}

// copiesOut reports whether a command of a RUN copies or moves something
// out of a cache mount of the RUN into the image (cp -r /root/.m2 /m2):
// what it copies then stays in the layer.
func copiesOut(in *dockerfile.Instruction, m cacheMount) bool {
	for _, c := range in.Run.Commands {
		if !oneOf(c.Name(), "cp", "mv", "rsync", "tar") {
			continue
		}
		var paths []string
		for _, a := range c.Args[1:] {
			v := a.Value
			if !a.Lit || strings.HasPrefix(v, "-") || v == "" {
				continue
			}
			if !path.IsAbs(v) {
				if c.Dir == "" {
					continue
				}
				v = path.Join(c.Dir, v)
			}
			paths = append(paths, path.Clean(v))
		}
		if len(paths) == 0 {
			continue
		}
		if c.Name() == "tar" {
			// tar -C /root/.m2 -cf /m2.tar . and the like: any use counts.
			if slices.ContainsFunc(paths, m.covers) {
				return true
			}
			continue
		}
		dest := paths[len(paths)-1]
		if len(paths) >= 2 && !m.covers(dest) && slices.ContainsFunc(paths[:len(paths)-1], m.covers) {
			return true
		}
	}
	return false
}
