package rules

import (
	"cmp"
	"go/token"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildcontext"
	"github.com/cachelint/cachelint/dockerfile"
)

// This file holds what lockfile-not-copied and non-frozen-install share:
// which files reach the directory where an install runs, and whether the
// install has a lockfile there.

// placed is one way files reach a stage's filesystem before an install:
// one source of a COPY or ADD (or its heredoc), or one bind mount of the
// install's own RUN.
type placed struct {
	in       *dockerfile.Instruction
	pos, end token.Pos // the source word, or the --mount flag
	src      string    // the source as written, unquoted
	mount    bool      // a RUN bind mount
	ctx      bool      // from the build context (no --from)
	known    bool      // source and destination hold no variables
	// tree is set for a directory: what is under ctxPath lands under dir.
	tree bool
	// dir is the absolute directory the file lands in (for a tree, its
	// root); "" when it cannot be known.
	dir string
	// name is the base name the file lands as, a pattern for a glob
	// source; "" when it cannot be known. Unused for a tree.
	name string
	// ctxPath is the clean, slash-separated source path (a file, a
	// pattern or a directory; "" for the context root).
	ctxPath string
	// editable is set when another source can be added right after this
	// one: a plain context COPY whose destination is a directory.
	editable bool
}

// placedBy lists the files an instruction places: the sources of a COPY
// or ADD, or the bind mounts of a RUN.
func placedBy(in *dockerfile.Instruction) []placed {
	switch {
	case in.Copy != nil:
		return placedByCopy(in)
	case in.Run != nil:
		return placedByMounts(in)
	}
	return nil
}

func placedByCopy(in *dockerfile.Instruction) []placed {
	cp := in.Copy
	d := strings.ReplaceAll(unquote(cp.Dest.Text), "\\", "/")
	destKnown := d != "" && !strings.ContainsAny(d, "$`")
	dest := ""
	if destKnown {
		switch {
		case isAbs(d):
			dest = path.Clean(d)
		case in.Workdir != "":
			dest = path.Join(in.Workdir, d)
		}
	}
	// A destination that is surely a directory: written as one, or the
	// WORKDIR, which BuildKit creates.
	destIsDir := strings.HasSuffix(d, "/") || d == "." || dest != "" && (dest == "/" || dest == path.Clean(in.Workdir))
	var out []placed
	if c, ok := in.Command.(*instructions.CopyCommand); ok {
		out = append(out, heredocFiles(in, c.SourceContents, dest, destIsDir)...)
	}
	if c, ok := in.Command.(*instructions.AddCommand); ok {
		out = append(out, heredocFiles(in, c.SourceContents, dest, destIsDir)...)
	}
	for _, w := range cp.Sources {
		p := strings.ReplaceAll(unquote(w.Text), "\\", "/")
		if cp.Add && (strings.Contains(p, "://") || strings.HasPrefix(p, "git@")) {
			continue // a URL or Git repository
		}
		pl := placed{in: in, pos: w.Pos, end: w.End, src: unquote(w.Text), ctx: cp.From == "",
			known: destKnown && !strings.ContainsAny(p, "$`"), ctxPath: cleanRel(p)}
		pl.editable = pl.ctx && !cp.Heredoc && !cp.Parents && destKnown && destIsDir
		switch {
		case !pl.known:
			pl.dir = dest // anything may land there
		case isWholeContext(p):
			pl.tree, pl.dir, pl.ctxPath = true, dest, ""
		case looksLikeDir(p) || strings.HasSuffix(p, "/."):
			pl.tree, pl.dir = true, dest
		case cp.Parents:
			// --parents keeps the source's directories under dest.
			if dir := path.Dir(pl.ctxPath); dest != "" && !strings.ContainsAny(dir, "*?[") {
				pl.dir, pl.name = path.Join(dest, dir), path.Base(p)
			}
		default:
			pl.dir, pl.name = dest, path.Base(p)
			if dest != "" && !destIsDir && len(cp.Sources) == 1 && !strings.ContainsAny(p, "*?[") {
				// One file to a path that is not surely a directory: a
				// name with an extension is the file's new name.
				if base := path.Base(dest); base == pl.name || strings.Contains(strings.TrimPrefix(base, "."), ".") {
					pl.dir, pl.name = path.Dir(dest), base
				}
			}
		}
		out = append(out, pl)
	}
	return out
}

