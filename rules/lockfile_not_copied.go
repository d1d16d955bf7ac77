package rules

import (
	"cmp"
	"fmt"
	"path"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildcontext"
	"github.com/cachelint/cachelint/dockerfile"
)

// LockfileNotCopied flags a dependency manifest copied for an install
// without its lockfile.
var LockfileNotCopied = &analysis.Analyzer{
	Name: "lockfile_not_copied",
	Doc: `a dependency manifest is copied for an install without its lockfile

Why it matters for the cache: BuildKit re-runs an install only when the
files copied before it change. When "COPY package.json ./" comes before
"npm ci" but package-lock.json is not copied with it, a change to the
lockfile alone (a security update, a dependency bumped by a bot) does not
invalidate the install step: the cache keeps serving the old
dependencies. And the install never sees the lockfile, so it resolves the
versions afresh (or fails, when it needs the lockfile, as npm ci does).

Example:

    FROM node:22
    WORKDIR /app
    COPY package.json ./
    RUN npm ci
    COPY . .

Fix: copy the lockfile with the manifest (the suggested fix adds it to
the same COPY when that COPY copies into a directory):

    FROM node:22
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci
    COPY . .

The lockfile is the one the installing tool reads: package-lock.json or
npm-shrinkwrap.json for npm, yarn.lock for Yarn, pnpm-lock.yaml for pnpm,
bun.lock or bun.lockb for Bun, poetry.lock, uv.lock or pdm.lock for a
pyproject.toml installed by Poetry, uv or PDM, Pipfile.lock, go.sum,
Cargo.lock, Gemfile.lock and composer.lock. A COPY or bind mount of the
lockfile anywhere before the install counts, into the install's directory
or one above it (workspaces keep one lockfile at their root), and so do
globs that match it (COPY package*.json ./) and a copy of the whole
context or directory.

Reported only with evidence that the lockfile matters: the install runs in
lockfile mode (npm ci, yarn --frozen-lockfile or --immutable, pnpm
--frozen-lockfile or CI set, pnpm fetch, bun --frozen-lockfile, uv sync
--locked or --frozen, pipenv sync or --deploy, cargo --locked or
--frozen, bundle --frozen or --deployment or BUNDLE_FROZEN), or it
follows the lockfile when there is one (poetry install, composer
install), or the lockfile is in the build context beside the manifest
and not excluded by .dockerignore, or another COPY of the Dockerfile
names it. So a go.mod copied alone for a module without dependencies (no
go.sum) is not reported. When the build context holds the manifest but
no lockfile, the project has none (libraries often do not commit one):
only an install that needs one is reported then (it fails anyway), and
without an edit. Not reported either: pip, which has no lockfile of its
own; composer update and uv pip, which do not read the lockfile;
manifests copied from another stage; an install that runs after a
command of the same tool (poetry lock, npm install --package-lock-only)
or a command naming the lockfile (cp, mv) that may have written it;
installs in a directory that cannot be known. The fix adds the lockfile
only when its name is certain (found in the context or named by another
COPY, or the tool's only lockfile for an install that needs it) and the
COPY copies into a directory (its destination ends with a slash, or is
. or the WORKDIR); for a bind mount the help gives the mount to add.

Sources:
- https://docs.docker.com/build/cache/optimize/#order-your-layers
- https://docs.docker.com/build/cache/invalidation/
- https://docs.npmjs.com/cli/commands/npm-ci
- https://go.dev/ref/mod#go-sum-files`,
	URL:      docURL("lockfile-not-copied"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer, buildcontext.Analyzer},
	Run:      runLockfileNotCopied,
}

// noLockfileRule are tools whose lockfile a project has only when it
// asks for one (.NET's packages.lock.json), or whose lockfile this rule
// does not cover (Mix).
var noLockfileRule = map[string]bool{"dotnet": true, "mix": true}

func runLockfileNotCopied(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	ctx, _ := pass.ResultOf[buildcontext.Analyzer].(*buildcontext.Context)
	placedAt := placedCache()
	reported := map[string]bool{}
	for _, st := range f.Stages {
		chain := stageChain(st)
		for idx, in := range chain {
			if in.Run == nil {
				continue
			}
			for _, c := range in.Run.Commands {
				t, args := toolCommand(c)
				if t == nil || t.installs == nil || len(t.Lockfiles) == 0 || noLockfileRule[t.Name] {
					continue
				}
				a := t.withoutLeadingDirFlags(args)
				getenv := func(name string) (string, bool) { return c.Getenv(in, name) }
				if !t.installs(a, getenv) || (t.readsLock != nil && !t.readsLock(a)) {
					continue
				}
				s := lockSiteOf(chain, idx, c, t, args, placedAt)
				if s.manifest == nil || s.lock != nil || s.made {
					continue
				}
				use, _ := lockUseOf(s)
				lock := cmp.Or(lockInContext(ctx, s), lockNamedElsewhere(f, s, placedAt))
				sure := lock != ""
				if !sure && use == lockIgnored {
					continue
				}
				if !sure {
					// The context holds the manifest but no lockfile: the
					// project has none (a library, say). An install that
					// needs one fails anyway; one that only follows it is
					// right as it is.
					inContext := manifestInContext(ctx, s)
					if inContext && use != lockRequired {
						continue
					}
					lock = t.Lockfiles[0]
					// A wrong name would break the COPY: suggest one only
					// when it is the tool's only lockfile (or npm's usual
					// one) and the install fails without it anyway.
					sure = !inContext && use == lockRequired && (len(t.Lockfiles) == 1 || t.Name == "npm")
				}
				key := fmt.Sprintf("%d:%s", s.manifest.pos, lock)
				if reported[key] {
					continue
				}
				reported[key] = true
				reportLockfileNotCopied(pass, f, s, lock, sure)
			}
		}
	}
	return nil, nil
}

func reportLockfileNotCopied(pass *analysis.Pass, f *dockerfile.File, s lockSite, lock string, sure bool) {
	m := s.manifest
	install := commandText(f, s.in, s.cmd)
	var msg string
	switch {
	case m.in == s.in:
		msg = fmt.Sprintf("%s is bind-mounted without %s for `%s`", m.src, lock, install)
	case m.mount:
		msg = fmt.Sprintf("%s is bind-mounted without %s before `%s` on line %d", m.src, lock, install, f.Tok.Line(s.cmd.Pos))
	default:
		msg = fmt.Sprintf("%s is copied without %s before `%s` on line %d", m.src, lock, install, f.Tok.Line(s.cmd.Pos))
	}
	msg += ": the install does not see the lockfile, so it may resolve other versions, and a change to the lockfile alone does not re-run it"
	fix := analysis.SuggestedFix{}
	switch {
	case m.mount:
		fix.Message = fmt.Sprintf("bind-mount %s too: --mount=type=bind,source=%s,target=%s",
			lock, path.Join(path.Dir(m.ctxPath), lock), path.Join(m.dir, lock))
	case m.editable:
		fix.Message = fmt.Sprintf("copy %s with %s, in the same COPY", lock, m.src)
		if e, ok := addLockEdit(m, lock); ok && sure {
			fix.TextEdits = []analysis.TextEdit{e}
		}
	default:
		fix.Message = fmt.Sprintf("copy %s into %s before `%s`", lock, s.dir, install)
	}
	pass.Report(analysis.Diagnostic{
		Pos:            m.pos,
		End:            m.end,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{fix},
	})
}
