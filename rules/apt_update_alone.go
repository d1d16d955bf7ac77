package rules

import (
	"fmt"
	"slices"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// AptUpdateAlone flags a package index refresh that runs in a RUN of its
// own while a later RUN installs from that index.
var AptUpdateAlone = &analysis.Analyzer{
	Name: "apt_update_alone",
	Doc: `the package index is refreshed in a RUN of its own, and a later RUN installs from it

Why it matters for the cache: BuildKit keys a RUN on its command text and
the steps before it, not on what it downloads. "RUN apt-get update" is
run once and then served from the layer cache, with the package lists of
the day it was built, for as long as nothing above it changes. A later
"RUN apt-get install" that changes (one more package) re-runs against
those old lists: it installs outdated versions, or fails with 404 errors
once the mirror has dropped the versions the lists name. The same holds
for apk update and for dnf or yum makecache.

Example:

    FROM debian:bookworm
    RUN apt-get update
    RUN apt-get install -y --no-install-recommends curl

Fix: refresh and install in the same RUN, so the lists are always as new
as the install that uses them:

    FROM debian:bookworm
    RUN apt-get update && apt-get install -y --no-install-recommends curl

There is no suggested edit: merging two steps changes the layers and
what later steps see, which is for the author to decide.

Reported: apt-get, apt and aptitude update; apk update; dnf, yum,
microdnf and dnf5 makecache and check-update; each alone in a RUN (no
install or upgrade with the same package manager in that RUN) when a
later RUN of the stage, or of a stage built FROM it, installs with that
manager, naming that RUN's line. Not reported: an update with no install
after it; a later install that refreshes the index itself (an update
earlier in its own RUN, apt install --update, apk add --update or
--no-cache, dnf --refresh);
update and install on separate lines of one heredoc RUN (that is one
RUN). Cache mounts on /var/lib/apt do not help: the update step is still
served from the layer cache and does not run again. zypper refresh is
not checked.

Sources:
- https://docs.docker.com/build/building/best-practices/#apt-get
- https://docs.docker.com/reference/dockerfile/#cache-invalidation-for-run-instructions`,
	URL:      docURL("apt-update-alone"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runAptUpdateAlone,
}

// indexName is what each package manager's refresh fetches, for messages.
var indexName = map[string]string{"apt": "package lists", "apk": "package index", "dnf": "repository metadata"}

func runAptUpdateAlone(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	reported := map[*dockerfile.Command]bool{}
	for _, s := range f.Stages {
		if IsWindows(s) {
			continue
		}
		chain := stageChain(s)
		for i, in := range chain {
			for _, upd := range loneRefreshes(in) {
				if reported[upd.Cmd] {
					continue
				}
				later, ok := nextInstall(chain[i+1:], upd.Tool)
				if !ok {
					continue
				}
				reported[upd.Cmd] = true
				reportUpdateAlone(pass, f, in, upd, later)
			}
		}
	}
	return nil, nil
}

// loneRefreshes returns the first index refresh of each package manager
// that refreshes in this RUN without installing anything with it.
func loneRefreshes(in *dockerfile.Instruction) []pkgCmd {
	cmds := pkgCommands(in)
	var out []pkgCmd
	seen := map[*Tool]bool{}
	for _, p := range cmds {
		if indexName[p.Tool.Name] == "" || !p.refreshes() || seen[p.Tool] {
			continue
		}
		seen[p.Tool] = true
		if !slices.ContainsFunc(cmds, func(q pkgCmd) bool { return q.Tool == p.Tool && q.downloads() }) {
			out = append(out, p)
		}
	}
	return out
}

// later is an install found after a lone refresh.
type later struct {
	in *dockerfile.Instruction
	p  pkgCmd
}

// nextInstall finds the first RUN of rest that installs with tool t. ok is
// false when there is none or when that RUN refreshes the index itself.
func nextInstall(rest []*dockerfile.Instruction, t *Tool) (later, bool) {
	for _, in := range rest {
		refreshed := false
		for _, p := range pkgCommands(in) {
			if p.Tool != t {
				continue
			}
			if p.refreshes() {
				refreshed = true
				continue
			}
			if !p.downloads() {
				continue
			}
			if refreshed || refreshesItself(p) {
				return later{}, false
			}
			return later{in, p}, true
		}
	}
	return later{}, false
}

// refreshesItself reports whether an install fetches a fresh index on its
// own: apk add --update or --no-cache, dnf --refresh.
func refreshesItself(p pkgCmd) bool {
	switch p.Tool.Name {
	case "apt":
		return hasFlag(p.Args, "--update") // apt 3: apt install --update
	case "apk":
		return hasFlag(p.Args, "-U", "--update", "--update-cache", "--no-cache")
	case "dnf":
		return hasFlag(p.Args, "--refresh")
	}
	return false
}

func reportUpdateAlone(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction, upd pkgCmd, l later) {
	update, install := pkgText(f, in, upd.Cmd), pkgText(f, l.in, l.p.Cmd)
	index := indexName[upd.Tool.Name]
	msg := fmt.Sprintf("`%s` runs in a RUN of its own, and `%s` on line %d installs from the %s it fetched: the layer cache keeps them as they were when this step was built, so the install gets outdated versions or fails once the mirror drops them",
		update, install, f.Tok.Line(l.p.Cmd.Pos), index)
	pass.Report(analysis.Diagnostic{
		Pos:     upd.Cmd.Args[0].Pos,
		End:     upd.Cmd.Args[0].End,
		Message: msg,
		SuggestedFixes: []analysis.SuggestedFix{{
			Message: fmt.Sprintf("refresh and install in the same RUN (`%s && %s`) and drop this step", update, install),
		}},
	})
}
