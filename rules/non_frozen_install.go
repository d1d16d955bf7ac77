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

// NonFrozenInstall flags installs that may rewrite the lockfile they
// were given.
var NonFrozenInstall = &analysis.Analyzer{
	Name: "non_frozen_install",
	Doc: `the lockfile is present but the install may rewrite it

Why it matters for the cache: the install step is cached on the
manifest and the lockfile copied before it, so the lockfile is meant to
decide what the cached layer holds. An install that may rewrite the
lockfile (npm install, yarn install or pnpm install without a frozen
lockfile, bundle install outside frozen mode) resolves again whenever
the lockfile no longer matches the manifest and quietly installs other
versions than it names; composer update and poetry lock resolve again
every time. Then the same inputs give different layers from one cache
miss to the next, and the image is not what was tested.

Example:

    FROM node:22
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm install

Fix: install exactly what the lockfile pins, and fail when it is out of
date (the suggested fix makes the change for npm, Yarn, pnpm and
composer update):

    FROM node:22
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci

- npm install: use npm ci.
- yarn install: add --frozen-lockfile (Yarn 1) or --immutable (Yarn 2 and
  later). The fix adds --immutable when the Dockerfile shows Yarn 2 or
  later (a .yarnrc.yml in the context or copied, yarn set version,
  corepack with yarn@2 or later), and --frozen-lockfile otherwise, which
  Yarn 2 and later still accept.
- pnpm install: add --frozen-lockfile (the default when CI is set).
- bundle install: set BUNDLE_FROZEN=true, or run
  "bundle config set frozen true" first. Gemfile.lock must then list the
  image's platform (bundle lock --add-platform x86_64-linux).
- composer update: use composer install.
- poetry lock: drop it; commit an up-to-date poetry.lock, which poetry
  install follows (and refuses when it no longer matches pyproject.toml).

Reported only when the lockfile is present: copied (or bind-mounted)
before the install, by name, or by a glob or a whole-context COPY when
the build context holds it, or, for an install that reads it, in the build
context beside a manifest copied without it (then lockfile-not-copied
reports the COPY too, and the fix here is given only when that rule's fix
adds the lockfile). Not
reported: installs frozen by a flag, by YARN_ENABLE_IMMUTABLE_INSTALLS,
npm_config_frozen_lockfile, BUNDLE_FROZEN or BUNDLE_DEPLOYMENT, or for
pnpm and Yarn by CI set with ENV or ARG (a variable whose value is not
known counts as set); installs that turn it off on purpose
(--no-frozen-lockfile, YARN_ENABLE_IMMUTABLE_INSTALLS=false); npm install
with package names, --no-package-lock or --package-lock-only; composer
update of named packages; poetry lock --check; offline installs (pnpm
install --offline after pnpm fetch), which can only install what was
fetched for the lockfile.

Sources:
- https://docs.npmjs.com/cli/commands/npm-ci
- https://classic.yarnpkg.com/en/docs/cli/install#toc-yarn-install-frozen-lockfile
- https://yarnpkg.com/cli/install
- https://pnpm.io/cli/install#--frozen-lockfile
- https://bundler.io/man/bundle-config.1.html
- https://getcomposer.org/doc/01-basic-usage.md#installing-with-composer-lock
- https://python-poetry.org/docs/cli/#lock`,
	URL:      docURL("non-frozen-install"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer, buildcontext.Analyzer},
	Run:      runNonFrozenInstall,
}

// frozenAdvice is what non-frozen-install says about one tool: why its
// command may change the lockfile, and what to do instead.
type frozenAdvice struct {
	why, help string
}

