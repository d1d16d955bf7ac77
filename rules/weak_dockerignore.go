package rules

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/patternmatcher"
	"golang.org/x/tools/go/analysis"
	"mvdan.cc/sh/v3/syntax"

	"github.com/cachelint/cachelint/buildcontext"
	"github.com/cachelint/cachelint/dockerfile"
)

// WeakDockerignore flags a whole-context COPY while the context sends
// .git or dependency and build output directories with it.
var WeakDockerignore = &analysis.Analyzer{
	Name: "weak_dockerignore",
	Doc: `the whole build context is copied while .dockerignore misses .git or build output

Why it matters for the cache: BuildKit keys a COPY on the checksum of
everything it copies. "COPY . ." copies the whole context, so whatever
sits in it counts, including what the image never needs: .git changes on
every commit, fetch and checkout; node_modules, target, build, dist, .venv,
__pycache__ change whenever someone installs or builds on their machine.
Each such change re-runs the COPY and every step after it, and the context
sent to the builder grows with them. A .dockerignore that excludes them
keeps the COPY's checksum tied to the sources.

Example:

    FROM node:22
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci
    COPY . .
    RUN npm run build

with a context that holds .git and node_modules, and no .dockerignore.

Fix: exclude them in .dockerignore at the root of the context (or in
Dockerfile.dockerignore beside a Dockerfile of that name, which BuildKit
reads instead):

    .git
    **/node_modules

The finding is reported at the first whole-context COPY, ADD or RUN
--mount=type=bind of the file (the context is the same for all of them)
and names the lines to add. The fix cannot be applied for you: it belongs
in the ignore file, not in the Dockerfile.

Only what is present in the context is reported, so that the finding is
about this build: .git when it is a Git directory (.git/HEAD exists), and
the output directories of the ecosystems found beside them, up to two
levels deep: node_modules and .next anywhere; dist and coverage beside a
package.json (dist also beside pyproject.toml or setup.py); build beside a
Gradle build, or holding a CMake cache, a web bundle (index.html) or
Python's build/lib; target beside Cargo.toml, pom.xml or build.sbt;
.gradle, __pycache__, .pytest_cache and .tox anywhere; Python virtual
environments (any directory with a pyvenv.cfg); bin and obj beside a .NET
project file; vendor beside composer.json, and vendor/bundle beside a
Gemfile, only when the Dockerfile runs composer install or bundle install
itself (Go's vendor directory is the input of -mod=vendor and is never
reported); _build beside mix.exs. The ignore file is evaluated as BuildKit
does, so allow-lists ("*" then "!src") and "**/" patterns count, as do the
COPY's own --exclude patterns.

Not reported: a path the Dockerfile uses (COPY dist/ /usr/share/nginx/html,
a bind mount of it, a RUN, CMD or ENTRYPOINT argument naming it); a path
the ignore file lets in on purpose with a "!" line; .git when the build
needs it or may (a bind mount of .git, a git command such as git describe
run on the copied sources, BUILDKIT_CONTEXT_KEEP_GIT_DIR, git installed
in the image, a build script of the project or make run on the copied
sources, which often ask git for the version); a .git that is only in
a subdirectory (a vendored checkout; a submodule's .git is a small file
that rarely changes); a context that does not hold the files the
Dockerfile copies by name (the build then runs from another directory than
the one cachelint sees, so its ignore file is not the one checked here).
Builds from a Git URL (and build-push-action without a context input)
drop .git themselves; cachelint cannot see that from the Dockerfile.

Sources:
- https://docs.docker.com/build/concepts/context/#dockerignore-files
- https://docs.docker.com/build/cache/optimize/#keep-the-context-small
- https://docs.docker.com/build/cache/invalidation/#general-rules`,
	URL:      docURL("weak-dockerignore"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer, buildcontext.Analyzer},
	Run:      runWeakDockerignore,
}

