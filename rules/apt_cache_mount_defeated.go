package rules

import (
	"fmt"
	"go/token"
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// AptCacheMountDefeated flags apt and dnf cache mounts that cannot work as
// written: on Debian and Ubuntu images docker-clean empties the apt cache
// after each install, and without sharing=locked concurrent builds share
// the package manager's directory.
var AptCacheMountDefeated = &analysis.Analyzer{
	Name: "apt_cache_mount_defeated",
	Doc: `an apt or dnf cache mount that the image's apt configuration empties, or that concurrent builds share without a lock

Why it matters for the cache: the official Debian and Ubuntu images ship
/etc/apt/apt.conf.d/docker-clean, an apt configuration that deletes every
downloaded .deb from /var/cache/apt after each dpkg run, to keep image
layers small. With a cache mount on /var/cache/apt the packages would be
outside the image anyway, but the hook still deletes them: the mount
stays empty and every build downloads every package again. The apt
command (not apt-get) also deletes what it downloaded unless
APT::Keep-Downloaded-Packages is "true". Separately, a cache mount is
shared by default between builds that run at the same time; apt and dnf
expect their cache and lists to be theirs alone (they take lock files in
them), so parallel builds fail on the lock or read each other's partial
files. sharing=locked makes a second build wait for the first.

Example:

    FROM debian:bookworm
    RUN --mount=type=cache,target=/var/cache/apt \
        --mount=type=cache,target=/var/lib/apt \
        apt-get update && apt-get install -y --no-install-recommends gcc

Fix: remove docker-clean (and keep downloaded packages, for the apt
command) in an earlier step, and lock the mounts. The suggested fix
inserts that step before the first such RUN of the stage, and adds
sharing=locked to each mount:

    FROM debian:bookworm
    RUN rm -f /etc/apt/apt.conf.d/docker-clean; echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache
    RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
        --mount=type=cache,target=/var/lib/apt,sharing=locked \
        apt-get update && apt-get install -y --no-install-recommends gcc

docker-clean counts as dealt with when an earlier instruction of the
stage, of a stage it is built FROM, or an earlier command of the same RUN
removes it (rm, mv), empties or overwrites it (: >, echo >, truncate, cp,
ln -sf, tee, COPY), or edits it (sed -i). A COPY of a directory into
/etc/apt or above counts too, as its content cannot be seen. Writing
Keep-Downloaded-Packages "true" alone does not count: the docker-clean
hook deletes the files whatever apt keeps. For the apt command,
Keep-Downloaded-Packages "true" must also be written to a file in
/etc/apt/apt.conf.d (echo, printf, tee, cat <<EOF, COPY <<EOF) or given
with -o on the command.

Only stages whose base image is known to be Debian or Ubuntu (debian,
ubuntu, buildpack-deps and the official images built on them, such as
python, node, golang or ruby, and tags naming a Debian or Ubuntu release)
are checked for docker-clean: other images may not have the file, and an
image cachelint does not know is not reported. Installs that only
download (apt-get install --download-only) or simulate are not reported;
nor is a RUN with only apt-get update. A setup script run from the
Dockerfile (RUN ./setup.sh) is not seen. The sharing check covers cache
mounts on /var/cache/apt, /var/lib/apt, /var/cache/dnf, /var/cache/yum
and /var/cache/libdnf5 (and directories inside them) on any base;
sharing=private is also fine.

Sources:
- https://docs.docker.com/reference/dockerfile/#example-cache-apt-packages
- https://docs.docker.com/build/cache/optimize/#use-cache-mounts
- https://github.com/debuerreotype/debuerreotype/blob/master/scripts/debuerreotype-minimizing-config
- https://github.com/debuerreotype/docker-debian-artifacts/issues/126`,
	URL:      docURL("apt-cache-mount-defeated"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runAptCacheMountDefeated,
}

const (
	dockerClean = "/etc/apt/apt.conf.d/docker-clean"
	aptConfDir  = "/etc/apt/apt.conf.d"
	keepSetting = "Keep-Downloaded-Packages"
	// keepCacheStep is the step the fix inserts (Docker's documented one).
	keepCacheStep = `RUN rm -f /etc/apt/apt.conf.d/docker-clean; echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache`
)

// lockedCacheDirs are the directories whose cache mounts want
// sharing=locked.
var lockedCacheDirs = []string{"/var/cache/apt", "/var/lib/apt", "/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5"}

func runAptCacheMountDefeated(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	if !hasCacheMounts(f) {
		return nil, nil
	}
	reported := map[*dockerfile.Instruction]bool{}
	for _, s := range f.Stages {
		if IsWindows(s) {
			continue
		}
		for _, in := range s.Instructions {
			checkMountSharing(pass, f, in)
		}
		if Family(s) == "debian" {
			checkDockerClean(pass, f, stageChain(s), reported)
		}
	}
	return nil, nil
}

// aptConfig is what the steps so far did to apt's configuration.
type aptConfig struct {
	cleanGone bool // docker-clean removed, emptied, edited, or possibly replaced
	keep      bool // Keep-Downloaded-Packages "true" written, or possibly
}

func checkDockerClean(pass *analysis.Pass, f *dockerfile.File, chain []*dockerfile.Instruction, reported map[*dockerfile.Instruction]bool) {
	var cfg aptConfig
	var first *dockerfile.Instruction // the first RUN of the chain that needs the fix
	for _, in := range chain {
		if in.Copy != nil {
			cfg.copied(in)
			continue
		}
		if in.Run == nil {
			continue
		}
		mount := archivesMount(in)
		var soFar []string // the texts of the RUN's commands up to here
		done := false
		for _, c := range in.Run.Commands {
			soFar = append(soFar, texts(c)...)
			if mount != nil && !done {
				if p, ok := aptInstall(c); ok {
					needKeep := p.Prog == "apt" && !cfg.keep && !setsTrue(p.Args, keepSetting)
					if !cfg.cleanGone || needKeep {
						done = true
						if first == nil {
							first = in
						}
						if !reported[in] {
							reported[in] = true
							reportDockerClean(pass, f, in, p, mount, !cfg.cleanGone, first)
						}
					}
				}
			}
			cfg.ran(c, newRunEnv(in, c), soFar)
		}
	}
}

// archivesMount returns the cache mount of a RUN that holds
// /var/cache/apt/archives, or nil.
func archivesMount(in *dockerfile.Instruction) *cacheMount {
	for _, m := range cacheMounts(in) {
		if m.covers("/var/cache/apt/archives") {
			return &m
		}
	}
	return nil
}

// aptInstall reports whether a command is an apt install or upgrade that
// runs dpkg (and so the docker-clean hook).
func aptInstall(c *dockerfile.Command) (pkgCmd, bool) {
	t, args := toolCommand(c)
	if t == nil || t.Name != "apt" {
		return pkgCmd{}, false
	}
	sub, rest := sysSubcommand(t, args)
	p := pkgCmd{Tool: t, Cmd: c, Prog: c.Name(), Args: args, Sub: sub, Rest: rest}
	if !p.downloads() || hasFlag(args, "-d", "--download-only", "-s", "--simulate", "--dry-run", "--just-print", "--no-act", "--recon") {
		return pkgCmd{}, false
	}
	return p, true
}

// copied records what a COPY or ADD does to apt's configuration.
func (cfg *aptConfig) copied(in *dockerfile.Instruction) {
	files, dirs, heredocs := copyWrites(in)
	for _, d := range dirs {
		if under(aptConfDir, d) {
			cfg.cleanGone, cfg.keep = true, true // content not known
		}
	}
	for _, file := range files {
		if file == dockerClean {
			cfg.cleanGone = true
		}
		if path.Dir(file) == aptConfDir {
			body, ok := heredocs[file]
			if !ok || setsTrue([]string{body}, keepSetting) {
				cfg.keep = true // a copied file may say anything
			}
		}
	}
}

// ran records what a command does to apt's configuration; texts are the
// words and heredocs of the RUN up to and including it.
func (cfg *aptConfig) ran(c *dockerfile.Command, e runEnv, texts []string) {
	for _, op := range fileOps(c, e) {
		switch {
		case op.Kind == opRemove && under(dockerClean, op.Path):
			cfg.cleanGone = true
		case (op.Kind == opWrite || op.Kind == opEdit) && op.Path == dockerClean:
			cfg.cleanGone = true
		}
		if op.Kind != opRemove && op.Kind != opMkdir && path.Dir(op.Path) == aptConfDir && setsTrue(texts, keepSetting) {
			cfg.keep = true
		}
	}
}

func reportDockerClean(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction, p pkgCmd, m *cacheMount, clean bool, first *dockerfile.Instruction) {
	cmd := pkgText(f, in, p.Cmd)
	var msg string
	if clean {
		msg = fmt.Sprintf("`%s` runs with a cache mount on %s, but the base image's %s deletes the downloaded packages after every install: the mount stays empty",
			cmd, m.Target, dockerClean)
	} else {
		msg = fmt.Sprintf("`%s` runs with a cache mount on %s, but the apt command deletes the packages it downloaded unless %s is \"true\": the mount stays empty",
			cmd, m.Target, keepSetting)
	}
	help := "add this step before the first RUN that installs with the apt cache mounted: " + keepCacheStep
	fix := analysis.SuggestedFix{Message: help}
	if first == in && newRunEnv(in, nil).isRoot() {
		fix.TextEdits = []analysis.TextEdit{insertLineBefore(f, in, keepCacheStep)}
	} else if first != in {
		fix.Message = fmt.Sprintf("the step that fixes the RUN on line %d fixes this one too: %s", first.StartLine, keepCacheStep)
	}
	pass.Report(analysis.Diagnostic{
		Pos:            p.Cmd.Args[0].Pos,
		End:            p.Cmd.Args[0].End,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{fix},
	})
}

// insertLineBefore is the edit that puts a line before an instruction,
// indented like it, with the file's line ending.
func insertLineBefore(f *dockerfile.File, in *dockerfile.Instruction, line string) analysis.TextEdit {
	start := f.Tok.LineStart(in.StartLine)
	text := f.Line(in.StartLine)
	indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
	eol := "\n"
	if off := f.Tok.Offset(start) + len(text); off < len(f.Src) && f.Src[off] == '\r' {
		eol = "\r\n"
	}
	return analysis.TextEdit{Pos: start, End: start, NewText: []byte(indent + line + eol)}
}

// checkMountSharing reports the apt and dnf cache mounts of a RUN that are
// shared with concurrent builds, once for the RUN.
func checkMountSharing(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction) {
	var bad []cacheMount
	var tools []string
	for _, m := range cacheMounts(in) {
		if m.Target == "" || (m.CacheSharing != "" && m.CacheSharing != instructions.MountSharingShared) {
			continue
		}
		for _, d := range lockedCacheDirs {
			if under(m.Target, d) {
				bad = append(bad, m)
				tool := "apt"
				if !strings.Contains(d, "apt") {
					tool = "dnf"
				}
				if !oneOf(tool, tools...) {
					tools = append(tools, tool)
				}
				break
			}
		}
	}
	if len(bad) == 0 {
		return
	}
	var targets []string
	var edits []analysis.TextEdit
	for _, m := range bad {
		targets = append(targets, m.Target)
		if e, ok := lockSharing(f, m); ok {
			edits = append(edits, e)
		}
	}
	noun, it, mount := "mount on "+targets[0]+" does", "it", "the mount"
	if len(targets) > 1 {
		noun, it, mount = "mounts on "+strings.Join(targets, " and ")+" do", "them", "the mounts"
	}
	msg := fmt.Sprintf("the cache %s not set sharing=locked: builds running at the same time share %s, and %s fails on its lock or reads half-written files",
		noun, it, strings.Join(tools, " and "))
	pos, end := bad[0].Flag.Pos, bad[0].Flag.End
	if !pos.IsValid() {
		pos, end = in.Pos, endOfFirstLine(f, in)
	}
	if len(edits) < len(bad) {
		edits = nil
	}
	pass.Report(analysis.Diagnostic{
		Pos:     pos,
		End:     end,
		Message: msg,
		SuggestedFixes: []analysis.SuggestedFix{{
			Message:   "add sharing=locked to " + mount + " (a second build then waits for the first)",
			TextEdits: edits,
		}},
	})
}

// lockSharing is the edit that makes a mount sharing=locked: it replaces
// the value of sharing= when the flag has one, else appends the option
// inside any closing quote.
func lockSharing(f *dockerfile.File, m cacheMount) (analysis.TextEdit, bool) {
	w := m.Flag
	if !w.Pos.IsValid() {
		return analysis.TextEdit{}, false
	}
	start, end := f.Tok.Offset(w.Pos), f.Tok.Offset(w.End)
	if end > len(f.Src) || string(f.Src[start:end]) != w.Text || strings.Contains(w.Text, "$") {
		return analysis.TextEdit{}, false // not contiguous in the file, or built from variables
	}
	lower := strings.ToLower(w.Text)
	if i := strings.LastIndex(lower, "sharing="); i >= 0 {
		vs := i + len("sharing=")
		ve := vs + strings.IndexAny(w.Text[vs:]+",", ",\"'")
		return analysis.TextEdit{Pos: w.Pos + token.Pos(vs), End: w.Pos + token.Pos(ve), NewText: []byte("locked")}, true
	}
	at := len(w.Text)
	if q := w.Text[at-1]; (q == '"' || q == '\'') && strings.IndexByte(w.Text, q) < at-1 {
		at--
	}
	return analysis.TextEdit{Pos: w.Pos + token.Pos(at), End: w.Pos + token.Pos(at), NewText: []byte(",sharing=locked")}, true
}
