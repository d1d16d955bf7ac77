package rules

import (
	"fmt"
	"go/token"
	"path"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// OSPackageCacheNotRetained flags apk, dnf/yum and zypper cache mounts
// that only ever hold metadata, because the package manager does not keep
// the packages it downloads.
var OSPackageCacheNotRetained = &analysis.Analyzer{
	Name: "os_package_cache_not_retained",
	Doc: `an apk, dnf, yum or zypper cache mount holds only metadata, because the package manager does not keep what it downloads

Why it matters for the cache: a cache mount saves downloads only if the
tool leaves its downloads in the mounted directory. apk keeps package
files only when /etc/apk/cache exists (usually a link to /var/cache/apk);
without it /var/cache/apk receives the index and nothing else. dnf and
yum delete the packages of a successful transaction unless keepcache is
on (it is off by default), and zypper keeps packages only for
repositories with keeppackages on. The mount then saves the index
download, but every package is downloaded again on every build.

Example:

    FROM alpine:3.20
    RUN --mount=type=cache,target=/var/cache/apk \
        apk add gcc musl-dev

    FROM fedora:41
    RUN --mount=type=cache,target=/var/cache/libdnf5,sharing=locked \
        dnf install -y gcc

Fix: for apk, mount /etc/apk/cache itself (the mount makes the directory
exist, so apk keeps the index and the packages there), or link it to the
mounted directory first (ln -s /var/cache/apk /etc/apk/cache); for dnf
and yum, turn keepcache on for the command (--setopt=keepcache=True) or
in /etc/dnf/dnf.conf (/etc/yum.conf for yum); for zypper, run
zypper modifyrepo --keep-packages --all in an earlier step. The
suggested fix changes an apk mount's target from /var/cache/apk to
/etc/apk/cache, and adds --setopt=keepcache=True after the dnf or yum
subcommand:

    FROM alpine:3.20
    RUN --mount=type=cache,target=/etc/apk/cache \
        apk add gcc musl-dev

    FROM fedora:41
    RUN --mount=type=cache,target=/var/cache/libdnf5,sharing=locked \
        dnf install --setopt=keepcache=True -y gcc

Retention counts as on when an earlier step of the stage, of a stage it
is built FROM, or an earlier command of the same RUN turns it on: a link
or directory at /etc/apk/cache (ln -s, mkdir, setup-apkcache, a COPY
there), apk --cache-dir on the command; keepcache=1/True written to
/etc/dnf/dnf.conf, /etc/yum.conf or a libdnf5.conf.d file (echo, tee,
sed -i, cat <<EOF, COPY <<EOF), dnf config-manager --setopt=keepcache=1;
zypper modifyrepo or addrepo with --keep-packages, keeppackages=1 written
under /etc/zypp. A directory copied over /etc counts too, as its content
cannot be seen. The base image is taken to keep the package manager's
defaults (the official alpine, fedora, centos, rockylinux, almalinux,
ubi and opensuse images do); a base image of your own that already
turns retention on is not seen. Not reported: apk add --no-cache (the cache is off on
purpose), dnf --cacheonly and zypper --download-only, commands that only
refresh the index (apk update, dnf makecache), Windows stages, and mounts
on a directory the image's release does not use: yum is dnf from Fedora 22
and Enterprise Linux 8 on (/var/cache/dnf), and dnf and yum are dnf5 from
Fedora 41 on (/var/cache/libdnf5), so a mount on /var/cache/yum or
/var/cache/dnf on fedora:42 holds nothing and keepcache would only keep
the packages in the layer (cache-mount-wrong-target reports it).

Sources:
- https://github.com/moby/buildkit/issues/1009
- https://wiki.alpinelinux.org/wiki/Local_APK_cache
- https://man.archlinux.org/man/dnf5-caching.7.en
- https://man.archlinux.org/man/dnf4.conf.5.en
- https://github.com/rpm-software-management/microdnf/pull/98`,
	URL:      docURL("os-package-cache-not-retained"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runOSPackageCacheNotRetained,
}

const (
	apkCacheLink   = "/etc/apk/cache"
	apkStaticCache = "/var/cache/apk"
	zyppCache      = "/var/cache/zypp"
)

// dnfConfFiles are the files where dnf and yum read keepcache.
var dnfConfFiles = []string{"/etc/dnf/dnf.conf", "/etc/yum.conf", "/etc/yum/yum.conf"}

// retention is what the steps so far did to turn package retention on.
type retention struct {
	apk, dnf, zypper bool
}

func runOSPackageCacheNotRetained(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	if !hasCacheMounts(f) {
		return nil, nil
	}
	reported := map[string]bool{}
	for _, s := range f.Stages {
		if IsWindows(s) {
			continue
		}
		var r retention
		for _, in := range stageChain(s) {
			if in.Copy != nil {
				r.copied(in)
				continue
			}
			if in.Run == nil {
				continue
			}
			mounts := cacheMounts(in)
			var soFar []string
			for _, c := range in.Run.Commands {
				soFar = append(soFar, texts(c)...)
				if p, ok := sysCommand(c); ok {
					if m, what := r.notRetained(in, p, mounts); m != nil {
						key := fmt.Sprintf("%d:%s", in.Pos, p.Tool.Name)
						if !reported[key] {
							reported[key] = true
							reportNotRetained(pass, f, in, p, m, what)
						}
					}
				}
				r.ran(c, newRunEnv(in, c), soFar)
			}
		}
	}
	return nil, nil
}

// sysCommand returns a command as an OS package manager command.
func sysCommand(c *dockerfile.Command) (pkgCmd, bool) {
	t, args := toolCommand(c)
	if t == nil || !t.System {
		return pkgCmd{}, false
	}
	sub, rest := sysSubcommand(t, args)
	return pkgCmd{Tool: t, Cmd: c, Prog: c.Name(), Args: args, Sub: sub, Rest: rest}, true
}

// notRetained returns the cache mount of a command that will hold only
// metadata, and the reason, or nil.
func (r retention) notRetained(in *dockerfile.Instruction, p pkgCmd, mounts []cacheMount) (*cacheMount, string) {
	covering := func(dirs ...string) *cacheMount { // the mount of the first dir that has one
		for _, d := range dirs {
			for i := range mounts {
				if mounts[i].covers(d) {
					return &mounts[i]
				}
			}
		}
		return nil
	}
	if !p.downloads() {
		return nil, ""
	}
	switch p.Tool.Name {
	case "apk":
		if r.apk || hasFlag(p.Args, p.Tool.NoCacheFlags...) || hasFlag(p.Args, "--cache-dir") || covering(apkCacheLink) != nil {
			return nil, ""
		}
		return covering(apkStaticCache), "apk keeps the packages it downloads only when " + apkCacheLink + " exists"
	case "dnf":
		if r.dnf || setsTrue(p.Args, "keepcache") || hasFlag(p.Args, "-C", "--cacheonly") || p.Prog == "tdnf" {
			return nil, ""
		}
		dirs, _ := dnfCache.dirs(newRunEnv(in, p.Cmd))
		return covering(dirs...), p.Prog + " deletes the packages of a successful transaction unless keepcache is on"
	case "zypper":
		if r.zypper || hasFlag(p.Args, "--download-only", "-d", "--keep-packages") {
			return nil, ""
		}
		return covering(zyppCache), "zypper keeps downloaded packages only for repositories with keeppackages on"
	}
	return nil, ""
}

// copied records what a COPY or ADD does to retention settings.
func (r *retention) copied(in *dockerfile.Instruction) {
	files, dirs, heredocs := copyWrites(in)
	for _, d := range dirs {
		r.apk = r.apk || under(apkCacheLink, d)
		r.dnf = r.dnf || under("/etc/dnf/dnf.conf", d) || under("/etc/yum.conf", d)
		r.zypper = r.zypper || under("/etc/zypp/repos.d", d)
	}
	for _, file := range files {
		body, isHeredoc := heredocs[file]
		r.apk = r.apk || under(file, apkCacheLink)
		if isDNFConf(file) && (!isHeredoc || setsTrue([]string{body}, "keepcache")) {
			r.dnf = true
		}
		if under(file, "/etc/zypp") && (!isHeredoc || setsTrue([]string{body}, "keeppackages")) {
			r.zypper = true
		}
	}
}

func isDNFConf(file string) bool {
	return oneOf(file, dnfConfFiles...) || path.Dir(file) == "/etc/dnf/libdnf5.conf.d"
}

// ran records what a command does to retention settings; texts are the
// words and heredocs of the RUN up to and including it.
func (r *retention) ran(c *dockerfile.Command, e runEnv, texts []string) {
	for _, op := range fileOps(c, e) {
		switch op.Kind {
		case opWrite, opMkdir:
			r.apk = r.apk || under(op.Path, apkCacheLink)
		}
		if op.Kind == opRemove || op.Kind == opMkdir {
			continue
		}
		r.dnf = r.dnf || isDNFConf(op.Path) && setsTrue(texts, "keepcache")
		r.zypper = r.zypper || under(op.Path, "/etc/zypp") && setsTrue(texts, "keeppackages")
	}
	switch name := c.Name(); name {
	case "setup-apkcache":
		r.apk = true
	case "yum-config-manager", "dnf-config-manager", "crudini":
		r.dnf = r.dnf || setsTrue([]string{strings.Join(c.Argv(), " ")}, "keepcache")
	}
	if p, ok := sysCommand(c); ok {
		switch {
		case p.Tool.Name == "dnf" && p.Sub == "config-manager":
			r.dnf = r.dnf || setsTrue(p.Args, "keepcache")
		case p.Tool.Name == "zypper" && oneOf(p.Sub, "modifyrepo", "mr", "addrepo", "ar"):
			r.zypper = r.zypper || hasFlag(p.Rest, "-k", "--keep-packages")
		}
	}
}

func reportNotRetained(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction, p pkgCmd, m *cacheMount, why string) {
	cmd := pkgText(f, in, p.Cmd)
	msg := fmt.Sprintf("`%s` runs with a cache mount on %s, but %s: the mount caches only the metadata, and every package is downloaded again",
		cmd, m.Target, why)
	fix := analysis.SuggestedFix{}
	switch p.Tool.Name {
	case "apk":
		fix.Message = "mount " + apkCacheLink + " instead (apk then keeps the index and the packages there), or run `ln -s " + apkStaticCache + " " + apkCacheLink + "` first"
		if e, ok := retargetMount(f, m, apkStaticCache, apkCacheLink); ok {
			fix.TextEdits = []analysis.TextEdit{e}
		}
	case "dnf":
		fix.Message = "add --setopt=keepcache=True to the command, or set keepcache=True in " + dnfConfFile(p.Prog) + " in an earlier step"
		if e, ok := insertAfterSubcommand(f, in, p, " --setopt=keepcache=True"); ok {
			fix.TextEdits = []analysis.TextEdit{e}
		}
	case "zypper":
		fix.Message = "turn keeppackages on in an earlier step: RUN zypper modifyrepo --keep-packages --all"
	}
	pass.Report(analysis.Diagnostic{
		Pos:            p.Cmd.Args[0].Pos,
		End:            p.Cmd.Args[0].End,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{fix},
	})
}

func dnfConfFile(prog string) string {
	if prog == "yum" {
		return "/etc/yum.conf"
	}
	return "/etc/dnf/dnf.conf"
}

// retargetMount is the edit that changes a mount's target from one
// directory to another, when the flag names it literally.
func retargetMount(f *dockerfile.File, m *cacheMount, from, to string) (analysis.TextEdit, bool) {
	w := m.Flag
	if m.Target != from || !w.Pos.IsValid() {
		return analysis.TextEdit{}, false
	}
	start, end := f.Tok.Offset(w.Pos), f.Tok.Offset(w.End)
	if end > len(f.Src) || string(f.Src[start:end]) != w.Text {
		return analysis.TextEdit{}, false
	}
	text := strings.TrimPrefix(w.Text, "--")
	base := len(w.Text) - len(text)
	if i := strings.IndexByte(text, '='); i >= 0 {
		base += i + 1
		text = text[i+1:]
	}
	off := 0
	for _, field := range strings.Split(text, ",") {
		fs := off
		off += len(field) + 1
		k, v, ok := strings.Cut(strings.Trim(field, `"'`), "=")
		if !ok || !oneOf(strings.ToLower(k), "target", "dst", "destination") {
			continue
		}
		lead := strings.Index(field, v)
		if path.Clean(v) != from || lead < 0 || strings.ContainsAny(v, `"'`) {
			return analysis.TextEdit{}, false
		}
		vs := base + fs + lead
		return analysis.TextEdit{Pos: w.Pos + token.Pos(vs), End: w.Pos + token.Pos(vs+len(v)), NewText: []byte(to)}, true
	}
	return analysis.TextEdit{}, false
}

// insertAfterSubcommand is the edit that adds text right after the
// subcommand word of a shell-form command (dnf install, dnf group
// install).
func insertAfterSubcommand(f *dockerfile.File, in *dockerfile.Instruction, p pkgCmd, text string) (analysis.TextEdit, bool) {
	if in.Run.Exec || p.Sub == "" {
		return analysis.TextEdit{}, false
	}
	rest := p.Rest
	if g := p.groupSub(); g != "" {
		_, rest = sysSubcommand(p.Tool, p.Rest)
	}
	i := len(p.Cmd.Args) - len(rest) - 1
	if i <= 0 {
		return analysis.TextEdit{}, false
	}
	a := p.Cmd.Args[i]
	start, end := f.Tok.Offset(a.Pos), f.Tok.Offset(a.End)
	if !a.Lit || end > len(f.Src) || string(f.Src[start:end]) != a.Value {
		return analysis.TextEdit{}, false
	}
	return analysis.TextEdit{Pos: a.End, End: a.End, NewText: []byte(text)}, true
}