func runWeakDockerignore(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	ctx, _ := pass.ResultOf[buildcontext.Analyzer].(*buildcontext.Context)
	if f.ParseErr != nil || !ctx.Known() || ctx.IgnoreErr != nil {
		return nil, nil
	}
	var copies []contextCopy
	for _, in := range f.Instructions {
		for _, cp := range wholeContextCopies(in) {
			if !cp.exact {
				copies = append(copies, cp)
			}
		}
	}
	if len(copies) == 0 {
		return nil, nil
	}
	u := contextUses(f, copies)
	if u.missing(ctx) {
		return nil, nil
	}
	for _, cp := range copies {
		found := unwantedPaths(ctx, u, cp)
		if len(found) > 0 {
			reportWeakDockerignore(pass, ctx, cp, found)
			break
		}
	}
	return nil, nil
}

// unwanted is a path of the context that a whole-context COPY should not
// send, and the .dockerignore line that keeps it out.
type unwanted struct {
	path string // relative to the context root
	line string // the ignore-file line that excludes it (and its kind)
}

func reportWeakDockerignore(pass *analysis.Pass, ctx *buildcontext.Context, cp contextCopy, found []unwanted) {
	var paths, lines []string
	for _, u := range found {
		paths = append(paths, u.path)
		if !slices.Contains(lines, u.line) {
			lines = append(lines, u.line)
		}
	}
	list := listPaths(paths)
	they, change, rerun := "it", "changes", "re-runs"
	if len(paths) > 1 {
		they, change, rerun = "they", "change", "re-run"
	}
	// what changes them: Git's own work for .git, installs and builds
	// for the output directories
	var why []string
	if slices.ContainsFunc(found, func(u unwanted) bool { return u.path == ".git" }) {
		why = append(why, "commits, fetches and checkouts")
	}
	if slices.ContainsFunc(found, func(u unwanted) bool { return u.path != ".git" }) {
		why = append(why, "local installs and builds")
	}
	because := strings.Join(why, ", ")
	var msg, help string
	if ctx.IgnoreFile == "" {
		msg = fmt.Sprintf("%s, and the context has no .dockerignore: %s %s without any source change (%s) and %s this step and every step after it",
			cp.what, list, change, because, rerun)
		help = fmt.Sprintf("create .dockerignore at the root of the build context with: %s", quoteLines(lines))
	} else {
		name := filepath.Base(ctx.IgnoreFile)
		msg = fmt.Sprintf("%s, and %s does not exclude %s: %s %s without any source change (%s) and %s this step and every step after it",
			cp.what, name, list, they, change, because, rerun)
		help = fmt.Sprintf("add to %s: %s", name, quoteLines(lines))
	}
	pass.Report(analysis.Diagnostic{
		Pos:            cp.pos,
		End:            cp.end,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{{Message: help}},
	})
}

// listPaths names up to four paths and counts the rest.
func listPaths(paths []string) string {
	const most = 4
	shown := paths
	if len(paths) > most {
		shown = paths[:most-1]
	}
	if len(paths) > most {
		return strings.Join(shown, ", ") + fmt.Sprintf(" and %d more", len(paths)-len(shown))
	}
	if len(shown) == 1 {
		return shown[0]
	}
	return strings.Join(shown[:len(shown)-1], ", ") + " and " + shown[len(shown)-1]
}

func quoteLines(lines []string) string {
	q := make([]string, len(lines))
	for i, l := range lines {
		q[i] = "`" + l + "`"
	}
	return strings.Join(q, ", ")
}

// outputDir describes a directory that a tool writes into a project and
// that an image built from the sources never needs from the context.
type outputDir struct {
	name  string
	depth int // how deep below the context root to look (0 = root only)
	// is reports whether dir (context-relative, the candidate itself) is
	// this output here: the project beside it writes it. nil = always.
	is func(ctx *buildcontext.Context, u *dockerfileUses, dir string) bool
	// recursive: suggest **/name when found below the root.
	recursive bool
}

// besideAny reports whether the directory holding dir has one of files.
func besideAny(files ...string) func(*buildcontext.Context, *dockerfileUses, string) bool {
	return func(ctx *buildcontext.Context, _ *dockerfileUses, dir string) bool {
		return hasAny(ctx, path.Dir(dir), files...)
	}
}

