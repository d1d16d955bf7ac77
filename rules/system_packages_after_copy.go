package rules

import (
	"fmt"
	"go/token"
	"path"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildcontext"
	"github.com/cachelint/cachelint/dockerfile"
)

// SystemPackagesAfterCopy flags an OS package install placed after a COPY
// of files from the build context.
var SystemPackagesAfterCopy = &analysis.Analyzer{
	Name: "system_packages_after_copy",
	Doc: `system packages are installed after files are copied from the build context

Why it matters for the cache: every step's cache key includes the step
before it, so a COPY of context files invalidates everything after it
whenever one of those files changes. An apt-get install (or apk add, dnf,
yum, microdnf or zypper install) placed after such a COPY downloads and
installs its packages again on every source change, although the packages
do not depend on the sources at all.

Example:

    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    RUN apt-get update && apt-get install -y --no-install-recommends libpq5
    RUN pip install -r requirements.txt

Fix: install the system packages first, so that the step stays cached until
the package list itself changes:

    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y --no-install-recommends libpq5
    WORKDIR /app
    COPY . .
    RUN pip install -r requirements.txt

The move is left to you: the RUN may need steps between the COPY and it
(an ENV or ARG it reads, a repository it installs from), and later steps
may rely on it, so moving it is not a mechanical edit. The finding names
the COPY to move it above, and any COPY of a repository or key file in
between that should move with it.

A COPY counts when it copies context files (not COPY --from, not ADD of a
URL, not a heredoc), in the same stage or in a stage this one is built
FROM; a RUN that bind-mounts context files counts too. It does not count
when it is what the install needs: a repository, key, certificate or
package manager setting copied into /etc/apt, /usr/share/keyrings,
/etc/yum.repos.d, /etc/pki, /etc/apk, /etc/zypp, /etc/dnf, /etc/dpkg,
/etc/ssl or /usr/local/share/ca-certificates, nor when it copies a
directory into / or /etc that could hold such files.

Not reported: an install whose packages are files (apt-get install
./pkg.deb, dnf install /tmp/x.rpm) or are not known here (a variable
without a value, $(cat packages.txt), a list fed by xargs); a RUN that
also uses the copied files (pip install -r requirements.txt after
installing a compiler, a copied script, chown of the copied directory) or
that bind-mounts context files itself; installs after a RUN that ran a
copied script (it may have added the repository the install needs);
Windows stages.

Sources:
- https://docs.docker.com/build/cache/optimize/#order-your-layers
- https://docs.docker.com/build/cache/invalidation/#general-rules
- https://docs.docker.com/build/building/best-practices/#apt-get`,
	URL:      docURL("system-packages-after-copy"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer, buildcontext.Analyzer},
	Run:      runSystemPackagesAfterCopy,
}

func runSystemPackagesAfterCopy(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	ctx, _ := pass.ResultOf[buildcontext.Analyzer].(*buildcontext.Context)
	reported := map[token.Pos]bool{}
	for _, s := range f.Stages {
		if IsWindows(s) {
			continue
		}
		checkSystemInstalls(pass, ctx, stageChain(s), reported)
	}
	return nil, nil
}

// copied is an earlier instruction that brought context files in.
type copied struct {
	in      *dockerfile.Instruction
	what    string // how to name it: "COPY . ." or "RUN --mount=type=bind"
	regions []string
	unknown bool // where the files went is not known
}

// hits reports whether an absolute image path names the copied files, a
// path inside them, or a directory (other than /) that holds them.
func (c copied) hits(p string) bool {
	if c.unknown {
		return true
	}
	for _, r := range c.regions {
		if p == r || strings.HasPrefix(p, r+"/") || r != "/" && strings.HasPrefix(r, p+"/") && p != "/" {
			return true
		}
	}
	return false
}

