package rules

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildcontext"
	"github.com/cachelint/cachelint/dockerfile"
)

// CacheMountHidesOutput flags a cache mount over a directory whose
// contents the image or a later step needs.
var CacheMountHidesOutput = &analysis.Analyzer{
	Name: "cache_mount_hides_output",
	Doc: `a cache mount hides a directory the image or a later step needs

Why it matters for the cache: what a RUN writes under a cache mount goes
to the cache, not to the layer. After the RUN, the image has an empty
directory there, and so do later steps, other stages that copy from
this one, and the final image. Mounting an installed tree (node_modules,
vendor, a virtualenv, GEM_HOME) or a build output directory (target/,
bin/) to "cache" it builds fine and then fails later, or ships an image
without its dependencies or its program.

Example:

    FROM node:22 AS build
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN --mount=type=cache,target=/app/node_modules npm ci
    COPY . .
    RUN npm run build

Fix: mount the tool's download cache instead of the installed tree, or
copy what is needed out of the mount in the same RUN:

    FROM node:22 AS build
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN --mount=type=cache,target=/root/.npm npm ci
    COPY . .
    RUN npm run build

Reported: a cache mount over a directory that a command of the same RUN
installs into (npm, yarn, pnpm and bun's node_modules, composer's vendor,
bundler's BUNDLE_PATH or GEM_HOME, gem install, a virtualenv made by
python -m venv, virtualenv, uv venv, uv sync, poetry (whose virtualenv is
under its cache directory unless POETRY_VIRTUALENVS_IN_PROJECT or
POETRY_VIRTUALENVS_CREATE=false says otherwise), pipenv, pip install
--target/--prefix/--root/--user or into a virtualenv, go install's GOBIN,
cargo install's bin, mix deps.get's deps); and a cache mount over a path
that a later step reads: COPY --from this stage (by name or index) or a
stage built FROM it, a RUN bind mount from it, a later RUN (one that does
not mount the same cache) that runs or reads a file there (not in /tmp,
where later steps make their own files), or CMD/ENTRYPOINT that does;
for installed trees also a later step that needs them without naming
them (npm run build next to node_modules, poetry run, bundle exec, a
virtualenv's python on the PATH).

Not reported: the same RUN uses what it installed, or copies it out
(cp, mv, rsync, install, tar) before the mount goes away, as Docker's
Rust example does with target/ (a later step that reads the mount's path
is still reported); a later RUN that mounts the same cache again (same
id); a later step that first writes the path again (a new install, a
build in the project, a COPY into it); a cache mount inside an installed
tree (node_modules/.cache); read-only mounts; Windows stages.

Sources:
- https://docs.docker.com/reference/dockerfile/#run---mounttypecache
- https://docs.docker.com/build/cache/optimize/#use-cache-mounts
- https://github.com/moby/buildkit/issues/2683
- https://python-poetry.org/docs/configuration/#virtualenvspath`,
	URL:      docURL("cache-mount-hides-output"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer, buildcontext.Analyzer},
	Run:      runCacheMountHidesOutput,
}

// hider is the state of one check: a cache mount of a RUN.
type hider struct {
	pass *analysis.Pass
	f    *dockerfile.File
	lex  *shell.Lex
	in   *dockerfile.Instruction
	m    cacheMount
	inst *install // what the RUN installs under the mount, if anything
	memo *hiderMemo
}

// hiderMemo keeps, for one file, what the checks of its cache mounts
// found so far, so that mounts alike do not scan the same instructions
// again and again: a file with thousands of cache mounts is checked in
// time linear in its length for each kind of mount, not in the product.
type hiderMemo struct {
	index    map[*dockerfile.Instruction]int // of each instruction in its stage
	scans    map[scanKey]scanned
	remounts map[scanKey]scanned
	copies   map[string][]copySource // by the stage name they copy from
	copied   map[copiedKey]*laterUse
}

// scanKey is what a scan of a stage for a later use depends on, for a
// mount whose install (if any) has no uses function.
type scanKey struct {
	st         *dockerfile.Stage
	id, target string
}

// scanned is the outcome of a scan of the instructions from..stop of a
// stage: stop is the instruction that ended it, or the stage's length
// when none did. A scan for the same key from any start in from..stop
// has the same outcome.
type scanned struct {
	from, stop int
	use        *laterUse
	found      bool // for remounted
}

type copiedKey struct {
	st     *dockerfile.Stage
	target string
}

