package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// CopyLinkOpportunity flags COPY --from in the exported stages that could
// safely use --link.
var CopyLinkOpportunity = &analysis.Analyzer{
	Name: "copy_link_opportunity",
	Doc: `a COPY --from into the image could use --link

Why it matters for the cache: a plain COPY writes its files on top of
the layers before it, so its cache entry depends on all of them: when the
base image gets a new patch release, or any earlier step changes, the copy
is done again and makes a new layer that must be pushed and pulled again.
With --link the copied files form a layer of their own, independent of
what is below; BuildKit reuses it even when the layers under it change,
and a registry that already has it does not receive it again.

Example:

    FROM golang:1.24 AS build
    WORKDIR /src
    COPY . .
    RUN go build -o /out/server .

    FROM gcr.io/distroless/static-debian12
    COPY --from=build /out/server /usr/local/bin/server
    ENTRYPOINT ["/usr/local/bin/server"]

Fix: add --link (Dockerfile frontend 1.4 or later, so start the file with
"# syntax=docker/dockerfile:1"):

    COPY --link --from=build /out/server /usr/local/bin/server

A linked copy cannot see the layers below it. It does not follow a
symbolic link on the way to the destination (it makes a directory there
instead), it cannot tell that the destination is an existing directory
to copy into, and the directories on the path get the copy's owner and
mode 0755, whatever they had before. So the rule only reports a
COPY --from in the final stage or a stage the final stage is built FROM
(the stages a default build exports), when none of that can change the
image:

- the destination is known (absolute, or relative to a WORKDIR set in
  these stages) and is not a Windows path; Windows images are skipped;
- it is not under /bin, /sbin, /lib, /lib32, /lib64 or /libx32 (symbolic
  links on usr-merged Debian, Ubuntu and Fedora), /var (/var/run and
  /var/lock are links, and /var/www, /var/lib/* often belong to a
  service), /tmp, /home, /root or /run, nor the root directory itself;
- the base image is scratch, or a well-known image whose other
  directories are root's (Alpine, Debian, Ubuntu, distroless, Chainguard,
  the official language images, nginx, httpd, caddy), except golang's
  GOPATH and ruby's GEM_HOME, which are world-writable. For any other
  base image, only a destination inside a standard system directory
  (/usr/local/bin, /usr/share, /etc, /opt ...) is reported;
- a destination without a trailing slash is not a directory that exists
  (a standard one, one made by an earlier step, or /app when app.jar is
  copied to it);
- --chown is absent, or numeric with every directory on the path made by
  the copy itself (a linked copy hands its owner to those directories);
  --chmod is absent (BuildKit ignores --link next to it);
- no earlier step of these stages created or changed the destination or
  a directory on its path: a RUN naming one of them, an earlier COPY or
  ADD to the same destination (or one with --chown or --chmod above it),
  or a WORKDIR that made one as a user other than root.

Sources:
- https://docs.docker.com/reference/dockerfile/#copy---link
- https://docs.docker.com/reference/dockerfile/#benefits-of-using---link
- https://docs.docker.com/reference/dockerfile/#incompatibilities-with---linkfalse
- https://github.com/docker/buildx/issues/1855
- https://github.com/moby/buildkit/issues/3912`,
	URL:      docURL("copy-link-opportunity"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runCopyLinkOpportunity,
}

func runCopyLinkOpportunity(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	if f.ParseErr != nil || len(f.Stages) == 0 {
		return nil, nil
	}
	final := f.Stages[len(f.Stages)-1]
	if IsWindows(final) {
		return nil, nil
	}
	stages := exportedStages(f)
	base := stages[0].BaseImage
	var chain []*dockerfile.Instruction
	for _, s := range stages {
		chain = append(chain, s.Instructions...)
	}
	lc := &linkCheck{f: f, lex: f.Lex(), chain: chain, scratch: strings.EqualFold(base, "scratch")}
	if !strings.Contains(base, "$") {
		lc.layout = layoutOf(base)
	}
	for i, in := range chain {
		// BuildKit ignores --link on a COPY with --chmod: nothing to gain.
		if in.Keyword != "COPY" || in.Copy == nil || in.Copy.From == "" || in.Err != nil ||
			flagWord(in, "--link") != nil || flagWord(in, "--chmod") != nil {
			continue
		}
		if !lc.safe(i) {
			continue
		}
		where := "the final stage"
		if in.Stage != final {
			where = "stage " + stageName(in.Stage) + ", which the final stage is built on,"
		}
		from := flagWord(in, "--from")
		pass.Report(analysis.Diagnostic{
			Pos: in.Pos,
			End: from.End,
			Message: fmt.Sprintf("COPY %s in %s could use --link: the copied files would then be a layer of their own, reused when %s changes",
				from.Text, where, whatChanges(base)),
			SuggestedFixes: []analysis.SuggestedFix{{
				Message:   "add --link after COPY" + linkSyntaxNote(f),
				TextEdits: []analysis.TextEdit{{Pos: in.Flags[0].Pos, End: in.Flags[0].Pos, NewText: []byte("--link ")}},
			}},
		})
	}
	return nil, nil
}

// exportedStages are the stages a default build exports: the last one and
// those it is built FROM, oldest first.
func exportedStages(f *dockerfile.File) []*dockerfile.Stage {
	var out []*dockerfile.Stage
	for s := f.Stages[len(f.Stages)-1]; s != nil; s = s.BaseStage {
		out = append(out, s)
	}
	slices.Reverse(out)
	return out
}

func stageName(s *dockerfile.Stage) string {
	if s.Name != "" {
		return s.Name
	}
	return fmt.Sprint(s.Index)
}

// whatChanges names what a linked layer no longer depends on.
func whatChanges(base string) string {
	switch {
	case strings.EqualFold(base, "scratch"):
		return "an earlier step"
	case base == "" || strings.Contains(base, "$"):
		return "the base image or an earlier step"
	}
	return "the base image " + base + " or an earlier step"
}

// linkSyntaxNote tells when the file's frontend does not have --link yet.
func linkSyntaxNote(f *dockerfile.File) string {
	value, _, ok := syntaxDirective(f)
	if !ok {
		return " and start the file with `# syntax=docker/dockerfile:1` (--link needs Dockerfile frontend 1.4)"
	}
	if !parseSyntax(value).has(frontendFlags["COPY --link"]) {
		return fmt.Sprintf(" and raise the `# syntax=` directive (%s) to docker/dockerfile:1 (--link needs 1.4)", value)
	}
	return ""
}

// flagWord returns the instruction's flag with the given name, or nil.
func flagWord(in *dockerfile.Instruction, name string) *dockerfile.Word {
	for i, w := range in.Flags {
		if n, _, _ := strings.Cut(w.Text, "="); strings.EqualFold(n, name) {
			return &in.Flags[i]
		}
	}
	return nil
}

// linkCheck decides whether --link is safe for the COPYs of the exported
// stages.
type linkCheck struct {
	f       *dockerfile.File
	lex     *shell.Lex
	chain   []*dockerfile.Instruction
	layout  imageLayout
	scratch bool
}

// copyTarget is where a COPY or ADD writes: dest (absolute) and the
// directories whose metadata a linked copy would set (the directory it
// copies into and its parents, without "/").
type copyTarget struct {
	dest  string
	isDir bool // certainly a directory: trailing slash, several sources, a wildcard
	dirs  []string
	src   string // the single source, when there is one
}

func (lc *linkCheck) target(in *dockerfile.Instruction) (copyTarget, bool) {
	raw := in.Copy.Dest.Text
	dest, ok := lc.resolve(in, raw)
	if !ok {
		return copyTarget{}, false
	}
	t := copyTarget{dest: dest}
	unq := unquote(raw)
	t.isDir = strings.HasSuffix(unq, "/") || unq == "." || unq == ".." || strings.HasSuffix(unq, "/.") ||
		len(in.Copy.Sources) > 1 || in.Copy.Parents
	dir := dest
	if !t.isDir {
		dir = path.Dir(dest)
		if len(in.Copy.Sources) == 1 {
			t.src = unquote(in.Copy.Sources[0].Text)
		}
	}
	t.dirs = dirChain(dir)
	return t, true
}

// resolve expands variables in a path word and makes it absolute against
// the instruction's WORKDIR. ok is false when that cannot be known (a
// variable without a value, a relative path in a stage that never sets
// WORKDIR, whose base image may have its own) or the path is a Windows one.
func (lc *linkCheck) resolve(in *dockerfile.Instruction, word string) (string, bool) {
	res, err := lc.lex.ProcessWordWithMatches(word, in.Env)
	if err != nil || len(res.Unmatched) > 0 {
		return "", false
	}
	p := res.Result
	if strings.Contains(p, "\\") || len(p) >= 2 && p[1] == ':' || p == "" {
		return "", false
	}
	if !path.IsAbs(p) {
		if !lc.workdirSet(in) || !path.IsAbs(in.Workdir) {
			return "", false
		}
		p = path.Join(in.Workdir, p)
	}
	return path.Clean(p), true
}

// workdirSet reports whether a WORKDIR of the exported stages comes before
// in, so that its working directory does not depend on the base image.
func (lc *linkCheck) workdirSet(in *dockerfile.Instruction) bool {
	for _, p := range lc.chain {
		if p == in {
			return false
		}
		if p.Keyword == "WORKDIR" {
			return true
		}
	}
	return false
}

// safe reports whether the COPY at chain[idx] can take --link without
// changing the image.
func (lc *linkCheck) safe(idx int) bool {
	in := lc.chain[idx]
	t, ok := lc.target(in)
	if !ok {
		return false
	}
	if !lc.scratch {
		if t.dest == "/" || underAny(t.dest, unsafeLinkDirs) || underAny(t.dest, lc.layout.Special) {
			return false
		}
		if !lc.layout.Known && slices.ContainsFunc(t.dirs, func(d string) bool { return !standardDirs[d] }) {
			return false
		}
	}
	if !t.isDir && !lc.newPath(t) {
		return false
	}
	chown := ""
	if w := flagWord(in, "--chown"); w != nil {
		_, chown, _ = strings.Cut(w.Text, "=")
		if !isNumericOwner(chown) || !lc.scratch && !lc.layout.Known || slices.ContainsFunc(t.dirs, func(d string) bool { return standardDirs[d] }) {
			return false
		}
	}
	for _, prev := range lc.chain[:idx] {
		if lc.conflicts(prev, t, chown != "") {
			return false
		}
	}
	return true
}

// newPath reports whether a COPY without a trailing slash on its
// destination names the file or directory it creates rather than an
// existing directory to copy into. A linked copy cannot look: it would
// replace a directory by the copied file. A destination that is a
// standard directory, or that has no extension where the source has one
// (app.jar copied to /app), is taken to be a directory.
func (lc *linkCheck) newPath(t copyTarget) bool {
	if standardDirs[t.dest] {
		return false
	}
	src, dst := path.Base(t.src), path.Base(t.dest)
	return t.src == "" || src == dst || !hasExtension(src) || hasExtension(dst)
}

func hasExtension(name string) bool {
	i := strings.LastIndexByte(name, '.')
	return i > 0 && i < len(name)-1
}

// conflicts reports whether an earlier instruction created or changed the
// destination of a COPY or a directory on its path.
func (lc *linkCheck) conflicts(prev *dockerfile.Instruction, t copyTarget, chown bool) bool {
	onPath := func(p string) bool { return p == t.dest || slices.Contains(t.dirs, p) }
	switch c := prev.Command.(type) {
	case *instructions.WorkdirCommand:
		w, ok := lc.resolve(prev, c.Path)
		if !ok {
			return true
		}
		created := dirChain(w)
		if !t.isDir && slices.Contains(created, t.dest) {
			return true // the destination is a directory
		}
		if slices.ContainsFunc(t.dirs, func(d string) bool { return slices.Contains(created, d) }) {
			return chown || !lc.runsAsRoot(prev.User)
		}
	case *instructions.CopyCommand, *instructions.AddCommand:
		if prev.Copy == nil {
			return false
		}
		pt, ok := lc.target(prev)
		if !ok {
			return true
		}
		if pt.dest == t.dest || !t.isDir && slices.Contains(pt.dirs, t.dest) {
			return true // the same destination, or one that is a directory
		}
		// A copy with --chown or --chmod may have given one of the
		// directories another owner or mode; a linked copy with --chown
		// would change any directory an earlier copy made.
		modes := flagWord(prev, "--chown") != nil || flagWord(prev, "--chmod") != nil
		if (chown || modes) && slices.ContainsFunc(t.dirs, func(d string) bool { return slices.Contains(pt.dirs, d) || isUnder(d, pt.dest) }) {
			return true
		}
	case *instructions.RunCommand:
		if prev.Run == nil || len(prev.Run.Commands) == 0 {
			return true // a RUN we cannot read could do anything
		}
		for _, cmd := range prev.Run.Commands {
			dir := cmd.Dir
			if dir == prev.Workdir && !lc.workdirSet(prev) {
				dir = "" // the base image's WORKDIR, unknown here
			}
			if len(cmd.Args) == 0 {
				continue
			}
			files := changesFiles[cmd.Name()]
			for _, a := range cmd.Args[1:] {
				p, ok := argPath(a.Value, dir, files)
				switch {
				case !a.Lit || !ok && dir == "" && (isRelativePath(a.Value) || files && !strings.HasPrefix(a.Value, "-")):
					if files {
						return true
					}
				case ok && (onPath(p) || t.isDir && isUnder(p, t.dest)):
					return true
				}
			}
		}
	}
	return false
}

// unsafeLinkDirs are directories that a COPY --link must not write into on
// a non-empty base image: symbolic links on usr-merged systems (/bin ->
// usr/bin, /var/run -> /run ...), which a linked layer would replace by
// directories, and directories whose owner or mode is not root's 0755
// (/tmp and /var/tmp are 1777, home directories belong to their users,
// /var holds service-owned state such as /var/www/html and /var/lib/*).
var unsafeLinkDirs = []string{
	"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/usr/tmp",
	"/var", "/tmp", "/home", "/root", "/run", "/proc", "/sys", "/dev",
}

// standardDirs are system directories that every Linux image has, owned by
// root with mode 0755.
var standardDirs = map[string]bool{
	"/usr": true, "/usr/bin": true, "/usr/sbin": true, "/usr/lib": true, "/usr/libexec": true,
	"/usr/share": true, "/usr/include": true, "/usr/local": true, "/usr/local/bin": true,
	"/usr/local/sbin": true, "/usr/local/lib": true, "/usr/local/share": true,
	"/usr/local/include": true, "/usr/local/etc": true, "/etc": true, "/opt": true,
	"/srv": true, "/mnt": true, "/media": true,
}

// underAny reports whether p is one of dirs or inside one of them.
func underAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if isUnder(p, d) {
			return true
		}
	}
	return false
}

