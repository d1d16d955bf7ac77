package rules

import (
	"fmt"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// PackageUpgrade flags upgrades of every installed OS package in a RUN.
var PackageUpgrade = &analysis.Analyzer{
	Name: "package_upgrade",
	Doc: `a RUN upgrades every installed OS package, and the layer cache freezes the result

Why it matters for the cache: BuildKit keys a RUN on its command text and
the steps before it, not on what the command fetches. "apt-get upgrade"
is run once, when the step is first built; after that the cached layer
is reused, with whatever versions were current that day, until
something above the step changes. So the step gives no freshness on a
cached build, and when something above does change, the step suddenly
pulls every update published since, and two builds of the same
Dockerfile get different packages.

Example:

    FROM debian:bookworm
    RUN apt-get update && apt-get upgrade -y && apt-get install -y curl

Fix: take updates from the base image: pull a newer base (pin it by
digest and let a bot such as Renovate or Dependabot bump the digest, so
each update is a visible change that invalidates the cache on purpose),
or upgrade the packages you need by name:

    FROM debian:bookworm@sha256:...
    RUN apt-get update && apt-get install -y curl

If the image must carry the latest updates, rebuild it on a schedule
with --no-cache (or --no-cache-filter for the stage): the layer cache
keeps this step's result until something above it changes.

Reported: apt-get, apt and aptitude upgrade, dist-upgrade, full-upgrade
and safe-upgrade (apt-get upgrade upgrades everything even when it names
packages), unless apt reads a dated archive snapshot (--snapshot); apk upgrade without package names; dnf, yum, microdnf and
dnf5 upgrade, update, upgrade-minimal and distro-sync without package
names; zypper update without package names, dist-upgrade and patch. Not
reported: upgrades of named packages (apk upgrade musl, dnf update
openssl, apt-get install --only-upgrade openssl), and Windows stages.

Sources:
- https://docs.docker.com/reference/dockerfile/#cache-invalidation-for-run-instructions
- https://docs.docker.com/build/cache/invalidation/#run-instructions
- https://docs.docker.com/build/building/best-practices/#apt-get`,
	URL:      docURL("package-upgrade"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runPackageUpgrade,
}

func runPackageUpgrade(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	for _, s := range f.Stages {
		if IsWindows(s) {
			continue
		}
		for _, in := range s.Instructions {
			for _, p := range pkgCommands(in) {
				if !p.upgradesAll() || p.Tool.Name == "apt" && hasFlag(p.Args, "--snapshot", "-S") {
					continue
				}
				what := "upgrades every installed package"
				if p.Tool.Name == "apt" && len(sysOperands(p.Tool, p.Rest)) > 0 {
					what = "upgrades every installed package (naming packages does not limit it; install --only-upgrade does)"
				}
				pass.Report(analysis.Diagnostic{
					Pos: p.Cmd.Args[0].Pos,
					End: p.Cmd.Args[0].End,
					Message: fmt.Sprintf("`%s` %s: the layer cache keeps what was current when this step was built, until something above it changes",
						pkgText(f, in, p.Cmd), what),
					SuggestedFixes: []analysis.SuggestedFix{{
						Message: "take updates from the base image instead (pull a newer base, or pin its digest and let Renovate bump it), or upgrade named packages; " +
							"this step only re-runs when something above it changes or on a build with --no-cache",
					}},
				})
			}
		}
	}
	return nil, nil
}