// copySource is a path copied out of another stage: by COPY --from or a
// RUN's bind mount from it.
type copySource struct {
	in    *dockerfile.Instruction
	order int    // in the file
	from  string // as written
	path  string // made absolute
	bind  bool
}

// laterUse is a later step that needs what the mount hid.
type laterUse struct {
	in   *dockerfile.Instruction
	text string // "`npm run build` on line 9 needs it"
	path string // the path it reads, "" when it names none
}

func runCacheMountHidesOutput(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	if !hasCacheMounts(f) {
		return nil, nil
	}
	ctx, _ := pass.ResultOf[buildcontext.Analyzer].(*buildcontext.Context)
	// A poetry.toml may set virtualenvs.in-project for the project.
	poetryToml := !ctx.Known() || ctx.Sent("poetry.toml")
	lex := shell.NewLex(rune(f.Escape))
	memo := &hiderMemo{index: map[*dockerfile.Instruction]int{}, scans: map[scanKey]scanned{}, remounts: map[scanKey]scanned{}, copied: map[copiedKey]*laterUse{}}
	for _, s := range f.Stages {
		for i, in := range s.Instructions {
			memo.index[in] = i
		}
	}
	for _, s := range f.Stages {
		if IsWindows(s) {
			continue
		}
		chain := stageChain(s)
		for i, in := range chain {
			if in.Run == nil || in.Stage != s {
				continue
			}
			mounts := cacheMounts(in)
			if len(mounts) == 0 {
				continue
			}
			insts := installsOf(in, chain[:i], poetryToml)
			for _, m := range mounts {
				if m.Target == "" || m.Target == "/" || m.ReadOnly || !m.Known("id") || !m.Known("readonly") {
					continue
				}
				h := &hider{pass: pass, f: f, lex: lex, in: in, m: m, memo: memo}
				for j := range insts {
					if m.covers(insts[j].Dir) {
						h.inst = &insts[j]
						break
					}
				}
				h.check()
			}
		}
	}
	return nil, nil
}

func (h *hider) check() {
	s := h.in.Stage
	idx := h.memo.index[h.in]
	if u := h.scanStage(s, idx+1); u != nil {
		h.report(u)
		return
	}
	if h.inst == nil || h.usedInRun() || h.remounted(s, idx+1) {
		return
	}
	h.report(nil)
}

// scanStage looks for a later use in the rest of stage st, from its
// instruction start on; then, if the path is still hidden at the end of
// st, in copies from st and in the stages built FROM it.
func (h *hider) scanStage(st *dockerfile.Stage, start int) *laterUse {
	// What an install's uses function needs cannot be told apart: scans
	// for such a mount are not shared.
	key, shared := scanKey{st, h.m.ID, h.m.Target}, h.inst == nil || h.inst.uses == nil
	if e, ok := h.memo.scans[key]; shared && ok && e.from <= start && start <= e.stop {
		return e.use
	}
	seq := st.Instructions
	res := scanned{from: start, stop: len(seq)}
	for i := start; i < len(seq); i++ {
		u, rewritten := h.scanInstruction(seq[i])
		if u != nil || rewritten {
			res.stop, res.use = i, u
			break
		}
	}
	if res.stop == len(seq) {
		res.use = h.afterStage(st)
	}
	if shared {
		h.memo.scans[key] = res
	}
	return res.use
}

// afterStage looks for a use of the path, hidden at the end of stage st,
// in copies from st and in the stages built FROM it.
func (h *hider) afterStage(st *dockerfile.Stage) *laterUse {
	if u := h.copiedFrom(st); u != nil {
		return u
	}
	for _, d := range h.f.Stages {
		if d.BaseStage == st {
			if u := h.scanStage(d, 0); u != nil {
				return u
			}
		}
	}
	return nil
}

