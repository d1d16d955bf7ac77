package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildcontext"
	"github.com/cachelint/cachelint/dockerfile"
)

// PackageCacheLeftInLayer flags a package manager's download cache that
// ends up in a shipped layer.
var PackageCacheLeftInLayer = &analysis.Analyzer{
	Name: "package_cache_left_in_layer",
	Doc: `a package manager's download cache stays in a layer of the image

Why it matters for the cache: what a RUN leaves on disk is part of its
layer for good; a cleanup in a later RUN hides the files but does not
make the image smaller. A download cache left behind (apt lists, pip's
wheels, the npm cache) is shipped with every image, pushed and pulled
with every layer and exported with every registry cache, for nothing. A
cache mount keeps it on the builder instead, where the next build reuses
it; turning the cache off or cleaning it in the same RUN also keeps it
out of the image.

Example:

    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y --no-install-recommends libpq5
    RUN pip install -r requirements.txt

Fix: mount the cache (the suggested fix inserts the mount flag; for a
user other than root it carries the user's uid and gid, or mode=0777 when
the uid is not known, since BuildKit makes the mount root's), or turn it
off or clean it in the same RUN:

    FROM python:3.12-slim
    RUN --mount=type=cache,target=/var/lib/apt,sharing=locked \
        apt-get update && apt-get install -y --no-install-recommends libpq5
    RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt

Only the stages that make the image are checked: the last stage and the
stages it is built FROM. A builder stage whose files are only copied out
(COPY --from) is not shipped. The tools are apt (the lists in
/var/lib/apt; the downloaded packages only when the Dockerfile has
removed the docker-clean hook with which Debian and Ubuntu images delete
them), reported at the apt-get update that fetches the lists, apk, dnf, yum, microdnf, zypper, pip, pipenv, uv, Poetry (only
when its virtualenvs are not kept in its cache directory, with
virtualenvs.create false, virtualenvs.in-project true or
virtualenvs.path set), npm, Yarn 1 (Yarn 2 and later keep their cache
elsewhere) and Composer. Not checked: pnpm and Bun, which link the files
of their store into node_modules, so the store costs little more than
the install; bundler, which keeps the downloaded gems inside the
directory it installs to (GEM_HOME/cache), where no mount can go; Go,
Cargo, Maven, Gradle, sbt and NuGet, whose stores later steps or the
running program may read. Not reported: a
cache turned off (pip --no-cache-dir, PIP_NO_CACHE_DIR=1, apk add
--no-cache, uv --no-cache, composer --no-cache) or not used (apk add
--no-network), covered by a cache,
tmpfs or bind mount (or a cache mount meant for it on another
directory, reported by cache-mount-wrong-target), or emptied in the same
RUN (rm -rf /var/lib/apt/lists/*, dnf clean all, npm cache clean
--force, yarn cache clean, apt-get distclean, rm of the directory or
above it), or in a RUN that runs a script whose name says it cleans up
(/scripts/cleanup.sh: what it deletes cannot be seen); a RUN that runs
commands as another user (sudo -u, gosu, su: their directories are not
known), or whose mounts use a build argument given only at build time;
a directory that cannot be known here; Windows stages.

missing-cache-mount reports the same commands for another reason (a
re-run downloads everything again) and suggests the same mount; this rule
is about image size and also accepts turning the cache off. Keep the one
that matches what you care about. hadolint reports the same as DL3009
(apt lists), DL3019 (apk --no-cache), DL3042 (pip --no-cache-dir) and
DL3060 (yarn cache clean), and has dnf, yum and zypper cleanup checks
(DL3040, DL3032, DL3036) too; this rule also knows cache mounts. Disable
one of the two.

Sources:
- https://docs.docker.com/build/building/best-practices/#apt-get
- https://docs.docker.com/build/cache/optimize/#use-cache-mounts
- https://github.com/hadolint/hadolint#rules
- https://pip.pypa.io/en/stable/topics/caching/`,
	URL:      docURL("package-cache-left-in-layer"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer, buildcontext.Analyzer},
	Run:      runPackageCacheLeftInLayer,
}

