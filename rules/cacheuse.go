package rules

import (
	"go/token"
	"path"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// cacheNeed is one cache directory that one command of a RUN uses.
type cacheNeed struct {
	Tool  *Tool
	Cache *Cache
	Cmd   *dockerfile.Command
	Args  []string // the command's arguments after the program
	Env   runEnv
	// Dirs are where the cache may be, the first where the tool writes
	// by default; nil when that cannot be known here.
	Dirs []string
	// Off is set when the command turns the cache off (--no-cache-dir,
	// PIP_NO_CACHE_DIR=1, apk --no-cache).
	Off bool
	// Offline is set when the command only reads what the cache holds
	// (mvn -o, dotnet build --no-restore).
	Offline bool
}

// cacheNeeds lists the caches that the commands of a RUN use, in the
// order the commands run. Commands that wipe a cache are not uses. The
// extra tools (those the configuration describes) come before the tool
// table: a command that runs one of them is that tool's.
func cacheNeeds(in *dockerfile.Instruction, extra ...*configuredTool) []cacheNeed {
	if in.Run == nil {
		return nil
	}
	var needs []cacheNeed
	for _, c := range in.Run.Commands {
		t, args := matchConfigured(extra, c)
		if t == nil {
			t, args = toolCommand(c)
		}
		if t == nil || t.uses == nil {
			continue
		}
		args = t.withoutLeadingDirFlags(args)
		if !t.uses(args) || (t.cleans != nil && t.cleans(args)) {
			continue
		}
		env := newRunEnv(in, c)
		off := hasFlag(args, t.NoCacheFlags...)
		for _, name := range t.NoCacheEnv {
			if v, ok := env.get(name); ok && truthy(v) {
				off = true
			}
		}
		for _, cache := range t.Caches {
			if cache.usedBy != nil && !cache.usedBy(args, env.get) {
				continue
			}
			n := cacheNeed{Tool: t, Cache: cache, Cmd: c, Args: args, Env: env, Off: off, Offline: hasFlag(args, t.Offline...)}
			if dirs, ok := cache.dirsOf(env, args); ok {
				n.Dirs = dirs
			}
			needs = append(needs, n)
		}
	}
	return needs
}

// cleanups lists the commands of a RUN that wipe a tool's cache with the
// tool's own command (npm cache clean, apt-get clean, go clean -modcache).
func cleanups(in *dockerfile.Instruction) []cacheNeed {
	if in.Run == nil {
		return nil
	}
	var out []cacheNeed
	for _, c := range in.Run.Commands {
		t, args := toolCommand(c)
		if t == nil || t.cleans == nil || !t.cleans(args) {
			continue
		}
		env := newRunEnv(in, c)
		for _, cache := range t.Caches {
			if cache.cleanedBy != nil && !cache.cleanedBy(args) {
				continue
			}
			n := cacheNeed{Tool: t, Cache: cache, Cmd: c, Args: args, Env: env}
			if dirs, ok := cache.dirsOf(env, args); ok {
				n.Dirs = dirs
			}
			out = append(out, n)
		}
	}
	return out
}

// wipes returns the first command of a RUN that deletes the need's cache:
// the tool's own cleanup (npm cache clean, apt-get clean) or an rm of the
// directory, of something inside it or of a directory above it. It
// returns nil when nothing does.
func wipes(in *dockerfile.Instruction, n cacheNeed) *dockerfile.Command {
	for _, cl := range cleanups(in) {
		if cl.Cache == n.Cache {
			return cl.Cmd
		}
	}
	for _, c := range in.Run.Commands {
		if c.Name() != "rm" {
			continue
		}
		for _, d := range n.Dirs {
			if rmDeletes(c, n.Env, d) {
				return c
			}
		}
	}
	return nil
}

// removedPaths are the absolute paths an rm command deletes, a trailing
// glob dropped (rm -rf /var/lib/apt/lists/* deletes in
// /var/lib/apt/lists); operands that are not known are left out.
func removedPaths(c *dockerfile.Command, e runEnv) []string {
	var out []string
	for _, v := range removedPatterns(c, e) {
		if i := strings.IndexAny(v, "*?["); i >= 0 {
			v = path.Dir(v[:i] + "x")
		}
		out = append(out, v)
	}
	return out
}

// removedPatterns are the operands of an rm command made absolute and
// clean, globs kept (/var/lib/apt/lists/*, /deps/*.deb); operands that
// are not known are left out.
func removedPatterns(c *dockerfile.Command, e runEnv) []string {
	var out []string
	for _, a := range c.Args[1:] {
		if v, ok := removedPattern(c, e, a); ok {
			out = append(out, v)
		}
	}
	return out
}

// removedPattern is one operand of rm made absolute and clean.
func removedPattern(c *dockerfile.Command, e runEnv, a dockerfile.Arg) (string, bool) {
	v := a.Value
	if !a.Lit || strings.HasPrefix(v, "-") || v == "" {
		return "", false
	}
	if rest, ok := strings.CutPrefix(v, "~"); ok && (rest == "" || rest[0] == '/') {
		home, known := e.home()
		if !known {
			return "", false
		}
		v = home + rest
	}
	if !path.IsAbs(v) {
		if c.Dir == "" {
			return "", false
		}
		v = path.Join(c.Dir, v)
	}
	return path.Clean(v), true
}

// rmDeletes reports whether an rm command deletes dir, something inside
// it or a directory above it.
func rmDeletes(c *dockerfile.Command, e runEnv, dir string) bool {
	for _, p := range removedPatterns(c, e) {
		if patternReaches(p, dir) {
			return true
		}
	}
	return false
}

// patternReaches reports whether what an absolute rm pattern names is
// dir, inside it or above it. A glob matches whole path components:
// /var/lib/apt/lists/* reaches /var/lib/apt, /var/* reaches /var/cache/apt,
// but /*.deb (rm -f *.deb run in /) reaches no directory.
func patternReaches(p, dir string) bool {
	if p == "/" {
		return true
	}
	pc := strings.Split(strings.TrimPrefix(p, "/"), "/")
	dc := strings.Split(strings.TrimPrefix(dir, "/"), "/")
	for i := range min(len(pc), len(dc)) {
		if ok, err := path.Match(pc[i], dc[i]); err != nil || !ok {
			return false
		}
	}
	return true
}

// cacheMount is a RUN --mount=type=cache with its target made absolute.
type cacheMount struct {
	*dockerfile.Mount
	// Target is the absolute, clean target; "" when it cannot be known
	// (a relative target under an unknown WORKDIR, a Windows path).
	Target string
	// ID is the cache's id as BuildKit keys it: id= when given, else the
	// target as written, cleaned but not made absolute.
	ID string
}

// linuxRuns calls fn for each RUN of the file's Linux stages, in order.
func linuxRuns(f *dockerfile.File, fn func(in *dockerfile.Instruction)) {
	for _, s := range f.Stages {
		if IsWindows(s) {
			continue
		}
		for _, in := range s.Instructions {
			if in.Run != nil {
				fn(in)
			}
		}
	}
}

// hasCacheMounts reports whether any RUN of the file has a cache mount:
// the rules about mounts have nothing to say about a file without one.
func hasCacheMounts(f *dockerfile.File) bool {
	for _, in := range f.Instructions {
		if in.Run != nil && slices.ContainsFunc(in.Run.Mounts, func(m *dockerfile.Mount) bool { return m.Type == "cache" }) {
			return true
		}
	}
	return false
}

// cacheMounts returns the cache mounts of a RUN.
func cacheMounts(in *dockerfile.Instruction) []cacheMount {
	if in.Run == nil {
		return nil
	}
	var out []cacheMount
	for _, m := range in.Run.Mounts {
		if m.Type != "cache" {
			continue
		}
		cm := cacheMount{Mount: m, ID: m.CacheID}
		if cm.ID == "" {
			cm.ID = path.Clean(m.Target)
		}
		t := m.Target
		switch {
		case !m.Known("target") || strings.ContainsAny(t, "\\$") || (len(t) > 1 && t[1] == ':'):
		case path.IsAbs(t):
			cm.Target = path.Clean(t)
		case in.Workdir != "":
			cm.Target = path.Join(in.Workdir, t)
		}
		out = append(out, cm)
	}
	return out
}

// covers reports whether the mount holds dir: dir is its target or under it.
func (m cacheMount) covers(dir string) bool {
	return m.Target != "" && dir != "" && (dir == m.Target || m.Target == "/" || strings.HasPrefix(dir, m.Target+"/"))
}

// mountFor returns the first mount that covers one of the need's
// directories, or nil.
func (n cacheNeed) mountFor(mounts []cacheMount) *cacheMount {
	for i := range mounts {
		for _, d := range n.Dirs {
			if mounts[i].covers(d) {
				return &mounts[i]
			}
		}
	}
	return nil
}

// mountFlag is the --mount flag that caches the need's directory for the
// user the command runs as. BuildKit makes a cache mount root's with mode
// 0755, so a user other than root gets the mount with its uid and gid, or,
// when its uid is not known here (useradd without -u, USER $NAME), with
// mode=0777: a mount it cannot write is no cache (pip turns its cache off,
// npm fails with EACCES).
func (n cacheNeed) mountFlag() string {
	flag := "--mount=type=cache,target=" + n.Dirs[0]
	if n.Cache.Locked {
		flag += ",sharing=locked"
	}
	if !n.Env.isRoot() {
		if uid := n.Env.uid(); uid != "" {
			flag += ",uid=" + uid
			if gid := n.Env.gid(); gid != "" {
				flag += ",gid=" + gid
			}
		} else {
			flag += ",mode=0777"
		}
	}
	return flag
}

// insertFlags is the edit that adds flags to an instruction right after
// its keyword: RUN apt-get ... becomes RUN --mount=... apt-get ....
func insertFlags(in *dockerfile.Instruction, flags []string) analysis.TextEdit {
	pos := in.Pos + token.Pos(len(in.Keyword))
	return analysis.TextEdit{Pos: pos, End: pos, NewText: []byte(" " + strings.Join(flags, " "))}
}