// scanInstruction reports a use of the hidden path by in, or whether in
// writes the path again (after which later steps see what it wrote).
func (h *hider) scanInstruction(in *dockerfile.Instruction) (*laterUse, bool) {
	switch {
	case in.Run != nil:
		for _, m := range in.Run.Mounts {
			t := m.Target
			if t != "" && !path.IsAbs(t) && in.Workdir != "" {
				t = path.Join(in.Workdir, t)
			}
			if m.Type == "cache" && (cacheID(m) == h.m.ID || !m.Known("id") || !m.Known("target")) || t != "" && within(h.m.Target, path.Clean(t)) {
				return nil, false // the RUN sees the cache again, or mounts over it
			}
		}
		later := installsOf(in, nil, true)
		for _, c := range in.Run.Commands {
			env := newRunEnv(in, c)
			if h.inst != nil && h.inst.uses != nil && h.inst.uses(c, env) {
				return &laterUse{in, fmt.Sprintf("`%s` on line %d needs it", commandText(h.f, in, c), in.StartLine), ""}, false
			}
			switch acc, p := pathAccess(c, h.m.Target); acc {
			case accessRead:
				if scratchDir(h.m.Target) {
					// Later RUNs put their own files in /tmp (curl > /tmp/x,
					// heredocs): a read there is no sign of the mount.
					return nil, true
				}
				return &laterUse{in, fmt.Sprintf("`%s` on line %d reads %s", commandText(h.f, in, c), in.StartLine, p), p}, false
			case accessWrite:
				return nil, true
			}
			for _, l := range later {
				if l.Cmd == c && h.m.covers(l.Dir) {
					return nil, true
				}
			}
			if buildsIn(c, h.m.Target) {
				return nil, true
			}
		}
	case in.Keyword == "CMD" || in.Keyword == "ENTRYPOINT":
		c := commandOfCmd(in)
		if c == nil {
			return nil, false
		}
		env := newRunEnv(in, c)
		if h.inst != nil && h.inst.uses != nil && h.inst.uses(c, env) {
			return &laterUse{in, fmt.Sprintf("%s on line %d needs it", in.Keyword, in.StartLine), ""}, false
		}
		if acc, p := pathAccess(c, h.m.Target); acc == accessRead {
			return &laterUse{in, fmt.Sprintf("%s on line %d runs %s", in.Keyword, in.StartLine, p), p}, false
		}
	case in.Copy != nil:
		if d := copyDestDir(in); d != "" && within(d, h.m.Target) {
			return nil, true
		}
	}
	return nil, false
}

// scratchDir reports whether dir is a scratch directory (/tmp, /var/tmp)
// or inside one.
func scratchDir(dir string) bool {
	return within(dir, "/tmp") || within(dir, "/var/tmp")
}

// cacheID is the id BuildKit gives a cache mount.
func cacheID(m *dockerfile.Mount) string {
	if m.CacheID != "" {
		return m.CacheID
	}
	return path.Clean(m.Target)
}

// copiedFrom finds a COPY --from (or a RUN bind mount from) stage st of a
// path under the mount.
func (h *hider) copiedFrom(st *dockerfile.Stage) *laterUse {
	key := copiedKey{st, h.m.Target}
	if u, ok := h.memo.copied[key]; ok {
		return u
	}
	u := h.findCopiedFrom(st)
	h.memo.copied[key] = u
	return u
}

func (h *hider) findCopiedFrom(st *dockerfile.Stage) *laterUse {
	if h.memo.copies == nil {
		h.memo.copies = h.copySources()
	}
	// The copies from the stage by number and by name, in file order.
	bynum, byname := h.memo.copies[strconv.Itoa(st.Index)], []copySource(nil)
	if st.Name != "" {
		byname = h.memo.copies[st.Name]
	}
	for len(bynum) > 0 || len(byname) > 0 {
		var c copySource
		if len(byname) == 0 || len(bynum) > 0 && bynum[0].order < byname[0].order {
			c, bynum = bynum[0], bynum[1:]
		} else {
			c, byname = byname[0], byname[1:]
		}
		if !within(c.path, h.m.Target) {
			continue
		}
		if c.bind {
			return &laterUse{c.in, fmt.Sprintf("the bind mount from %s on line %d reads %s", c.from, c.in.StartLine, c.path), c.path}
		}
		return &laterUse{c.in, fmt.Sprintf("COPY --from=%s on line %d copies %s out of it", c.from, c.in.StartLine, c.path), c.path}
	}
	return nil
}

// copySources lists the paths the file copies out of other stages, by the
// name (lower case) or number of the stage, in file order.
func (h *hider) copySources() map[string][]copySource {
	out := map[string][]copySource{}
	n := 0
	for _, s := range h.f.Stages {
		for _, in := range s.Instructions {
			switch {
			case in.Copy != nil && in.Copy.From != "":
				from := h.expand(in, in.Copy.From)
				for _, src := range in.Copy.Sources {
					if p, ok := h.sourcePath(in, unquote(src.Text)); ok {
						out[from] = append(out[from], copySource{in: in, order: n, from: in.Copy.From, path: p})
						n++
					}
				}
			case in.Run != nil:
				for _, m := range in.Run.Mounts {
					if m.Type != "bind" || m.From == "" {
						continue
					}
					if p, ok := h.sourcePath(in, m.Source); ok {
						from := strings.ToLower(m.From)
						out[from] = append(out[from], copySource{in: in, order: n, from: m.From, path: p, bind: true})
						n++
					}
				}
			}
		}
	}
	return out
}