// layerCacheAdvice lists the tools whose download cache is worth keeping
// out of the image, with how to turn it off or clean it in the same RUN.
var layerCacheAdvice = map[string]string{
	"apt":      "delete them at the end of the same RUN (rm -rf /var/lib/apt/lists/*)",
	"apk":      "turn it off (apk add --no-cache)",
	"dnf":      "clean it at the end of the same RUN (%s clean all)",
	"zypper":   "clean it at the end of the same RUN (zypper clean --all)",
	"pip":      "turn it off (--no-cache-dir)",
	"pipenv":   "turn it off (PIP_NO_CACHE_DIR=1) and delete it at the end of the same RUN",
	"uv":       "turn it off (--no-cache)",
	"poetry":   "turn it off (--no-cache)",
	"npm":      "clean it at the end of the same RUN (npm cache clean --force)",
	"yarn":     "clean it at the end of the same RUN (yarn cache clean)",
	"composer": "turn it off (--no-cache)",
}

func runPackageCacheLeftInLayer(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	ctx, _ := pass.ResultOf[buildcontext.Analyzer].(*buildcontext.Context)
	if len(f.Stages) == 0 {
		return nil, nil
	}
	berry := sync.OnceValue(func() bool { return usesYarnBerry(f, ctx) }) // only asked for yarn
	for s := f.Stages[len(f.Stages)-1]; s != nil; s = s.BaseStage {
		if IsWindows(s) {
			continue
		}
		for _, in := range s.Instructions {
			if in.Run != nil {
				checkLayerCaches(pass, f, in, berry)
			}
		}
	}
	return nil, nil
}

func checkLayerCaches(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction, berry func() bool) {
	if runsCleanupScript(in) || unmodelledMounts(in) || runsAsOtherUser(in) {
		return
	}
	mounts := cacheMounts(in)
	var tools []*Tool
	left := map[*Tool][]cacheNeed{}
	for _, n := range cacheNeeds(in) {
		if _, ok := layerCacheAdvice[n.Tool.Name]; !ok || n.Off || n.Dirs == nil ||
			n.mountFor(mounts) != nil || anyMountCovers(in, n.Dirs) || meantForMount(mounts, n.Cache) ||
			slices.ContainsFunc(left[n.Tool], func(o cacheNeed) bool { return o.Cache == n.Cache }) {
			continue
		}
		switch {
		case n.Cache == aptLists && firstOperand(n.Args, nil) != "update",
			n.Cache == aptArchives && !removesDockerClean(in),
			n.Tool.Name == "apk" && hasFlag(n.Args, "--no-network"), // installs from what is already there
			n.Tool.Name == "yarn" && berry(),
			n.Tool.Name == "poetry" && !poetryVenvElsewhere(in, n):
			continue
		}
		if emptiesCache(in, n, n.Dirs) != nil {
			continue
		}
		if left[n.Tool] == nil {
			tools = append(tools, n.Tool)
		}
		left[n.Tool] = append(left[n.Tool], n)
	}
	for _, t := range tools {
		reportLayerCache(pass, f, in, left[t])
	}
}

func reportLayerCache(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction, needs []cacheNeed) {
	c := needs[0].Cmd
	var what, flags []string
	for _, n := range needs {
		dir := n.Dirs[0]
		if n.Cache == apkCache {
			dir = "/var/cache/apk" // the index is there; /etc/apk/cache exists only when set up
		}
		what = append(what, fmt.Sprintf("the %s (%s)", n.Cache.What, dir))
		flags = append(flags, n.mountFlag())
	}
	advice := layerCacheAdvice[needs[0].Tool.Name]
	if strings.Contains(advice, "%s") {
		advice = fmt.Sprintf(advice, c.Name())
	}
	if needs[0].Cache == aptArchives {
		advice = "clean it at the end of the same RUN (apt-get clean)"
		if len(needs) > 1 {
			advice = "delete them at the end of the same RUN (apt-get clean && rm -rf /var/lib/apt/lists/*)"
		}
	}
	verb, it := "stays", "it"
	if len(needs) > 1 || strings.HasSuffix(needs[0].Cache.What, "lists") {
		verb, it = "stay", "them"
	}
	msg := fmt.Sprintf("after `%s`, %s %s in the image layer: mount %s (%s) or %s",
		commandText(f, in, c), strings.Join(what, " and "), verb, it, strings.Join(flags, " "), advice)
	fix := analysis.SuggestedFix{Message: fmt.Sprintf("add %s to this RUN, or %s", strings.Join(flags, " "), advice)}
	if needs[0].Tool.Name == "apt" && !aptInstalls(in) {
		// The lists of a RUN that only updates are for a later RUN: a
		// mount here would hide them from it.
		fix.Message = "run apt-get update in the RUN that installs, with a cache mount on /var/lib/apt or rm -rf /var/lib/apt/lists/* at its end"
	} else {
		fix.TextEdits = []analysis.TextEdit{insertFlags(in, flags)}
	}
	pass.Report(analysis.Diagnostic{
		Pos:            c.Args[0].Pos,
		End:            c.Args[0].End,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{fix},
	})
}