// hasAny reports whether dir holds one of files (globs allowed).
func hasAny(ctx *buildcontext.Context, dir string, files ...string) bool {
	for _, f := range files {
		p := path.Join(dir, f)
		if strings.ContainsAny(f, "*?[") {
			if len(ctx.Glob(p)) > 0 {
				return true
			}
		} else if ctx.Exists(p) {
			return true
		}
	}
	return false
}

var (
	nodeManifests   = []string{"package.json"}
	pythonManifests = []string{"pyproject.toml", "setup.py", "setup.cfg"}
	gradleManifests = []string{"build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"}
	dotnetProjects  = []string{"*.csproj", "*.fsproj", "*.vbproj"}
)

// outputDirs are the dependency and build output directories looked for
// in the context.
var outputDirs = []outputDir{
	// Python virtual environments, whatever their name.
	{name: "*", depth: 1, is: func(ctx *buildcontext.Context, _ *dockerfileUses, dir string) bool {
		return ctx.Exists(path.Join(dir, "pyvenv.cfg"))
	}},
	{name: "node_modules", depth: 2, recursive: true},
	{name: ".next", depth: 2, recursive: true},
	{name: "dist", depth: 2, recursive: true, is: besideAny(append(append([]string{}, nodeManifests...), pythonManifests...)...)},
	{name: "coverage", depth: 2, recursive: true, is: besideAny(nodeManifests...)},
	{name: "build", depth: 2, recursive: true, is: func(ctx *buildcontext.Context, _ *dockerfileUses, dir string) bool {
		parent := path.Dir(dir)
		return hasAny(ctx, parent, gradleManifests...) ||
			ctx.Exists(path.Join(dir, "CMakeCache.txt")) ||
			hasAny(ctx, parent, nodeManifests...) && hasAny(ctx, dir, "index.html", "asset-manifest.json") ||
			hasAny(ctx, parent, pythonManifests...) && ctx.Exists(path.Join(dir, "lib"))
	}},
	{name: "target", depth: 2, recursive: true, is: besideAny("Cargo.toml", "pom.xml", "build.sbt")},
	{name: ".gradle", depth: 1, recursive: true},
	{name: "__pycache__", depth: 2, recursive: true},
	{name: ".pytest_cache", depth: 1, recursive: true},
	{name: ".tox", depth: 1, recursive: true},
	{name: "bin", depth: 2, recursive: true, is: besideAny(dotnetProjects...)},
	{name: "obj", depth: 2, recursive: true, is: besideAny(dotnetProjects...)},
	{name: "vendor", depth: 1, is: func(ctx *buildcontext.Context, u *dockerfileUses, dir string) bool {
		return u.composer && hasAny(ctx, path.Dir(dir), "composer.json")
	}},
	{name: "vendor/bundle", depth: 1, is: func(ctx *buildcontext.Context, u *dockerfileUses, dir string) bool {
		return u.bundler && hasAny(ctx, path.Dir(path.Dir(dir)), "Gemfile")
	}},
	{name: "_build", depth: 1, is: besideAny("mix.exs")},
}

// unwantedPaths lists what the whole-context copy cp sends that it should
// not: .git and the output directories present and not excluded.
func unwantedPaths(ctx *buildcontext.Context, u *dockerfileUses, cp contextCopy) []unwanted {
	excl := copyExcludes(cp)
	keep := func(p string) bool {
		return !excl(p) && !u.uses(p) && !letIn(ctx, p)
	}
	var found []unwanted
	if ctx.Exists(".git/HEAD") && !ctx.Ignored(".git/HEAD") && !excl(".git/HEAD") && !u.needsGit && keep(".git") {
		found = append(found, unwanted{path: ".git", line: ".git"})
	}
	for _, od := range outputDirs {
		first := len(found)
		nested := false
		for depth := 0; depth <= od.depth; depth++ {
			pattern := strings.Repeat("*/", depth) + od.name
			for _, p := range ctx.Glob(pattern) {
				if insideFound(p, found) || !sends(ctx, p) || od.is != nil && !od.is(ctx, u, p) || !keep(p) {
					continue
				}
				found = append(found, unwanted{path: p, line: p})
				nested = nested || depth > 0
			}
		}
		if od.recursive && nested {
			for i := first; i < len(found); i++ {
				found[i].line = "**/" + od.name
			}
		}
	}
	return found
}