// expand expands the variables of a word as BuildKit would at in; the
// result is lower case (stage names are).
func (h *hider) expand(in *dockerfile.Instruction, word string) string {
	if !strings.ContainsAny(word, "$") {
		return strings.ToLower(word)
	}
	res, err := h.lex.ProcessWordWithMatches(word, in.Env)
	if err != nil || len(res.Unmatched) > 0 {
		return ""
	}
	return strings.ToLower(res.Result)
}

// sourcePath is a path in another stage, made absolute from its root; a
// glob is cut to the directory before it.
func (h *hider) sourcePath(in *dockerfile.Instruction, p string) (string, bool) {
	if strings.Contains(p, "$") {
		res, err := h.lex.ProcessWordWithMatches(p, in.Env)
		if err != nil || len(res.Unmatched) > 0 {
			return "", false
		}
		p = res.Result
	}
	if p == "" {
		return "", false
	}
	if i := strings.IndexAny(p, "*?["); i >= 0 {
		p = path.Dir(p[:i] + "x")
	}
	return path.Join("/", p), true
}

// usedInRun reports whether the RUN itself goes on to use what it
// installed under the mount, or copies it out, before the mount goes.
func (h *hider) usedInRun() bool {
	after := false
	for _, c := range h.in.Run.Commands {
		if c == h.inst.Cmd {
			after = true
			continue
		}
		if !after {
			continue
		}
		if h.inst.uses != nil && h.inst.uses(c, newRunEnv(h.in, c)) {
			return true
		}
		if acc, _ := pathAccess(c, h.m.Target); acc == accessRead {
			return true
		}
	}
	return false
}

// remounted reports whether a later RUN of the stage, from its
// instruction start on, or of a stage built FROM it, mounts the same
// cache: the author keeps the tree in the cache on purpose and mounts it
// where it is needed.
func (h *hider) remounted(st *dockerfile.Stage, start int) bool {
	key := scanKey{st: st, id: h.m.ID}
	if e, ok := h.memo.remounts[key]; ok && e.from <= start && start <= e.stop {
		return e.found
	}
	seq := st.Instructions
	res := scanned{from: start, stop: len(seq)}
	for i := start; i < len(seq) && !res.found; i++ {
		if seq[i].Run == nil {
			continue
		}
		for _, m := range seq[i].Run.Mounts {
			if m.Type == "cache" && (cacheID(m) == h.m.ID || !m.Known("id") || !m.Known("target")) {
				res.stop, res.found = i, true
				break
			}
		}
	}
	if !res.found {
		for _, d := range h.f.Stages {
			if d.BaseStage == st && h.remounted(d, 0) {
				res.found = true
				break
			}
		}
	}
	h.memo.remounts[key] = res
	return res.found
}

func (h *hider) report(u *laterUse) {
	t := h.m.Target
	var msg string
	if h.inst != nil {
		where := fmt.Sprintf("%s, inside the cache mount on %s", h.inst.Dir, t)
		if h.inst.Dir == t {
			where = t + ", a cache mount"
		}
		msg = fmt.Sprintf("`%s` %s in %s", commandText(h.f, h.in, h.inst.Cmd), h.inst.What, where)
		if u != nil {
			msg += ", so none of it is in the image, but " + u.text
		} else {
			msg += ": it stays in the cache, so later steps and the image get an empty directory"
		}
	} else {
		msg = fmt.Sprintf("what this RUN writes under the cache mount on %s stays in the cache and is not in the image, but %s", t, u.text)
	}
	pos, end := mountPos(h.f, h.in, h.m.Mount)
	h.pass.Report(analysis.Diagnostic{
		Pos:            pos,
		End:            end,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{{Message: h.help(u)}},
	})
}