// heredocFiles are the files a COPY <<name writes.
func heredocFiles(in *dockerfile.Instruction, docs []instructions.SourceContent, dest string, destIsDir bool) []placed {
	var out []placed
	for _, doc := range docs {
		pl := placed{in: in, pos: in.Pos, end: in.Pos, known: dest != ""}
		switch {
		case dest == "":
		case destIsDir || len(docs) > 1:
			pl.dir, pl.name = dest, doc.Path
		default:
			pl.dir, pl.name = path.Dir(dest), path.Base(dest)
		}
		out = append(out, pl)
	}
	return out
}

func placedByMounts(in *dockerfile.Instruction) []placed {
	var out []placed
	n := 0
	for _, f := range in.Flags {
		if name, _, _ := strings.Cut(strings.TrimPrefix(f.Text, "--"), "="); strings.EqualFold(name, "mount") {
			n++
		}
	}
	if n > len(in.Run.Mounts) {
		// Mounts that depend on build arguments are not modelled: they
		// may place anything anywhere.
		out = append(out, placed{in: in, pos: in.Pos, end: in.Pos, mount: true})
	}
	for _, m := range in.Run.Mounts {
		if m.Type != "bind" {
			continue
		}
		src := strings.ReplaceAll(cmp.Or(m.Source, "."), "\\", "/")
		target := strings.ReplaceAll(m.Target, "\\", "/")
		// The model expands variables without a value to "": look at
		// the flag as written.
		rawSrc, _ := rawMountValue(m, "source", "src")
		rawTarget, _ := rawMountValue(m, "target", "dst", "destination")
		if strings.ContainsAny(rawTarget.Value, "$`") {
			target = "$"
		}
		pl := placed{in: in, pos: m.Flag.Pos, end: m.Flag.End, src: src, mount: true, ctx: m.From == "",
			known: !strings.ContainsAny(rawSrc.Value+target, "$`"), ctxPath: cleanRel(src)}
		abs := ""
		switch {
		case !pl.known || target == "":
		case isAbs(target):
			abs = path.Clean(target)
		case in.Workdir != "":
			abs = path.Join(in.Workdir, target)
		}
		switch {
		case !pl.known:
			// Whatever the source is lands at the target.
			switch {
			case target == "" || strings.ContainsAny(target, "$`"):
			case isAbs(target):
				pl.dir, pl.name = path.Dir(path.Clean(target)), path.Base(target)
			case in.Workdir != "":
				t := path.Join(in.Workdir, target)
				pl.dir, pl.name = path.Dir(t), path.Base(t)
			}
		case isWholeContext(src):
			pl.tree, pl.dir, pl.ctxPath = true, abs, ""
		case looksLikeDir(src) || strings.HasSuffix(src, "/."):
			pl.tree, pl.dir = true, abs
		case abs != "":
			pl.dir, pl.name = path.Dir(abs), path.Base(abs)
		}
		out = append(out, pl)
	}
	return out
}

// cleanRel cleans a source path relative to the context root.
func cleanRel(p string) string {
	return strings.TrimPrefix(path.Clean("/"+p), "/")
}

// places reports whether what pl places may include a file named name
// in directory at. What cannot be known may.
func (pl placed) places(at, name string) bool {
	if !pl.known && pl.dir != "" && pl.name != "" {
		// An unknown source mounted at a known target: a file there,
		// or a directory.
		target := path.Join(pl.dir, pl.name)
		return at == pl.dir && pl.name == name || at == target || strings.HasPrefix(at, target+"/")
	}
	if pl.tree || !pl.known {
		return pl.dir == "" || pl.dir == "/" || at == pl.dir || strings.HasPrefix(at, pl.dir+"/")
	}
	return (pl.dir == "" || pl.dir == at) && (pl.name == "" || matchName(pl.name, name))
}

// matchName reports whether a source name or pattern names file.
func matchName(pattern, file string) bool {
	ok, _ := path.Match(pattern, file)
	return ok || pattern == file
}

// ancestors lists dir and the directories above it, up to /.
func ancestors(dir string) []string {
	dirs := []string{dir}
	for dir != "/" && dir != "." && dir != "" {
		dir = path.Dir(dir)
		dirs = append(dirs, dir)
	}
	return dirs
}