// runsCleanupScript reports whether a RUN runs a program cachelint does
// not know whose name says it cleans up (/scripts/cleanup.sh,
// clean-layer): what it deletes cannot be seen.
func runsCleanupScript(in *dockerfile.Instruction) bool {
	for _, c := range in.Run.Commands {
		if t, _ := toolCommand(c); t == nil && strings.Contains(strings.ToLower(c.Name()), "clean") {
			return true
		}
	}
	return false
}

// aptInstalls reports whether a RUN runs apt for more than apt-get update.
func aptInstalls(in *dockerfile.Instruction) bool {
	for _, n := range cacheNeeds(in) {
		if n.Tool.Name == "apt" {
			if sub, _ := subcommand(n.Args); sub != "update" {
				return true
			}
		}
	}
	return false
}

// usesYarnBerry reports whether the project uses Yarn 2 or later, which
// keeps its cache in the project or in ~/.yarn/berry: the build context
// or a COPY has .yarnrc.yml or .yarn, or a RUN runs yarn set version.
func usesYarnBerry(f *dockerfile.File, ctx *buildcontext.Context) bool {
	if ctx.Known() && ctx.Exists(".yarnrc.yml") {
		return true
	}
	for _, in := range f.Instructions {
		if in.Copy != nil {
			for _, src := range in.Copy.Sources {
				base := path.Base(strings.TrimSuffix(unquote(src.Text), "/"))
				if base == ".yarnrc.yml" || base == ".yarn" {
					return true
				}
			}
		}
		if in.Run == nil {
			continue
		}
		for _, c := range in.Run.Commands {
			if t, args := toolCommand(c); t != nil && t.Name == "yarn" {
				if sub, rest := subcommand(args); sub == "set" && firstOperand(rest, nil) == "version" {
					return true
				}
			}
		}
	}
	return false
}

// poetryVenvElsewhere reports whether Poetry keeps its virtualenvs out of
// its cache directory (they are in it by default, where neither a
// mount nor a cleanup may go): POETRY_VIRTUALENVS_CREATE false,
// POETRY_VIRTUALENVS_IN_PROJECT true or POETRY_VIRTUALENVS_PATH set, in
// the environment or by poetry config earlier in the stage chain or RUN.
func poetryVenvElsewhere(in *dockerfile.Instruction, n cacheNeed) bool {
	if v, ok := n.Env.get("POETRY_VIRTUALENVS_CREATE"); ok && oneOf(strings.ToLower(v), "false", "0", "no", "off") {
		return true
	}
	if v, ok := n.Env.get("POETRY_VIRTUALENVS_IN_PROJECT"); ok && truthy(v) {
		return true
	}
	if _, ok := n.Env.get("POETRY_VIRTUALENVS_PATH"); ok {
		return true
	}
	for _, prev := range stageChain(in.Stage) {
		if prev.Run != nil {
			for _, c := range prev.Run.Commands {
				if c == n.Cmd {
					return false
				}
				if poetryConfigMovesVenv(c) {
					return true
				}
			}
		}
		if prev == in {
			break
		}
	}
	return false
}

// poetryConfigMovesVenv reports whether a command is poetry config
// virtualenvs.create false, virtualenvs.in-project true or
// virtualenvs.path DIR.
func poetryConfigMovesVenv(c *dockerfile.Command) bool {
	t, args := toolCommand(c)
	if t == nil || t.Name != "poetry" {
		return false
	}
	ops := operands(args)
	if len(ops) < 3 || ops[0] != "config" {
		return false
	}
	key, value := ops[1], strings.ToLower(ops[2])
	switch key {
	case "virtualenvs.create":
		return oneOf(value, "false", "0")
	case "virtualenvs.in-project":
		return oneOf(value, "true", "1")
	case "virtualenvs.path":
		return true
	}
	return false
}