func checkSystemInstalls(pass *analysis.Pass, ctx *buildcontext.Context, chain []*dockerfile.Instruction, reported map[token.Pos]bool) {
	var copies []copied                   // context copies that do not feed the installs
	var prereqs []*dockerfile.Instruction // copies of package manager setup after copies[0]
	blocked := false                      // a copied script ran: installs after it may depend on it
	for _, in := range chain {
		if in.Copy != nil {
			cp, ok, prereq := contextCopyOf(in, ctx)
			switch {
			case prereq && len(copies) > 0:
				prereqs = append(prereqs, in)
			case ok:
				copies = append(copies, cp)
			}
			continue
		}
		if in.Run == nil {
			continue
		}
		if len(copies) > 0 && !blocked && !reported[in.Pos] {
			if c := namedPackageInstall(in); c != nil && !runUsesCopies(in, copies) && !mountsContext(in) {
				reported[in.Pos] = true
				reportSystemPackagesAfterCopy(pass, in, c, copies[0], prereqs)
			}
		}
		if len(copies) > 0 && runsCopiedScript(in, copies) {
			blocked = true
		}
		if mountsContext(in) {
			copies = append(copies, copied{in: in, what: "RUN --mount=type=bind"})
		}
	}
}

func reportSystemPackagesAfterCopy(pass *analysis.Pass, in *dockerfile.Instruction, c *dockerfile.Command, cp copied, prereqs []*dockerfile.Instruction) {
	line := cp.in.StartLine
	files := "copied"
	if cp.in.Run != nil {
		files = "mounted"
	}
	where := fmt.Sprintf("on line %d", line)
	if st := cp.in.Stage; st != nil && st != in.Stage {
		where += fmt.Sprintf(" in stage %s, which this stage is built from", stageLabel(st))
	}
	msg := fmt.Sprintf("`%s` runs after %s %s: any change to the %s files re-runs this install of system packages, which do not depend on them",
		argvText(c), cp.what, where, files)
	var help string
	if st := cp.in.Stage; st != nil && st != in.Stage {
		help = fmt.Sprintf("install these packages before the %s on line %d (in stage %s or in a stage both build from)", cp.in.Keyword, line, stageLabel(st))
	} else {
		help = fmt.Sprintf("move this RUN above the %s on line %d", cp.in.Keyword, line)
	}
	if len(prereqs) > 0 {
		var lines []string
		for _, p := range prereqs {
			lines = append(lines, fmt.Sprint(p.StartLine))
		}
		on := "line " + lines[0]
		if n := len(lines); n > 1 {
			on = "lines " + strings.Join(lines[:n-1], ", ") + " and " + lines[n-1]
		}
		help += fmt.Sprintf(", together with the package manager setup it needs (the COPY on %s)", on)
	}
	help += "; it then stays cached until its package list changes"
	pass.Report(analysis.Diagnostic{
		Pos:            c.Pos,
		End:            c.End,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{{Message: help}},
	})
}

// stageLabel names a stage for a message: its name, else its index.
func stageLabel(s *dockerfile.Stage) string {
	if s.Name != "" {
		return s.Name
	}
	return fmt.Sprint(s.Index)
}