func (h *hider) help(u *laterUse) string {
	t := h.m.Target
	if h.inst != nil {
		if h.inst.Cmd.Name() == "poetry" && !strings.HasSuffix(h.inst.Dir, "/.venv") {
			return "set ENV POETRY_VIRTUALENVS_IN_PROJECT=true (or POETRY_VIRTUALENVS_CREATE=false) so that the virtualenv is made outside the cache"
		}
		mounts := cacheMounts(h.in)
		for _, n := range cacheNeeds(h.in) {
			if n.Off || n.Dirs == nil || h.m.covers(n.Dirs[0]) || n.Tool.System {
				continue
			}
			if m := n.mountFor(mounts); m != nil {
				return fmt.Sprintf("drop the mount on %s: the %s (%s) is mounted already and keeps the downloads", t, n.Cache.What, m.Target)
			}
			return fmt.Sprintf("mount the %s (%s) instead of %s, or copy what later steps need out of %s in this RUN", n.Cache.What, n.Dirs[0], t, t)
		}
		return fmt.Sprintf("do not mount %s, or copy what later steps need out of it in this RUN", t)
	}
	what := "what later steps need"
	if u != nil && u.path != "" && u.path != t {
		what = u.path
	}
	for _, c := range h.in.Run.Commands {
		if tl, args := toolCommand(c); tl != nil && tl.Name == "cargo" && firstOperand(args, nil) == "build" {
			return fmt.Sprintf("copy %s out of %s in the same RUN (cargo build --release && cp target/release/APP /usr/local/bin/) and use the copy, as Docker's Rust example does", what, t)
		}
	}
	return fmt.Sprintf("copy %s out of %s in the same RUN and use the copy, or do not mount %s", what, t, t)
}

// pathAccess is how a command touches paths under dir.
type access int

const (
	accessNone access = iota
	accessRead
	accessWrite
)

// harmless commands do not need what a path holds.
var harmless = map[string]bool{
	"rm": true, "rmdir": true, "mkdir": true, "touch": true, "chown": true, "chmod": true, "chgrp": true,
	"echo": true, "printf": true, "test": true, "[": true, "true": true, "export": true, "cd": true, "unlink": true,
	"set": true, "exit": true, "useradd": true, "adduser": true,
}

// copiers take sources and a destination last (or after -t).
var copiers = map[string]bool{"cp": true, "mv": true, "rsync": true, "install": true, "ln": true}

// fileTools take bare relative names as paths.
var fileTools = map[string]bool{"cp": true, "mv": true, "rsync": true, "install": true, "ln": true, "tar": true,
	"ls": true, "du": true, "find": true, "cat": true, "zip": true, "unzip": true, "stat": true, "file": true}

// outputFlags are flags whose value is a path the command writes.
var outputFlags = map[string]bool{"-o": true, "-O": true, "--out": true, "--output": true, "--out-dir": true,
	"--output-dir": true, "--outdir": true, "--target-dir": true, "--dest": true, "--destination": true,
	"--prefix": true, "--target": true, "--root": true, "--install-dir": true, "--build-dir": true,
	"--output-document": true, "--cache-dir": true, "--cache": true}

