package rules

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// CacheMountPermission flags a cache mount that a non-root user's tool
// writes to but that belongs to root.
var CacheMountPermission = &analysis.Analyzer{
	Name: "cache_mount_permission",
	Doc: `a non-root user's tool writes to a cache mount that belongs to root

Why it matters for the cache: BuildKit creates a cache mount's directory
owned by uid 0 and gid 0 with mode 0755 unless the mount says otherwise.
After USER switches to another user, the tool cannot write there: npm
fails with EACCES, Go fails to create its build cache, pip warns and
goes on without a cache. Either the build breaks or the mount caches
nothing.

Example:

    FROM node:22
    USER node
    WORKDIR /home/node/app
    COPY --chown=node package.json package-lock.json ./
    RUN --mount=type=cache,target=/home/node/.npm npm ci

Fix: give the mount to the user with uid= and gid= (the suggested fix
adds them when the user's ids are known: users of well-known images, users
made by useradd or adduser with -u, numeric USERs), or a mode that lets
everyone write (mode=0777):

    FROM node:22
    USER node
    WORKDIR /home/node/app
    COPY --chown=node package.json package-lock.json ./
    RUN --mount=type=cache,target=/home/node/.npm,uid=1000,gid=1000 npm ci

BuildKit keys a cache mount by its id together with uid, gid and mode, so
a mount with other owners is a separate, empty cache: every RUN that
shares the cache should use the same values.

Only mounts a tool of the RUN writes are checked: the mount covers the
directory of a cache the command uses (or, when that directory cannot be
known, its target names that cache). A user whose uid is not known is
still reported, with advice but no edit. The user is the one each
command runs as: USER, or the user sudo -u, gosu, su-exec or runuser
switch to. Not reported: commands that run as root (no USER, USER root
or 0, plain sudo); read-only mounts; a mount
with the user's uid, or with a mode that lets others write, or with the
user's gid and a mode that lets the group write; a command that turns its
cache off or only reads it (pip --no-cache-dir, mvn -o); a RUN that
chowns or chmods the mount with sudo first; a USER whose value is not
known; Windows stages.

Sources:
- https://docs.docker.com/reference/dockerfile/#run---mounttypecache
- https://github.com/moby/buildkit/issues/1237
- https://github.com/moby/buildkit/issues/3041`,
	URL:      docURL("cache-mount-permission"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runCacheMountPermission,
}

func runCacheMountPermission(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	if !hasCacheMounts(f) {
		return nil, nil
	}
	linuxRuns(f, func(in *dockerfile.Instruction) { checkMountOwners(pass, f, in) })
	return nil, nil
}

func checkMountOwners(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction) {
	if in.Run == nil {
		return
	}
	mounts := cacheMounts(in)
	if len(mounts) == 0 {
		return
	}
	needs := cacheNeeds(in)
	for _, m := range mounts {
		if !m.Known("uid") || !m.Known("gid") || !m.Known("mode") || !m.Known("readonly") || m.ReadOnly || m.Target == "" || chownedFirst(in, m) {
			continue
		}
		for _, n := range needs {
			// The user of each command: USER, or the one sudo, gosu,
			// su-exec or runuser switch to.
			if n.Off || n.Offline || n.Env.isRoot() || strings.ContainsAny(n.Env.userSpec(), "$`") {
				continue
			}
			if n.Dirs != nil && n.mountFor([]cacheMount{m}) == nil || n.Dirs == nil && !n.Cache.meantFor(m.Target) {
				continue
			}
			if writable(m, n.Env) {
				continue
			}
			reportMountOwner(pass, f, in, n, m, n.Env)
			break
		}
	}
}

// writable reports whether the user can write to the mount's directory as
// BuildKit creates it: the user's uid, others' write bit, or the user's
// gid with the group's write bit. A uid set for a user whose uid is not
// known counts as right.
func writable(m cacheMount, e runEnv) bool {
	mode := uint64(0o755)
	if m.Mode != nil {
		mode = *m.Mode
	}
	uid, gid := e.uid(), e.gid()
	switch {
	case mode&0o002 != 0:
		return true
	case m.UID != nil && (uid == "" || strconv.FormatUint(*m.UID, 10) == uid):
		return true
	case m.GID != nil && mode&0o020 != 0 && (gid == "" || strconv.FormatUint(*m.GID, 10) == gid):
		return true
	}
	return false
}

// chownedFirst reports whether the RUN hands the mount to the user with
// chown or chmod run as root (sudo chown) before using it.
func chownedFirst(in *dockerfile.Instruction, m cacheMount) bool {
	for _, c := range in.Run.Commands {
		if !newRunEnv(in, c).isRoot() || c.Name() != "chown" && c.Name() != "chmod" {
			continue
		}
		for _, a := range c.Args[1:] {
			p := a.Value
			if !a.Lit || strings.HasPrefix(p, "-") {
				continue
			}
			if !path.IsAbs(p) && c.Dir != "" {
				p = path.Join(c.Dir, p)
			}
			if p = path.Clean(p); p == m.Target || strings.HasPrefix(m.Target, p+"/") {
				return true
			}
		}
	}
	return false
}

func reportMountOwner(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction, n cacheNeed, m cacheMount, e runEnv) {
	who := e.user()
	if uid := e.uid(); isNumeric(who) {
		who = "uid " + who
	} else if uid != "" {
		who += " (uid " + uid + ")"
	}
	owner := "root"
	if m.UID != nil {
		owner = "uid " + strconv.FormatUint(*m.UID, 10)
	}
	mode := "0755"
	if m.Mode != nil {
		mode = "0" + strconv.FormatUint(*m.Mode, 8)
	}
	msg := fmt.Sprintf("`%s` runs as %s, but the cache mount on %s belongs to %s with mode %s, so %s cannot write to it",
		commandText(f, in, n.Cmd), who, m.Target, owner, mode, n.Tool.Name)
	const same = "; BuildKit keys a cache by its id with uid, gid and mode, so this is a new cache: give every RUN that shares it the same values"
	var edits []analysis.TextEdit
	var help string
	opts := ownerOptions(e)
	switch {
	case opts != "" && m.UID == nil && m.GID == nil:
		help = fmt.Sprintf("add %s to the mount", opts[1:])
		if ed, ok := appendMountOptions(f, m.Mount, opts); ok {
			edits = append(edits, ed)
		}
	case opts != "":
		help = fmt.Sprintf("set %s on the mount", opts[1:])
	default:
		help = fmt.Sprintf("set uid= and gid= on the mount to the ids of %s (its uid is not known here), or mode=0777", e.user())
	}
	pos, end := mountPos(f, in, m.Mount)
	pass.Report(analysis.Diagnostic{
		Pos:            pos,
		End:            end,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{{Message: help + same, TextEdits: edits}},
	})
}