var frozenAdvices = map[string]frozenAdvice{
	"npm":      {"may update %s instead of installing exactly what it pins", "use `npm ci`: it installs %s as is and fails when it no longer matches package.json"},
	"yarn":     {"without --frozen-lockfile may update %s instead of installing exactly what it pins", "add --frozen-lockfile (Yarn 1) or --immutable (Yarn 2 and later): the install then fails instead of changing %s"},
	"pnpm":     {"without --frozen-lockfile may update %s instead of installing exactly what it pins", "add --frozen-lockfile (or set ENV CI=true): the install then fails instead of changing %s"},
	"bundler":  {"outside frozen mode may update %s instead of installing exactly what it pins", "set ENV BUNDLE_FROZEN=true, or run `bundle config set frozen true` before it, so that a stale %s fails the build; the lockfile must list the image's platform (bundle lock --add-platform)"},
	"composer": {"ignores %s and resolves every dependency again", "use `composer install`, which installs %s as is; run composer update outside the image and commit the lockfile"},
	"poetry":   {"writes %s again at build time", "drop `poetry lock`: commit an up-to-date %s, which `poetry install` follows and refuses when it no longer matches pyproject.toml"},
}

// composerUpdateOnly are composer update options that composer install
// does not take: with one of them there is no edit.
var composerUpdateOnly = []string{"--with", "-w", "--with-dependencies", "-W", "--with-all-dependencies",
	"--prefer-stable", "--prefer-lowest", "--minimal-changes", "-m", "--patch-only", "--root-reqs",
	"-i", "--interactive", "--bump-after-update", "--no-install", "--dev", "--no-suggest"}

func runNonFrozenInstall(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	ctx, _ := pass.ResultOf[buildcontext.Analyzer].(*buildcontext.Context)
	placedAt := placedCache()
	reported := map[token.Pos]bool{}
	for _, st := range f.Stages {
		chain := stageChain(st)
		for idx, in := range chain {
			if in.Run == nil {
				continue
			}
			for _, c := range in.Run.Commands {
				if reported[c.Pos] {
					continue
				}
				t, args := toolCommand(c)
				if t == nil || t.relocks == nil || frozenAdvices[t.Name].why == "" {
					continue
				}
				a := t.withoutLeadingDirFlags(args)
				if !t.relocks(a) || hasFlag(a, t.Offline...) {
					continue // offline, it can only install what was fetched for the lockfile
				}
				s := lockSiteOf(chain, idx, c, t, args, placedAt)
				if s.dir == "" || frozenBefore(chain, idx, c, t) {
					continue
				}
				if use, unknown := lockUseOf(s); use == lockRequired || unknown || optedOut(s) {
					continue
				}
				lock, edit := presentLock(ctx, s)
				if lock == "" {
					continue
				}
				reported[c.Pos] = true
				reportNonFrozenInstall(pass, f, ctx, chain, idx, s, lock, edit, placedAt)
			}
		}
	}
	return nil, nil
}

// frozenBefore reports whether a command before c in the stage turned
// lockfile mode on (bundle config set frozen true).
func frozenBefore(chain []*dockerfile.Instruction, idx int, c *dockerfile.Command, t *Tool) bool {
	if t.freezes == nil {
		return false
	}
	for i := 0; i <= idx; i++ {
		if chain[i].Run == nil {
			continue
		}
		for _, o := range chain[i].Run.Commands {
			if o == c {
				return false
			}
			if ot, oargs := toolCommand(o); ot == t && t.freezes(t.withoutLeadingDirFlags(oargs)) {
				return true
			}
		}
	}
	return false
}