// argvText is a command's words for a message, shortened.
func argvText(c *dockerfile.Command) string {
	s := strings.Join(c.Argv(), " ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// packageSetupDirs are where package managers read repositories, keys,
// certificates and settings: a COPY there prepares the install.
var packageSetupDirs = []string{
	"/etc/apt", "/usr/share/keyrings", "/etc/dpkg",
	"/etc/yum.repos.d", "/etc/yum", "/etc/yum.conf", "/etc/dnf", "/etc/pki", "/etc/rpm",
	"/etc/apk", "/etc/zypp",
	"/etc/ssl", "/usr/local/share/ca-certificates", "/usr/share/ca-certificates",
}

// contextCopyOf classifies a COPY or ADD: ok when it copies context files
// that an OS package install does not need, prereq when it copies package
// manager setup (or may: a directory into / or /etc).
func contextCopyOf(in *dockerfile.Instruction, ctx *buildcontext.Context) (cp copied, ok, prereq bool) {
	if in.Copy.From != "" {
		return cp, false, false
	}
	var srcs []string
	for _, src := range in.Copy.Sources {
		p := unquote(src.Text)
		if in.Copy.Add && (strings.Contains(p, "://") || strings.HasPrefix(p, "git@")) {
			continue
		}
		srcs = append(srcs, strings.ReplaceAll(p, "\\", "/"))
	}
	if len(srcs) == 0 {
		return cp, false, false // a URL, a Git repository or a heredoc
	}
	cp = copied{in: in, what: copyText(in)}
	dest := copyDestDir(in)
	if dest == "" {
		cp.unknown = true
		return cp, true, false
	}
	if underAny(dest, packageSetupDirs) {
		return cp, false, true
	}
	destIsDir := strings.HasSuffix(unquote(in.Copy.Dest.Text), "/") || len(srcs) > 1
	if !holdsSetupDir(dest) {
		cp.regions = []string{dest}
		return cp, true, false
	}
	// Into /, /etc, /usr ...: what lands where depends on the sources.
	for _, src := range srcs {
		switch {
		case isWholeContext(src) || looksLikeDir(src) || strings.HasSuffix(src, "/"):
			if !dirHoldsNoSetup(ctx, src, dest) {
				return cp, false, true
			}
			cp.regions = append(cp.regions, contentsIn(ctx, src, dest)...)
		case strings.ContainsAny(src, "*?[$"):
			return cp, false, true
		case in.Copy.Add && isArchive(src):
			return cp, false, true // unpacked into dest
		case destIsDir || dest == "/":
			cp.regions = append(cp.regions, path.Join(dest, path.Base(src)))
		default:
			cp.regions = append(cp.regions, dest)
		}
	}
	for _, r := range cp.regions {
		if underAny(r, packageSetupDirs) {
			return cp, false, true
		}
	}
	return cp, true, false
}

// copyText names a COPY for a message: its keyword and sources.
func copyText(in *dockerfile.Instruction) string {
	var srcs []string
	for _, s := range in.Copy.Sources {
		srcs = append(srcs, s.Text)
	}
	s := in.Keyword + " " + strings.Join(srcs, " ")
	if len(s) > 50 {
		s = s[:47] + "..."
	}
	return s
}

// holdsSetupDir reports whether directory d holds a package setup
// directory, so that a directory copied into it could write one.
func holdsSetupDir(d string) bool {
	for _, s := range packageSetupDirs {
		if d == "/" || strings.HasPrefix(s, d+"/") {
			return true
		}
	}
	return false
}

// dirHoldsNoSetup reports whether the context shows that copying the
// directory src into dest writes no package setup directory.
func dirHoldsNoSetup(ctx *buildcontext.Context, src, dest string) bool {
	if !ctx.Known() || !isWholeContext(src) && !ctx.Exists(src) {
		return false
	}
	base := strings.TrimSuffix(src, "/")
	if isWholeContext(src) {
		base = ""
	}
	for _, s := range packageSetupDirs {
		rel, ok := strings.CutPrefix(s, strings.TrimSuffix(dest, "/")+"/")
		if !ok {
			continue
		}
		if ctx.Exists(path.Join(base, rel)) {
			return false
		}
	}
	return true
}

// contentsIn lists where the top-level entries of directory src land in
// dest.
func contentsIn(ctx *buildcontext.Context, src, dest string) []string {
	pattern := strings.TrimSuffix(src, "/") + "/*"
	if isWholeContext(src) {
		pattern = "*"
	}
	var out []string
	for _, m := range ctx.Glob(pattern) {
		out = append(out, path.Join(dest, path.Base(m)))
	}
	return out
}

func isArchive(p string) bool {
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst"} {
		if strings.HasSuffix(strings.ToLower(p), ext) {
			return true
		}
	}
	return false
}

// mountsContext reports whether a RUN bind-mounts files of the context.
func mountsContext(in *dockerfile.Instruction) bool {
	for _, m := range in.Run.Mounts {
		if m.Type == "bind" && m.From == "" {
			return true
		}
	}
	return false
}

// namedPackageInstall returns the first command of a RUN that installs
// named OS packages, or nil. Installs of package files, of lists read at
// build time and of anything unknown here are not returned.
func namedPackageInstall(in *dockerfile.Instruction) *dockerfile.Command {
	for _, p := range pkgCommands(in) {
		ops, ok := p.namedPackages()
		if !ok {
			continue
		}
		c := p.Cmd
		if len(ops) == 0 || !allLiteral(c) {
			return nil // a list fed by xargs or read from a file: it may be in the context
		}
		for _, op := range ops {
			if op == "." || strings.Contains(op, "/") && !strings.Contains(op, "://") || hasPackageFileExt(op) {
				return nil // a package file
			}
		}
		return c
	}
	return nil
}

func allLiteral(c *dockerfile.Command) bool {
	for _, a := range c.Args {
		if !a.Lit {
			return false
		}
	}
	return true
}

func hasPackageFileExt(op string) bool {
	for _, ext := range []string{".deb", ".rpm", ".apk"} {
		if strings.HasSuffix(op, ext) {
			return true
		}
	}
	return false
}

// readsFiles are programs whose bare operands are files.
var readsFiles = map[string]bool{
	"cp": true, "mv": true, "rsync": true, "ln": true, "tar": true, "cat": true,
	"chmod": true, "chown": true, "chgrp": true, "source": true, ".": true, "install": true,
	"sh": true, "bash": true, "dash": true, "ash": true, "zsh": true,
	"python": true, "python3": true, "node": true, "ruby": true, "perl": true, "php": true,
	"unzip": true, "dpkg": true, "rpm": true, "gpg": true, "apt-key": true, "patch": true,
	"sed": true, "awk": true, "grep": true,
}

// buildsHere are programs that read the project in their working directory.
var buildsHere = map[string]bool{
	"make": true, "cmake": true, "ninja": true, "meson": true, "bazel": true, "rake": true, "just": true,
}

// setupCommands are programs that commonly go with a package install and
// read no project files other than those their arguments name: a RUN
// made of them (and of the tools of the table) can move above a COPY. Any
// other program (a build, a helper script found on PATH) may read the
// copied files, so its RUN is left alone.
var setupCommands = map[string]bool{
	"apt-key": true, "add-apt-repository": true, "apt-cache": true, "apt-mark": true, "apt-config": true,
	"dpkg": true, "dpkg-reconfigure": true, "dpkg-query": true, "debconf-set-selections": true,
	"update-ca-certificates": true, "update-alternatives": true, "update-locale": true,
	"locale-gen": true, "localedef": true, "ldconfig": true, "rpm": true, "rpmkeys": true,
	"rm": true, "ln": true, "mkdir": true, "touch": true, "echo": true, "printf": true,
	"true": true, "false": true, "set": true, "export": true, "cd": true, "test": true, "[": true,
	"sed": true, "grep": true, "awk": true, "cat": true, "tee": true, "cp": true, "mv": true,
	"chmod": true, "chown": true, "chgrp": true, "install": true, "mktemp": true,
	"useradd": true, "groupadd": true, "adduser": true, "addgroup": true, "usermod": true,
	"curl": true, "wget": true, "gpg": true, "gpg2": true, "tar": true, "unzip": true,
	"gunzip": true, "gzip": true, "xz": true, "sha256sum": true, "sha512sum": true, "md5sum": true,
	"dd": true, "sh": true, "bash": true, "sleep": true, "id": true, "whoami": true, "uname": true,
	"command": true, "which": true, "ls": true, "dirname": true, "basename": true, "tr": true,
	"head": true, "tail": true, "cut": true, "sort": true, "xargs": true, "ssh-keyscan": true,
	"git": true, "corepack": true, "docker-php-ext-install": true, "docker-php-ext-configure": true,
	"docker-php-ext-enable": true, "docker-php-source": true, "pecl": true, "a2enmod": true,
	"fc-cache": true, "rustup": true, "exit": true, "source": true, ".": true,
}

// runUsesCopies reports whether a RUN's other commands use the copied
// files, or may: it must then stay after the COPY.
func runUsesCopies(in *dockerfile.Instruction, copies []copied) bool {
	for _, c := range in.Run.Commands {
		t, args := toolCommand(c)
		if t != nil && t.System {
			continue
		}
		if t == nil && !setupCommands[c.Name()] {
			return true // a program that may read anything
		}
		if commandUses(in, c, t, args, copies) {
			return true
		}
	}
	return false
}

func commandUses(in *dockerfile.Instruction, c *dockerfile.Command, t *Tool, args []string, copies []copied) bool {
	hit := func(p string) bool {
		for _, cp := range copies {
			if cp.hits(p) {
				return true
			}
		}
		return false
	}
	// A project install or build reads the directory it runs in, files
	// copied straight into it included.
	inDir := c.Dir == "" || hit(c.Dir) || slices.ContainsFunc(copies, func(cp copied) bool {
		return slices.ContainsFunc(cp.regions, func(r string) bool { return path.Dir(r) == c.Dir })
	})
	getenv := func(name string) (string, bool) { return c.Getenv(in, name) }
	if t != nil && t.installs != nil && t.installs(t.withoutLeadingDirFlags(args), getenv) && inDir {
		return true
	}
	name := c.Name()
	if buildsHere[name] && inDir {
		return true
	}
	refs := make([]dockerfile.Arg, 0, len(c.Args)+len(c.Redirs))
	for i, a := range c.Args {
		v := a.Value
		if strings.Contains(v, "://") || i > 0 && strings.HasPrefix(v, "-") {
			continue
		}
		// Bare words are files only for programs that take files (and
		// for project installs, through the directory they run in above).
		pathLike := strings.Contains(v, "/") || strings.HasPrefix(v, ".")
		if pathLike || i > 0 && readsFiles[name] {
			refs = append(refs, a)
		}
	}
	refs = append(refs, c.Files()...)
	for _, a := range refs {
		if !a.Lit {
			return true // a path not known here
		}
		v := strings.ReplaceAll(a.Value, "\\", "/")
		switch {
		case path.IsAbs(v):
			v = path.Clean(v)
		case c.Dir != "":
			v = path.Join(c.Dir, v)
		default:
			return true
		}
		if hit(v) {
			return true
		}
	}
	return false
}

// runsCopiedScript reports whether a RUN runs a file that was copied: a
// program path, or a script given to a shell or to source.
func runsCopiedScript(in *dockerfile.Instruction, copies []copied) bool {
	for _, c := range in.Run.Commands {
		if len(c.Args) == 0 {
			continue
		}
		script := c.Args[0]
		if name := c.Name(); oneOf(name, "sh", "bash", "dash", "ash", "zsh", "source", ".") {
			ops := operands(c.Argv()[1:])
			if len(ops) == 0 {
				continue
			}
			for _, a := range c.Args[1:] {
				if a.Value == ops[0] {
					script = a
					break
				}
			}
		} else if !strings.Contains(script.Value, "/") {
			continue
		}
		v := strings.ReplaceAll(script.Value, "\\", "/")
		if !script.Lit {
			return true
		}
		switch {
		case path.IsAbs(v):
		case c.Dir != "":
			v = path.Join(c.Dir, v)
		default:
			return true
		}
		for _, cp := range copies {
			if cp.hits(path.Clean(v)) {
				return true
			}
		}
	}
	return false
}