// pathAccess reports whether a command reads or writes a path at or under
// dir, and the path. Reads are: running a program from there, or naming a
// path there as an operand (a copy's sources, an archive's members).
// Writes are: a copy's destination, an output flag's value, tar -x -C, a
// redirection to a file (echo x > dir/f). Reads through < count too.
func pathAccess(c *dockerfile.Command, dir string) (access, string) {
	if len(c.Args) == 0 || !c.Args[0].Lit {
		return accessNone, ""
	}
	name := c.Name()
	resolve := func(v string, bare bool) (string, bool) {
		if i := strings.IndexAny(v, "$`"); i >= 0 {
			// A word with an unknown part: its known start may still
			// name a directory (/src/target/$(...)/app is in /src/target).
			if j := strings.LastIndexByte(v[:i], '/'); j > 0 {
				v = v[:j] + "/*"
			} else {
				return "", false
			}
		}
		if v == "" || strings.HasPrefix(v, "~") || strings.Contains(v, "://") {
			return "", false
		}
		if !path.IsAbs(v) {
			if c.Dir == "" || !bare && !strings.Contains(v, "/") && !strings.HasPrefix(v, ".") {
				return "", false
			}
			v = path.Join(c.Dir, v)
		}
		if i := strings.IndexAny(v, "*?["); i >= 0 {
			v = path.Dir(v[:i] + "x")
		}
		v = path.Clean(v)
		return v, within(v, dir)
	}
	if p, ok := resolve(c.Args[0].Value, false); ok && strings.Contains(c.Args[0].Value, "/") {
		return accessRead, p
	}
	for _, r := range c.Redirs {
		if r.Op == "<" || r.Op == "<>" {
			if p, ok := resolve(r.Target.Value, true); ok {
				return accessRead, p
			}
		}
	}
	if harmless[name] {
		return redirWrite(c, resolve)
	}
	args := c.Args[1:]
	extract := name == "tar" && tarExtracts(c.Argv()[1:])
	var operands []string
	dest := ""
	for i := 0; i < len(args); i++ {
		v := args[i].Value
		if strings.HasPrefix(v, "-") {
			flag, val, hasVal := strings.Cut(v, "=")
			switch {
			case outputFlags[flag] && !hasVal && i+1 < len(args):
				if p, ok := resolve(args[i+1].Value, true); ok {
					return accessWrite, p
				}
				i++
			case outputFlags[flag] && hasVal:
				if p, ok := resolve(val, true); ok {
					return accessWrite, p
				}
			case (flag == "-t" || flag == "--target-directory") && copiers[name]:
				if !hasVal && i+1 < len(args) {
					i++
					val = args[i].Value
				}
				dest = val
			case flag == "-C" && name == "tar" && i+1 < len(args):
				i++
				if p, ok := resolve(args[i].Value, true); ok {
					if extract {
						return accessWrite, p
					}
					return accessRead, p
				}
			case hasVal:
				if p, ok := resolve(val, false); ok {
					return accessRead, p
				}
			}
			continue
		}
		operands = append(operands, v)
	}
	if copiers[name] && dest == "" && len(operands) > 1 {
		dest, operands = operands[len(operands)-1], operands[:len(operands)-1]
	}
	for _, v := range operands {
		if p, ok := resolve(v, fileTools[name]); ok {
			if extract {
				return accessWrite, p
			}
			return accessRead, p
		}
	}
	if dest != "" {
		if p, ok := resolve(dest, true); ok {
			return accessWrite, p
		}
	}
	return redirWrite(c, resolve)
}

// redirWrite reports a redirection that writes a file under the
// directory (echo x > dir/f).
func redirWrite(c *dockerfile.Command, resolve func(string, bool) (string, bool)) (access, string) {
	for _, r := range c.Redirs {
		if file, _, ok := r.Writes(); ok {
			if p, ok := resolve(file, true); ok {
				return accessWrite, p
			}
		}
	}
	return accessNone, ""
}

// tarExtracts reports whether tar arguments extract (-x, --extract, or an
// x in the first word of old-style options).
func tarExtracts(args []string) bool {
	for i, a := range args {
		if a == "-x" || a == "--extract" || a == "--get" || strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "x") {
			return true
		}
		if i == 0 && !strings.HasPrefix(a, "-") && strings.Contains(a, "x") {
			return true
		}
	}
	return false
}

// buildPrograms are build tools that write outputs in the directory they
// run in.
var buildPrograms = map[string]bool{"make": true, "cmake": true, "ninja": true, "meson": true, "bazel": true,
	"gcc": true, "cc": true, "g++": true, "clang": true, "rustc": true, "tsc": true, "zig": true}

// buildsIn reports whether a command builds in the directory that holds
// dir (or inside dir): it may write there again.
func buildsIn(c *dockerfile.Command, dir string) bool {
	if !within(c.Dir, path.Dir(dir)) {
		return false
	}
	if t, _ := toolCommand(c); t != nil {
		return true
	}
	return buildPrograms[c.Name()]
}

// commandOfCmd is the command of a CMD or ENTRYPOINT, run in its WORKDIR.
func commandOfCmd(in *dockerfile.Instruction) *dockerfile.Command {
	var sc instructions.ShellDependantCmdLine
	switch c := in.Command.(type) {
	case *instructions.CmdCommand:
		sc = c.ShellDependantCmdLine
	case *instructions.EntrypointCommand:
		sc = c.ShellDependantCmdLine
	default:
		return nil
	}
	words := sc.CmdLine
	if sc.PrependShell && len(words) == 1 {
		words = strings.Fields(words[0])
	}
	if len(words) == 0 {
		return nil
	}
	c := &dockerfile.Command{Dir: in.Workdir, Pos: in.Pos, End: in.End}
	for _, w := range words {
		c.Args = append(c.Args, dockerfile.Arg{Value: w, Lit: !strings.ContainsAny(w, "$`"), Pos: in.Pos, End: in.End})
	}
	return c
}