// isUnder reports whether p is dir or a path inside it.
func isUnder(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// dirChain returns dir and its ancestors, without "/".
func dirChain(dir string) []string {
	var out []string
	for d := path.Clean(dir); d != "/" && d != "." && d != ""; d = path.Dir(d) {
		out = append(out, d)
	}
	return out
}

// changesFiles are commands whose operands are files and directories they
// create or change: a bare word (mkdir bin) is a path relative to the
// working directory, and an operand that cannot be known here may be the
// destination.
var changesFiles = map[string]bool{
	"chown": true, "chmod": true, "chgrp": true, "mkdir": true, "ln": true, "rm": true,
	"mv": true, "cp": true, "install": true, "rsync": true, "touch": true, "setfacl": true,
}

// argPath reads a command argument as a path: absolute, or explicitly
// relative (".", "./x", "../x", "dir/x") to the command's directory, or
// any word when bare is set. A --flag=value argument is read by its value.
func argPath(arg, dir string, bare bool) (string, bool) {
	if strings.HasPrefix(arg, "-") {
		_, v, ok := strings.Cut(arg, "=")
		if !ok {
			return "", false
		}
		arg = v
	}
	switch {
	case path.IsAbs(arg):
		return path.Clean(arg), true
	case dir == "" || strings.Contains(arg, "://"):
		return "", false
	case arg == "." || arg == ".." || strings.Contains(arg, "/") || bare && arg != "" && !strings.HasPrefix(arg, "-"):
		return path.Join(dir, arg), true
	}
	return "", false
}

// isRelativePath reports whether a command argument is an explicitly
// relative path.
func isRelativePath(arg string) bool {
	return arg == "." || arg == ".." || !path.IsAbs(arg) && strings.Contains(arg, "/") && !strings.HasPrefix(arg, "-")
}

// runsAsRoot reports whether a step run as user (the USER in effect, ""
// for the image's default) runs as root.
func (lc *linkCheck) runsAsRoot(user string) bool {
	if user == "" {
		return lc.scratch || lc.layout.Known && !lc.layout.NonRoot
	}
	name, _, _ := strings.Cut(user, ":")
	return name == "root" || name == "0"
}

// isNumericOwner reports whether a --chown value is uid or uid:gid.
func isNumericOwner(s string) bool {
	uid, gid, hasGID := strings.Cut(unquote(s), ":")
	return isDigits(uid) && (!hasGID || isDigits(gid))
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