// installDir is the directory an install reads its manifest from: the
// one its directory flag names, else its working directory; "" unknown.
func installDir(t *Tool, c *dockerfile.Command, args []string) string {
	if dirs := t.projectDirs(args, c.Dir); len(dirs) > 0 {
		return dirs[len(dirs)-1]
	}
	return c.Dir
}

// lockSite is what lockfile-not-copied and non-frozen-install learn
// about one install: where it runs, what brought its manifest, and what
// covers its lockfile.
type lockSite struct {
	tool *Tool
	in   *dockerfile.Instruction // the RUN
	cmd  *dockerfile.Command
	args []string // after the program, leading DirFlags dropped
	dir  string   // where it reads its manifest
	// manifest is the latest explicit copy of the manifest into dir
	// from the context; nil when none.
	manifest *placed
	// lock is what covers the lockfile before the install (in dir or a
	// directory above it: workspaces keep one at the root); nil when
	// nothing does. lockName is the lockfile it covers, "" unknown.
	lock     *placed
	lockName string
	// made is set when a command between the manifest's copy and the
	// install may have written the lockfile (the tool itself, a cp of
	// it).
	made bool
}

// lockSiteOf examines the install command c of the RUN at chain[idx].
func lockSiteOf(chain []*dockerfile.Instruction, idx int, c *dockerfile.Command, t *Tool, args []string, placedAt func(*dockerfile.Instruction) []placed) lockSite {
	in := chain[idx]
	s := lockSite{tool: t, in: in, cmd: c, args: t.withoutLeadingDirFlags(args)}
	s.dir = installDir(t, c, args)
	if s.dir == "" || len(t.Lockfiles) == 0 || len(t.Manifests) == 0 {
		return s
	}
	x := lockIndexOf(chain, placedAt)
	dirs := ancestors(s.dir)
	// The placement nearest before the install (the last RUN's mounts
	// only for the install itself), the first of an instruction's: the
	// manifest copied into its directory, and what covers a lockfile in
	// it or above it. The index gives the placements that can be either.
	ok := func(e placedRef) bool { return e.i <= idx && (!e.pl.mount || e.i == idx) }
	m := nearest(idx, ok, func(e placedRef) bool { return matchName(e.pl.name, t.Manifests[0]) },
		x.manifests[dirName{s.dir, t.Manifests[0]}], x.manifestGlobs[s.dir])
	manifestIdx := -1
	if m != nil {
		pl := *m.pl
		s.manifest, manifestIdx = &pl, m.i
	}
	var lists [][]placedRef
	seen := map[string]bool{}
	for _, d := range append(slices.Clone(dirs), "", "/") {
		if seen[d] {
			continue
		}
		seen[d] = true
		lists = append(lists, x.trees[d], x.globs[d])
		for _, l := range t.Lockfiles {
			lists = append(lists, x.files[dirName{d, l}])
		}
	}
	l := nearest(idx, ok, func(e placedRef) bool {
		for _, d := range dirs {
			if _, ok := placesLock(*e.pl, d, t.Lockfiles); ok {
				return true
			}
		}
		return false
	}, lists...)
	if l != nil {
		pl := *l.pl
		s.lock = &pl
		for _, d := range dirs {
			if name, ok := placesLock(pl, d, t.Lockfiles); ok {
				s.lockName = name
				break
			}
		}
	}
	if s.manifest == nil || s.lock != nil {
		return s
	}
	// Did anything after the manifest's copy write the lockfile?
	for i := manifestIdx; i <= idx; i++ {
		if chain[i].Run == nil {
			continue
		}
		for _, o := range chain[i].Run.Commands {
			if o == c {
				break
			}
			if ot, oargs := toolCommand(o); ot != nil && slices.Equal(ot.Lockfiles, t.Lockfiles) && writesLock(ot, oargs) {
				s.made = true
			}
			for _, a := range o.Argv()[1:] {
				if slices.Contains(t.Lockfiles, path.Base(strings.ReplaceAll(a, "\\", "/"))) {
					s.made = true
				}
			}
		}
	}
	return s
}