// insideFound reports whether p lies inside a path already found.
func insideFound(p string, found []unwanted) bool {
	for _, u := range found {
		if strings.HasPrefix(p, u.path+"/") {
			return true
		}
	}
	return false
}

// sends reports whether the context sends something inside directory p:
// a directory whose contents are all excluded sends nothing.
func sends(ctx *buildcontext.Context, p string) bool {
	return len(ctx.Glob(globEscape(p)+"/*")) > 0
}

// globEscape quotes the glob characters of a literal path.
func globEscape(p string) string {
	if !strings.ContainsAny(p, `*?[\`) {
		return p
	}
	var sb strings.Builder
	for _, r := range p {
		if strings.ContainsRune(`*?[\`, r) {
			sb.WriteByte('\\')
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// letIn reports whether the ignore file names p (or something inside it) in
// a "!" line: the author lets it in on purpose.
func letIn(ctx *buildcontext.Context, p string) bool {
	for _, pat := range ctx.Patterns() {
		q, ok := strings.CutPrefix(pat, "!")
		if !ok {
			continue
		}
		q = strings.TrimPrefix(path.Clean("/"+q), "/")
		if q == p || strings.HasPrefix(q, p+"/") || strings.HasPrefix(q, "**/"+path.Base(p)) {
			return true
		}
		if ok, _ := path.Match(q, p); ok {
			return true
		}
	}
	return false
}

// copyExcludes returns a predicate for the COPY's own --exclude patterns.
func copyExcludes(cp contextCopy) func(string) bool {
	if cp.in.Copy == nil || len(cp.in.Copy.Excludes) == 0 {
		return func(string) bool { return false }
	}
	pm, err := patternmatcher.New(cp.in.Copy.Excludes)
	if err != nil {
		return func(string) bool { return false }
	}
	return func(p string) bool {
		ok, err := pm.MatchesOrParentMatches(p)
		return err == nil && ok
	}
}

// dockerfileUses is what the Dockerfile reads from the context by name.
type dockerfileUses struct {
	sources  []string // COPY/ADD sources and bind-mount sources, context-relative
	unknown  bool     // some source depends on an unknown variable
	refs     []imagePath
	dests    []string // where the whole context lands ("" unknown)
	needsGit bool
	composer bool // the Dockerfile runs composer install
	bundler  bool // the Dockerfile runs bundle install
}

// imagePath is a path named by a RUN, CMD or ENTRYPOINT argument.
type imagePath struct {
	p   string // as written, cleaned
	abs string // absolute in the image, "" when unknown
}

// fileCommands read or move the files named by their bare operands.
var fileCommands = map[string]bool{
	"cp": true, "mv": true, "rsync": true, "ln": true, "tar": true, "ls": true,
	"cat": true, "find": true, "test": true, "[": true, "chmod": true, "chown": true,
	"source": true, ".": true, "install": true,
}

// contextUses collects the context paths the Dockerfile names.
func contextUses(f *dockerfile.File, copies []contextCopy) *dockerfileUses {
	u := &dockerfileUses{}
	for _, cp := range copies {
		u.dests = append(u.dests, cp.dest)
	}
	for _, in := range f.Instructions {
		switch {
		case in.Copy != nil && in.Copy.From == "":
			for _, src := range in.Copy.Sources {
				p := unquote(src.Text)
				if in.Copy.Add && (strings.Contains(p, "://") || strings.HasPrefix(p, "git@")) || isWholeContext(p) {
					continue
				}
				u.addSource(in, p)
			}
		case in.Run != nil:
			u.addRun(in)
		case in.Keyword == "CMD" || in.Keyword == "ENTRYPOINT":
			for _, w := range in.Args {
				u.addRef(strings.Trim(w.Text, `[]",'`), in.Workdir, false)
			}
		case in.Keyword == "ARG" || in.Keyword == "ENV":
			for _, w := range in.Args {
				if strings.HasPrefix(strings.ToUpper(w.Text), "BUILDKIT_CONTEXT_KEEP_GIT_DIR") {
					u.needsGit = true
				}
			}
		}
	}
	return u
}

