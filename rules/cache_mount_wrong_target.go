package rules

import (
	"fmt"
	"path"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// CacheMountWrongTarget flags a cache mount meant for a tool that is not
// on the directory the tool uses in that step.
var CacheMountWrongTarget = &analysis.Analyzer{
	Name: "cache_mount_wrong_target",
	Doc: `a cache mount meant for a tool is not on the directory the tool uses

Why it matters for the cache: a cache mount only helps when the tool
reads and writes the mounted directory. Where a tool keeps its cache
depends on the step: the user it runs as (HOME follows USER), variables
such as GOMODCACHE, CARGO_HOME or npm_config_cache set by ENV, by an ARG
default, by the command itself or by the base image (the rust image sets
CARGO_HOME=/usr/local/cargo, golang sets GOPATH=/go, composer sets
COMPOSER_HOME=/tmp). A mount on the usual place for another user or
another image stays empty: every build downloads everything again, and
the step looks cached when it is not.

Example:

    FROM node:22
    USER node
    WORKDIR /home/node/app
    COPY --chown=node package.json package-lock.json ./
    RUN --mount=type=cache,target=/root/.npm npm ci

Fix: mount the directory the tool uses in this step (the suggested fix
rewrites the target, and gives a non-root user the mount with its uid and
gid so that the tool can write to it; when the right place depends on the
tool's version, as for Yarn 1 and Yarn 2+, the fix only lists them):

    FROM node:22
    USER node
    WORKDIR /home/node/app
    COPY --chown=node package.json package-lock.json ./
    RUN --mount=type=cache,target=/home/node/.npm,uid=1000,gid=1000 npm ci

A mount counts as meant for a tool when its target names the tool's cache
(.npm, pkg/mod, .cargo/registry, pip, .m2, .gradle, composer ...). The
directory the tool uses is worked out as for missing-cache-mount: from the
command's flags, the variables that move the cache (set by the command,
ENV, ARG defaults or the base image), and HOME from USER (users made by
useradd or adduser earlier in the Dockerfile are known). Places that are
equally right are accepted: /root/.gradle and /home/gradle/.gradle in the
gradle image, the caches of Yarn 1 and of Yarn 2 and later (global or in
the project).

Not reported: a RUN whose mounts cover the tool's cache (a mount on a
directory above it counts), or part of it (/go/pkg/mod/cache,
/usr/local/cargo/git/db, /var/lib/apt/lists); a directory that cannot be known (a user the
Dockerfile does not create, a variable with no value, a base image
cachelint does not know when it is the image's default user whose home
matters, a tool run through sudo, gosu, su-exec or runuser, whose HOME
rules vary); a tool whose own configuration moved
its cache earlier (npm config set cache, yarn config set cache-folder,
go env -w GOMODCACHE=...); a command that names the mount's target in
its arguments; a mount whose target does not name a tool's cache;
Windows stages. A RUN that runs the tool without any mount
meant for it is missing-cache-mount's.

Sources:
- https://docs.docker.com/reference/dockerfile/#run---mounttypecache
- https://docs.docker.com/build/cache/optimize/#use-cache-mounts
- https://pkg.go.dev/cmd/go#hdr-Environment_variables
- https://doc.rust-lang.org/cargo/guide/cargo-home.html
- https://docs.npmjs.com/cli/using-npm/config#cache
- https://getcomposer.org/doc/03-cli.md#composer-cache-dir`,
	URL:      docURL("cache-mount-wrong-target"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runCacheMountWrongTarget,
}

func runCacheMountWrongTarget(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	if !hasCacheMounts(f) {
		return nil, nil
	}
	linuxRuns(f, func(in *dockerfile.Instruction) { checkWrongTargets(pass, f, in) })
	return nil, nil
}

func checkWrongTargets(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction) {
	mounts := cacheMounts(in)
	if len(mounts) == 0 {
		return
	}
	needs := cacheNeeds(in)
	// A mount that some command of the RUN does use is not wrong.
	used := func(m cacheMount, c *Cache) bool {
		for _, n := range needs {
			if n.Cache == c && n.Dirs != nil && n.mountFor([]cacheMount{m}) != nil {
				return true
			}
		}
		return false
	}
	reported := map[*dockerfile.Mount]bool{}
	for _, n := range needs {
		if n.Off || n.Dirs == nil || n.Cmd.User != "" || n.mountFor(mounts) != nil || coveredByTmpfs(in, n.Dirs) || configured(in, n) {
			continue
		}
		for _, m := range mounts {
			if reported[m.Mount] || !n.Cache.meantFor(m.Target) || used(m, n.Cache) || inside(m.Target, n.Dirs) || names(n, m.Target) {
				continue
			}
			why, ok := whyCacheDir(n, n.Dirs[0])
			if !ok {
				continue
			}
			reported[m.Mount] = true
			reportWrongTarget(pass, f, in, n, m, why)
		}
	}
}

// configured reports whether the tool's own configuration may have moved
// its cache before the command: npm config set cache, yarn config set
// cache-folder, pnpm config set store-dir, pip config set
// global.cache-dir, poetry config cache-dir, go env -w GOMODCACHE ...,
// run earlier in the stage or in the RUN. The tool then reads a config
// file cachelint does not follow.
func configured(in *dockerfile.Instruction, n cacheNeed) bool {
	for _, prev := range stageChain(in.Stage) {
		if prev.Run == nil {
			continue
		}
		for _, c := range prev.Run.Commands {
			if c == n.Cmd {
				return false
			}
			t, args := toolCommand(c)
			if t != n.Tool {
				continue
			}
			sub, rest := subcommand(args)
			if !oneOf(sub, "config", "set", "env") {
				continue
			}
			for _, a := range rest {
				a = strings.ToLower(a)
				if strings.Contains(a, "cache") || strings.Contains(a, "store") || strings.Contains(a, "folder") ||
					strings.Contains(a, "gopath") || strings.Contains(a, "home") {
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

// names reports whether the command names the mount's target in its
// arguments (pnpm install --store=/home/node/.pnpm-store): it points the
// tool there in a way the tool table may not know.
func names(n cacheNeed, target string) bool {
	for _, a := range n.Args {
		if _, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(a, "-") {
			a = v
		}
		if !path.IsAbs(a) && n.Cmd.Dir != "" {
			a = path.Join(n.Cmd.Dir, a)
		}
		if within(path.Clean(a), target) {
			return true
		}
	}
	return false
}

// inside reports whether a mount target is one of dirs or inside one: a
// mount on part of the cache (/go/pkg/mod/cache, /usr/local/cargo/git/db,
// /var/lib/apt/lists) keeps that part.
func inside(target string, dirs []string) bool {
	for _, d := range dirs {
		if target == d || strings.HasPrefix(target, d+"/") {
			return true
		}
	}
	return false
}

func reportWrongTarget(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction, n cacheNeed, m cacheMount, why string) {
	uses := n.Dirs[0]
	if len(n.Dirs) > 1 {
		uses += " (or " + strings.Join(n.Dirs[1:], ", ") + ")"
	}
	if why != "" {
		why += ", so "
	}
	msg := fmt.Sprintf("the cache mount on %s is not where `%s` keeps its %s: %s%s uses %s",
		m.Target, commandText(f, in, n.Cmd), n.Cache.What, why, n.Tool.Name, uses)
	owner := ""
	if !n.Env.isRoot() && m.UID == nil && m.Mode == nil {
		owner = ownerOptions(n.Env)
	}
	var targets []string
	for _, d := range n.Dirs {
		targets = append(targets, newTarget(n.Cache, m.Target, d))
	}
	help := fmt.Sprintf("mount %s instead", targets[0])
	if len(targets) > 1 {
		// The tool's version or settings decide which: no edit.
		help = fmt.Sprintf("mount whichever of %s or %s %s uses here instead",
			strings.Join(targets[:len(targets)-1], ", "), targets[len(targets)-1], n.Tool.Name)
	}
	switch {
	case owner != "":
		help += fmt.Sprintf(", owned by %s (%s) so that %s can write to it", n.Env.user(), owner[1:], n.Tool.Name)
	case !n.Env.isRoot() && m.UID == nil && m.Mode == nil:
		help += fmt.Sprintf(", owned by %s (add its uid= and gid=) so that %s can write to it", n.Env.user(), n.Tool.Name)
	}
	var edits []analysis.TextEdit
	if e, ok := replaceMountTarget(f, m.Mount, targets[0]); ok && len(targets) == 1 {
		edits = append(edits, e)
		if owner != "" {
			if e, ok := appendMountOptions(f, m.Mount, owner); ok {
				edits = append(edits, e)
			} else {
				edits = nil
			}
		}
	}
	pos, end := mountPos(f, in, m.Mount)
	pass.Report(analysis.Diagnostic{
		Pos:            pos,
		End:            end,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{{Message: help, TextEdits: edits}},
	})
}

// newTarget is the target a mount meant for the cache should have: the
// cache's directory, keeping what the old target had below the cache's
// mark (/root/.npm/_cacache becomes /home/node/.npm/_cacache).
func newTarget(c *Cache, old, dir string) string {
	o := "/" + strings.Trim(old, "/")
	for _, mark := range c.Marks {
		if !strings.HasSuffix(dir, "/"+mark) {
			continue
		}
		if i := strings.Index(o+"/", "/"+mark+"/"); i >= 0 {
			return dir + o[i+1+len(mark):]
		}
	}
	return dir
}

// dirVars are the variables that move a tool's cache directory, most
// specific first; whyCacheDir names the one that decided.
var dirVars = []string{
	"GOMODCACHE", "GOCACHE", "npm_config_cache", "NPM_CONFIG_CACHE", "YARN_CACHE_FOLDER", "YARN_GLOBAL_FOLDER",
	"npm_config_store_dir", "PNPM_HOME", "BUN_INSTALL_CACHE_DIR", "BUN_INSTALL", "PIP_CACHE_DIR",
	"POETRY_CACHE_DIR", "UV_CACHE_DIR", "PIPENV_CACHE_DIR", "CARGO_HOME", "GRADLE_USER_HOME", "COURSIER_CACHE",
	"COMPOSER_CACHE_DIR", "COMPOSER_HOME", "BUNDLE_USER_CACHE", "GEM_HOME", "NUGET_PACKAGES", "HEX_HOME",
	"CCACHE_DIR", "XDG_CACHE_HOME", "XDG_DATA_HOME", "GOPATH", "HOME",
}

// whyCacheDir says in a few words why a need's cache is in dir: the flag,
// variable or user that put it there. ok is false when the reason is the
// home of an image's default user on an image cachelint does not know:
// the image may well run as another user.
func whyCacheDir(n cacheNeed, dir string) (string, bool) {
	for i, a := range n.Args {
		for _, fl := range n.Cache.Flags {
			if a == fl && i+1 < len(n.Args) || strings.HasPrefix(a, fl+"=") {
				return fmt.Sprintf("the command's %s flag names it", fl), true
			}
		}
	}
	best, bestValue := "", ""
	for _, name := range dirVars {
		v, set, known := n.Env.lookup(name)
		v, _, _ = strings.Cut(v, ":")
		if !set || !known || !path.IsAbs(v) {
			continue
		}
		v = path.Clean(v)
		if (dir == v || strings.HasPrefix(dir, v+"/") || v == "/") && len(v) > len(bestValue) {
			best, bestValue = name, v
		}
	}
	if n.Cache == mavenRepo {
		if d, applies, known := mavenRepoFromEnv(n.Env); applies && known && d == dir {
			return "MAVEN_OPTS or MAVEN_ARGS sets -Dmaven.repo.local", true
		}
	}
	if best != "" {
		return varSource(n, best), true
	}
	if n.Env.in.User == "" && n.Env.img == nil {
		return "", false // the image may set USER
	}
	if strings.HasPrefix(dir, "/usr/local/share/") {
		return "as root, Yarn 1 keeps its cache under /usr/local/share", true
	}
	home, ok := n.Env.home()
	if !ok || home != "/" && dir != home && !strings.HasPrefix(dir, home+"/") {
		return "", true
	}
	u := n.Env.user()
	switch {
	case u == "":
		return "as root (HOME /root)", true
	case home == "/":
		return fmt.Sprintf("running as %s, which has no home directory (HOME /)", u), true
	}
	return fmt.Sprintf("running as %s (HOME %s)", u, home), true
}

// varSource names where a variable the command sees is set.
func varSource(n cacheNeed, name string) string {
	v, _ := n.Env.get(name)
	if _, ok := n.Cmd.Env[name]; ok {
		return fmt.Sprintf("the RUN sets %s=%s", name, v)
	}
	if d, ok := n.Env.in.Env.Lookup(name); ok {
		kw := "ENV"
		if d.Arg {
			kw = "ARG"
		}
		return fmt.Sprintf("%s %s=%s on line %d", kw, name, v, d.Line)
	}
	if ref, ok := baseImage(n.Env.in.Stage); ok && n.Env.img != nil {
		return fmt.Sprintf("the %s image sets %s=%s", ref.Repo, name, v)
	}
	return fmt.Sprintf("%s=%s", name, v)
}