// placedRef is a placement of a chain: placed by the chain's instruction
// i, the j-th of those it places.
type placedRef struct {
	i, j int
	pl   *placed
}

type dirName struct{ dir, name string }

// lockIndex indexes the placements of a stage chain by where they land,
// for lockSiteOf: a file with thousands of installs and copies would
// otherwise look at every copy before every install. Each list is in
// chain order.
type lockIndex struct {
	chain []*dockerfile.Instruction
	// Known files from the context, not trees: as manifests, by
	// directory and name, or by directory when the name is a pattern.
	manifests     map[dirName][]placedRef
	manifestGlobs map[string][]placedRef
	// Every placement, as what may cover a lockfile: known files by
	// directory and name, or by directory when the name is a pattern;
	// trees and unknown sources by directory.
	files map[dirName][]placedRef
	globs map[string][]placedRef
	trees map[string][]placedRef
}

type lockIndexKey struct{}

// lockIndexOf returns the index of a stage chain, kept with its last
// stage (a stage's chain is the same whichever stage it is asked for).
func lockIndexOf(chain []*dockerfile.Instruction, placedAt func(*dockerfile.Instruction) []placed) *lockIndex {
	last := chain[len(chain)-1].Stage
	if last != nil {
		if v, ok := last.Memo.Load(lockIndexKey{}); ok {
			if x := v.(*lockIndex); len(x.chain) == len(chain) && x.chain[0] == chain[0] {
				return x
			}
		}
	}
	x := &lockIndex{chain: chain, manifests: map[dirName][]placedRef{}, manifestGlobs: map[string][]placedRef{},
		files: map[dirName][]placedRef{}, globs: map[string][]placedRef{}, trees: map[string][]placedRef{}}
	for i, in := range chain {
		pls := placedAt(in)
		for j := range pls {
			pl := &pls[j]
			e := placedRef{i, j, pl}
			glob := pl.name == "" || strings.ContainsAny(pl.name, "*?[\\")
			if pl.ctx && pl.known && !pl.tree {
				if glob {
					x.manifestGlobs[pl.dir] = append(x.manifestGlobs[pl.dir], e)
				} else {
					x.manifests[dirName{pl.dir, pl.name}] = append(x.manifests[dirName{pl.dir, pl.name}], e)
				}
			}
			switch {
			case pl.tree || !pl.known:
				x.trees[pl.dir] = append(x.trees[pl.dir], e)
			case glob:
				x.globs[pl.dir] = append(x.globs[pl.dir], e)
			default:
				x.files[dirName{pl.dir, pl.name}] = append(x.files[dirName{pl.dir, pl.name}], e)
			}
		}
	}
	if last != nil {
		last.Memo.Store(lockIndexKey{}, x)
	}
	return x
}

// nearest returns the placement of the lists nearest before the
// instruction idx of the chain, the first of its instruction's, for
// which ok and match hold; nil when there is none.
func nearest(idx int, ok, match func(placedRef) bool, lists ...[]placedRef) *placedRef {
	var best *placedRef
	for _, list := range lists {
		// The last entry at idx or before.
		k := sort.Search(len(list), func(k int) bool { return list[k].i > idx }) - 1
		for ; k >= 0; k-- {
			e := list[k]
			if best != nil && (e.i < best.i || e.i == best.i && e.j > best.j) {
				break
			}
			if ok(e) && match(e) {
				best = &list[k]
				// An earlier placement of the same instruction comes first.
				continue
			}
		}
	}
	return best
}

// writesLock reports whether a command of a tool may write its lockfile:
// an install, an update, a lock command; not npm config or yarn run.
func writesLock(t *Tool, args []string) bool {
	a := t.withoutLeadingDirFlags(args)
	sub, _ := subcommand(a)
	return t.uses == nil || t.uses(a) || oneOf(sub, "lock", "import", "generate-lockfile")
}

// placesLock reports whether pl places one of locks in dir, and which
// ("" when it cannot tell).
func placesLock(pl placed, dir string, locks []string) (string, bool) {
	for _, l := range locks {
		if pl.places(dir, l) {
			if pl.known && !pl.tree && pl.name == l {
				return l, true
			}
			return "", true
		}
	}
	return "", false
}