func (u *dockerfileUses) addSource(in *dockerfile.Instruction, p string) {
	if strings.Contains(p, "$") {
		known := true
		p = os.Expand(p, func(name string) string {
			v, ok := in.Env.Get(name)
			known = known && ok
			return v
		})
		if !known {
			u.unknown = true
			return
		}
	}
	p = strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(p, "\\", "/")), "/")
	if p != "" {
		u.sources = append(u.sources, p)
	}
}

func (u *dockerfileUses) addRun(in *dockerfile.Instruction) {
	for _, m := range in.Run.Mounts {
		if m.Type == "bind" && m.From == "" && m.Source != "" && !isWholeContext(m.Source) {
			u.addSource(in, m.Source)
			if p := strings.TrimPrefix(path.Clean("/"+m.Source), "/"); p == ".git" || strings.HasPrefix(p, ".git/") {
				u.needsGit = true
			}
		}
	}
	cloned := false
	for _, c := range in.Run.Commands {
		t, args := toolCommand(c)
		getenv := func(name string) (string, bool) { return c.Getenv(in, name) }
		if t != nil && t.installs != nil && t.installs(t.withoutLeadingDirFlags(args), getenv) {
			u.composer = u.composer || t.Name == "composer"
			u.bundler = u.bundler || t.Name == "bundler"
		}
		name := c.Name()
		if u.mayNeedGit(c, t, args) {
			u.needsGit = true
		}
		argvs := substitutedCommands(c)
		if name == "git" {
			argvs = append([][]string{c.Argv()}, argvs...)
		}
		for _, argv := range argvs {
			if len(argv) == 0 || path.Base(argv[0]) != "git" {
				continue
			}
			sub, rest := subcommand(argv[1:])
			switch {
			case sub == "clone":
				cloned = true
			case oneOf(sub, "init", "ls-remote", "version", "help", "credential", "") ||
				sub == "config" && hasFlag(rest, "--global", "--system"):
			case !cloned && u.inContext(c.Dir):
				u.needsGit = true
			}
		}
		if name == "rm" || name == "mkdir" {
			continue // removing or making it is no use of the context's copy
		}
		for i, a := range c.Args {
			if i == 0 && name != "" && !strings.Contains(a.Value, "/") || !a.Lit || strings.HasPrefix(a.Value, "-") {
				continue
			}
			u.addRef(a.Value, c.Dir, fileCommands[name])
		}
		for _, r := range c.Files() {
			if r.Lit {
				u.addRef(r.Value, c.Dir, true)
			}
		}
	}
}

// mayNeedGit reports whether a command suggests that the build reads the
// context's .git without naming it: git installed in the image (go build
// then stamps the commit, build scripts call git), a build script of the
// project, or make and the like in the copied sources, which often take
// the version from git describe.
func (u *dockerfileUses) mayNeedGit(c *dockerfile.Command, t *Tool, args []string) bool {
	if t != nil && t.System {
		sub, rest := sysSubcommand(t, args)
		ops, _ := pkgCmd{Tool: t, Cmd: c, Args: args, Sub: sub, Rest: rest}.namedPackages()
		return slices.ContainsFunc(ops, func(op string) bool {
			return op == "git" || op == "git-core" || strings.HasPrefix(op, "git=") || strings.HasPrefix(op, "git~")
		})
	}
	if t != nil || len(c.Args) == 0 || !c.Args[0].Lit {
		return false
	}
	name := c.Name()
	script := c.Args[0].Value
	if oneOf(name, "sh", "bash", "dash", "ash", "zsh") {
		ops := operands(c.Argv()[1:])
		if len(ops) == 0 {
			return false
		}
		script = ops[0]
	} else if oneOf(name, "make", "gmake", "just", "task", "mage") {
		return u.inContext(c.Dir)
	}
	if !strings.Contains(script, "/") && !strings.HasSuffix(script, ".sh") {
		return false
	}
	if path.IsAbs(script) {
		return slices.ContainsFunc(u.dests, func(d string) bool {
			return d == "" || d != "/" && strings.HasPrefix(script, d+"/")
		})
	}
	return u.inContext(c.Dir)
}