// presentLock returns the lockfile the install has, "" when it has none
// or that cannot be known; safe is set when replacing the install by a
// frozen one keeps the build working (the lockfile is surely in place,
// or lockfile-not-copied's fix puts it there).
func presentLock(ctx *buildcontext.Context, s lockSite) (string, bool) {
	if pl := s.lock; pl != nil {
		switch {
		case !pl.known:
			return "", false
		case pl.tree:
			if !pl.ctx || pl.dir == "" {
				return "", false
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(s.dir, pl.dir), "/")
			for _, d := range ancestors(rel) {
				for _, l := range s.tool.Lockfiles {
					if ctx.Sent(path.Join(pl.ctxPath, d, l)) {
						return l, true
					}
				}
			}
			return "", false
		case strings.ContainsAny(pl.name, "*?["):
			if !pl.ctx {
				return "", false
			}
			for _, l := range s.tool.Lockfiles {
				if matchName(pl.name, l) && ctx.Sent(path.Join(path.Dir(pl.ctxPath), l)) {
					return l, true
				}
			}
			return "", false
		case s.lockName != "":
			return s.lockName, true
		}
		return "", false
	}
	// The manifest was copied alone, but its lockfile is in the context:
	// an install that would read it, had it been copied, counts (not
	// composer update or poetry lock, which make a new one anyway).
	t, getenv := s.tool, func(name string) (string, bool) { return s.cmd.Getenv(s.in, name) }
	if s.manifest == nil || s.made || t.installs == nil || !t.installs(s.args, getenv) || t.readsLock != nil && !t.readsLock(s.args) {
		return "", false
	}
	l := lockInContext(ctx, s)
	if l == "" {
		return "", false
	}
	_, fixable := addLockEdit(s.manifest, l)
	return l, fixable
}

func reportNonFrozenInstall(pass *analysis.Pass, f *dockerfile.File, ctx *buildcontext.Context, chain []*dockerfile.Instruction, idx int, s lockSite, lock string, safe bool, placedAt func(*dockerfile.Instruction) []placed) {
	adv := frozenAdvices[s.tool.Name]
	install := commandText(f, s.in, s.cmd)
	fix := analysis.SuggestedFix{Message: fmt.Sprintf(adv.help, lock)}
	if safe {
		fix.TextEdits = frozenEdits(f, ctx, chain, idx, s, placedAt)
	}
	pass.Report(analysis.Diagnostic{
		Pos:            s.cmd.Pos,
		End:            s.cmd.End,
		Message:        fmt.Sprintf("`%s` %s: the image can get other versions than the lockfile names", install, fmt.Sprintf(adv.why, lock)),
		SuggestedFixes: []analysis.SuggestedFix{fix},
	})
}

// frozenEdits are the edits that make the install frozen, when they are
// mechanical.
func frozenEdits(f *dockerfile.File, ctx *buildcontext.Context, chain []*dockerfile.Instruction, idx int, s lockSite, placedAt func(*dockerfile.Instruction) []placed) []analysis.TextEdit {
	c := s.cmd
	sub := subcommandArg(s.tool, c)
	switch s.tool.Name {
	case "npm":
		if sub < 0 {
			return nil
		}
		return replaceArg(f, s.in, c, sub, "ci")
	case "composer":
		if sub < 0 || hasFlag(s.args, composerUpdateOnly...) {
			return nil
		}
		return replaceArg(f, s.in, c, sub, "install")
	case "yarn":
		flag := "--frozen-lockfile"
		if yarnBerry(ctx, chain, idx, s, placedAt) {
			flag = "--immutable"
		}
		if sub < 0 {
			_, args := toolCommand(c)
			sub = len(c.Args) - len(args) - 1 // bare yarn: after the program
		}
		return insertArg(f, s.in, c, sub, flag)
	case "pnpm":
		if sub < 0 {
			return nil
		}
		return insertArg(f, s.in, c, sub, "--frozen-lockfile")
	}
	return nil
}

// subcommandArg is the index in c.Args of the tool's subcommand (the
// first operand after the program, past leading DirFlags), or -1.
func subcommandArg(t *Tool, c *dockerfile.Command) int {
	_, args := toolCommand(c)
	start := len(c.Args) - len(args)
	for i := start; i < len(c.Args); i++ {
		a := c.Args[i].Value
		switch {
		case !strings.HasPrefix(a, "-"):
			return i
		case strings.Contains(a, "="):
		case slices.Contains(t.DirFlags, a):
			i++ // and its value
		}
	}
	return -1
}