// lockUseOf is how an install treats its lockfile, from its subcommand,
// flags and environment. unknown is set when a variable that could make
// it require the lockfile has a value that is not known here.
func lockUseOf(s lockSite) (use lockUse, unknown bool) {
	t, a := s.tool, s.args
	e := newRunEnv(s.in, s.cmd)
	if t.lockMode != nil {
		use = t.lockMode(a)
	}
	for _, f := range t.LockFlags {
		if hasFlag(a, f) && !hasFlag(a, f+"=false") {
			use = lockRequired
		}
	}
	for _, name := range t.LockEnv {
		if v, set, known := e.lookup(name); set {
			switch {
			case !known:
				unknown = true
			case truthy(v):
				use = lockRequired
			}
		}
	}
	if t.CIFrozen && !optedOut(s) {
		if v, set, known := e.lookup("CI"); set {
			switch {
			case !known:
				unknown = true
			case v != "" && v != "false":
				use = lockRequired
			}
		}
	}
	return use, unknown
}

// optedOut reports whether the install turns lockfile mode off on
// purpose: --no-frozen-lockfile, YARN_ENABLE_IMMUTABLE_INSTALLS=false.
func optedOut(s lockSite) bool {
	for _, f := range s.tool.LockFlags {
		if hasFlag(s.args, "--no-"+strings.TrimPrefix(f, "--")) || hasFlag(s.args, f+"=false") {
			return true
		}
	}
	e := newRunEnv(s.in, s.cmd)
	for _, name := range s.tool.LockEnv {
		if v, set, known := e.lookup(name); set && known && !truthy(v) {
			return true
		}
	}
	return false
}

// lockInContext returns the tool's lockfile beside the manifest's source
// in the build context, when the context sends one.
func lockInContext(ctx *buildcontext.Context, s lockSite) string {
	if s.manifest == nil || !ctx.Known() {
		return ""
	}
	dir := path.Dir(s.manifest.ctxPath)
	if strings.ContainsAny(dir, "*?[") {
		return ""
	}
	for _, l := range s.tool.Lockfiles {
		if ctx.Sent(path.Join(dir, l)) {
			return l
		}
	}
	return ""
}

// manifestInContext reports whether the build context is known to hold
// the manifest the install copied: then the context can also tell
// whether the lockfile exists.
func manifestInContext(ctx *buildcontext.Context, s lockSite) bool {
	return s.manifest != nil && ctx.Known() && len(ctx.Glob(s.manifest.ctxPath)) > 0
}

// lockNamedElsewhere returns the tool's lockfile beside the manifest's
// source when some COPY or bind mount of the Dockerfile names it: the
// file is then in the context.
func lockNamedElsewhere(f *dockerfile.File, s lockSite, placedAt func(*dockerfile.Instruction) []placed) string {
	if s.manifest == nil {
		return ""
	}
	dir := path.Dir(s.manifest.ctxPath)
	for _, l := range s.tool.Lockfiles {
		want := path.Join(dir, l)
		for _, in := range f.Instructions {
			for _, pl := range placedAt(in) {
				if pl.ctx && pl.known && !pl.tree && pl.ctxPath == want {
					return l
				}
			}
		}
	}
	return ""
}

// placedCache computes placedBy once an instruction.
func placedCache() func(*dockerfile.Instruction) []placed {
	m := map[*dockerfile.Instruction][]placed{}
	return func(in *dockerfile.Instruction) []placed {
		if pl, ok := m[in]; ok {
			return pl
		}
		pl := placedBy(in)
		m[in] = pl
		return pl
	}
}

// addLockEdit is the edit that adds lock to the sources of the COPY
// that brought the manifest, right after the manifest: "" path when no
// such edit is safe.
func addLockEdit(pl *placed, lock string) (analysis.TextEdit, bool) {
	if pl == nil || pl.mount || !pl.editable {
		return analysis.TextEdit{}, false
	}
	src := pl.src
	i := strings.LastIndexAny(src, "/\\")
	prefix := src[:i+1]
	if strings.ContainsAny(prefix, "*?[$`") {
		return analysis.TextEdit{}, false
	}
	text := " " + prefix + lock
	if pl.in.Node.Attributes["json"] {
		text = `", "` + prefix + lock
	}
	return analysis.TextEdit{Pos: pl.end, End: pl.end, NewText: []byte(text)}, true
}