// substitutedCommands returns the argv of the commands inside the command
// substitutions of c's arguments and of the variables the RUN set for it
// (VERSION=$(git describe --tags)), which are not commands of the model.
func substitutedCommands(c *dockerfile.Command) [][]string {
	texts := make([]string, 0, len(c.Args)+len(c.Env))
	for _, a := range c.Args {
		texts = append(texts, a.Value)
	}
	for _, k := range slices.Sorted(maps.Keys(c.Env)) {
		texts = append(texts, c.Env[k])
	}
	var out [][]string
	for _, t := range texts {
		if !strings.Contains(t, "$(") && !strings.Contains(t, "`") {
			continue
		}
		file, err := syntax.NewParser().Parse(strings.NewReader(t), "")
		if err != nil {
			continue
		}
		syntax.Walk(file, func(n syntax.Node) bool {
			if ce, ok := n.(*syntax.CallExpr); ok && len(ce.Args) > 0 {
				argv := make([]string, len(ce.Args))
				for i, w := range ce.Args {
					argv[i] = w.Lit()
				}
				out = append(out, argv)
			}
			return true
		})
	}
	return out
}

// inContext reports whether dir is where a whole-context copy landed, or
// below it, or unknown.
func (u *dockerfileUses) inContext(dir string) bool {
	if dir == "" {
		return true
	}
	for _, d := range u.dests {
		if d == "" || d == "/" || dir == d || strings.HasPrefix(dir, d+"/") {
			return true
		}
	}
	return false
}

// addRef records an argument that names a path: one with a slash or a
// leading dot, or any operand of a command that works on files.
func (u *dockerfileUses) addRef(v, dir string, bare bool) {
	if v == "" || strings.Contains(v, "://") || strings.Contains(v, "$") {
		return
	}
	if !bare && !strings.Contains(v, "/") && !strings.HasPrefix(v, ".") {
		return
	}
	v = strings.ReplaceAll(v, "\\", "/")
	ref := imagePath{p: strings.TrimPrefix(path.Clean(v), "./")}
	switch {
	case path.IsAbs(v):
		ref.abs = path.Clean(v)
	case dir != "":
		ref.abs = path.Join(dir, v)
	}
	u.refs = append(u.refs, ref)
}

// uses reports whether the Dockerfile names context path p or something
// inside it, so that excluding p would break the build.
func (u *dockerfileUses) uses(p string) bool {
	if u.unknown && p != ".git" {
		return true // an unknown source could name it
	}
	for _, s := range u.sources {
		if s == p || strings.HasPrefix(s, p+"/") || globPrefix(s) != s && strings.HasPrefix(p, globPrefix(s)) && globPrefix(s) != "" {
			return true
		}
	}
	precise := slices.ContainsFunc(u.dests, func(d string) bool { return d != "" })
	for _, r := range u.refs {
		if r.abs != "" && precise {
			for _, d := range u.dests {
				if img := path.Join(d, p); d != "" && (r.abs == img || strings.HasPrefix(r.abs, img+"/")) {
					return true
				}
			}
			continue
		}
		if r.p == p || strings.HasPrefix(r.p, p+"/") || strings.HasSuffix(r.p, "/"+p) || strings.Contains(r.p, "/"+p+"/") {
			return true
		}
	}
	return false
}

// globPrefix is the part of a path before its first glob character.
func globPrefix(s string) string {
	if i := strings.IndexAny(s, "*?["); i >= 0 {
		return s[:i]
	}
	return s
}

// missing reports whether a file the Dockerfile copies by name is not in
// the context: the build then uses another context than the one seen
// here, or files made before it, and its ignore file is not this one.
func (u *dockerfileUses) missing(ctx *buildcontext.Context) bool {
	for _, s := range u.sources {
		if strings.ContainsAny(s, "*?[") {
			if len(ctx.Glob(s)) == 0 {
				return true
			}
			continue
		}
		if !ctx.Exists(s) {
			return true
		}
	}
	return false
}