// asWritten reports whether the source text of c.Args[i] is the
// argument exactly (so that an edit there is safe): a plain or
// single-quoted shell word, or a string of an exec-form RUN.
func asWritten(f *dockerfile.File, c *dockerfile.Command, i int) bool {
	a := c.Args[i]
	start, end := f.Tok.Offset(a.Pos), f.Tok.Offset(a.End)
	return a.Lit && start >= 0 && end <= len(f.Src) && start < end && string(f.Src[start:end]) == a.Value
}

// execWord reports whether c.Args[i] is a JSON string of an exec-form
// RUN (rather than a word of a script inside one).
func execWord(f *dockerfile.File, in *dockerfile.Instruction, c *dockerfile.Command, i int) bool {
	if !in.Run.Exec || len(c.Args) < 2 {
		return false
	}
	// Exec-form strings are separated by a comma; script words by blanks.
	j := i - 1
	if i == 0 {
		j = 0
	}
	from, to := f.Tok.Offset(c.Args[j].End), f.Tok.Offset(c.Args[j+1].Pos)
	return from <= to && strings.Contains(string(f.Src[from:to]), ",")
}

// replaceArg replaces c.Args[i] with text.
func replaceArg(f *dockerfile.File, in *dockerfile.Instruction, c *dockerfile.Command, i int, text string) []analysis.TextEdit {
	if !asWritten(f, c, i) || in.Run.Exec && !execWord(f, in, c, i) {
		return nil
	}
	return []analysis.TextEdit{{Pos: c.Args[i].Pos, End: c.Args[i].End, NewText: []byte(text)}}
}

// insertArg inserts arg after c.Args[i].
func insertArg(f *dockerfile.File, in *dockerfile.Instruction, c *dockerfile.Command, i int, arg string) []analysis.TextEdit {
	if !asWritten(f, c, i) {
		return nil
	}
	text := " " + arg
	if in.Run.Exec {
		if !execWord(f, in, c, i) {
			return nil
		}
		text = `", "` + arg
	}
	return []analysis.TextEdit{{Pos: c.Args[i].End, End: c.Args[i].End, NewText: []byte(text)}}
}

// yarnBerry reports whether the install runs Yarn 2 or later: a
// .yarnrc.yml in the context beside the manifest or copied before, a
// `yarn set version` to a version after 1, or corepack preparing one.
func yarnBerry(ctx *buildcontext.Context, chain []*dockerfile.Instruction, idx int, s lockSite, placedAt func(*dockerfile.Instruction) []placed) bool {
	if s.manifest != nil && ctx.Sent(path.Join(path.Dir(s.manifest.ctxPath), ".yarnrc.yml")) {
		return true
	}
	for i := 0; i <= idx; i++ {
		for _, pl := range placedAt(chain[i]) {
			if pl.known && !pl.tree && pl.name == ".yarnrc.yml" || pl.known && pl.tree && pl.ctxPath == ".yarn" {
				return true
			}
		}
		if chain[i].Run == nil {
			continue
		}
		for _, o := range chain[i].Run.Commands {
			if o == s.cmd {
				break
			}
			argv := o.Argv()
			switch o.Name() {
			case "yarn":
				sub, rest := subcommand(argv[1:])
				if sub == "set" || sub == "policies" {
					if v, _ := subcommand(rest); v == "version" || v == "set-version" {
						_, rest = subcommand(rest)
						if berryVersion(firstOperand(rest, nil)) {
							return true
						}
					}
				}
			case "corepack":
				sub, rest := subcommand(argv[1:])
				if oneOf(sub, "prepare", "use", "install") {
					for _, op := range operands(rest) {
						if v, ok := strings.CutPrefix(op, "yarn@"); ok && berryVersion(v) {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// berryVersion reports whether a Yarn version or tag names Yarn 2 or
// later.
func berryVersion(v string) bool {
	switch v {
	case "", "classic", "1", "latest":
		return false
	case "berry", "stable", "canary":
		return true
	}
	return v[0] >= '2' && v[0] <= '9'
}
