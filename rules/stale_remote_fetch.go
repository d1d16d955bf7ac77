package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// StaleRemoteFetch flags fetches of moving remote content: git clone of a
// branch, curl/wget of a "latest" URL, ADD of a Git branch.
var StaleRemoteFetch = &analysis.Analyzer{
	Name: "stale_remote_fetch",
	Doc: `a build step fetches a branch or a "latest" URL, which the cache freezes

Why it matters for the cache: BuildKit caches a RUN by its command text,
not by what the command downloads. A RUN that clones a branch or
downloads a URL such as .../releases/latest/download/tool keeps the
result of its first run for as long as the cache lives: new commits and
new releases are never seen until something above the step changes, and
then they arrive unannounced. Builders with different caches build
different images from the same Dockerfile. ADD of a Git repository is
checked against the remote on every build instead: each push to the
branch rebuilds the step and everything after it.

Example:

    FROM golang:1.24
    RUN git clone --depth 1 https://github.com/example/tool.git /src/tool
    RUN curl -fsSL https://github.com/example/cli/releases/latest/download/cli-linux-amd64 -o /usr/local/bin/cli

Fix: name what you fetch exactly. Clone a release tag or check out a
commit, and download a versioned URL, ideally verified with a checksum
(or use ADD --checksum). Resolving a branch to a commit needs the
network, so there is no automatic edit:

    FROM golang:1.24
    ARG TOOL_COMMIT=4f1c2a9e0b7d
    RUN git clone https://github.com/example/tool.git /src/tool \
     && git -C /src/tool checkout "$TOOL_COMMIT"
    ADD --checksum=sha256:8e1f...a2 https://github.com/example/cli/releases/download/v2.3.1/cli-linux-amd64 /usr/local/bin/cli

What is reported:

- git clone of a remote repository (https://, ssh://, git://, git@host:)
  with no --branch, or a --branch that looks like a branch, unless the
  same RUN then pins it with git checkout, git switch or git reset to a
  commit, a release tag or a build argument without a default;
- curl or wget of an http(s) URL with a path segment or query value
  that moves: latest or nightly anywhere in it (releases/latest/download,
  wordpress/latest.tar.gz, ?version=latest), or a branch name as a whole
  segment (raw.githubusercontent.com/org/repo/main/install.sh,
  archive/master.zip, HEAD), unless a path segment before it is a
  version or a commit (-/archive/2.1.0/tool-latest.tar.gz);
- ADD of a Git repository (https://host/repo.git, git@host:repo,
  ssh://, git://) with no ref or a branch ref, and no --checksum.

Not reported: a ref that is a commit hash (7 to 40 hex digits), a release
tag (v1.2, 1.2.3, jq-1.7.1, refs/tags/...), a --revision, a ref or URL
part that depends on a variable without a known value, and a local
clone. A ref that is a name and a two-part version (release-1.2,
openssl-3.0) is read as a maintenance branch.

Sources:
- https://docs.docker.com/build/cache/invalidation/#run-instructions
- https://docs.docker.com/reference/dockerfile/#adding-files-from-a-git-repository
- https://docs.docker.com/reference/dockerfile/#add---checksum
- https://git-scm.com/docs/git-clone`,
	URL:      docURL("stale-remote-fetch"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runStaleRemoteFetch,
}

func runStaleRemoteFetch(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	for _, in := range f.Instructions {
		switch {
		case in.Run != nil:
			checkRunFetches(pass, in)
		case in.Copy != nil && in.Copy.Add:
			checkAddGit(pass, f, in)
		}
	}
	return nil, nil
}

// checkAddGit reports ADD of a Git repository at a branch.
func checkAddGit(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction) {
	add, ok := in.Command.(*instructions.AddCommand)
	if !ok || add.Checksum != "" {
		return
	}
	for _, src := range in.Copy.Sources {
		value, _, ok := expandMarked(f, in.Env, src.Text)
		if !ok {
			continue
		}
		ref := gitSource(value)
		if ref == nil || ref.Checksum != "" {
			continue
		}
		var what string
		switch {
		case ref.Ref == "" && strings.Contains(value, unknownMark) && !strings.ContainsAny(value, "#?"):
			continue // the unknown part may carry a ref
		case ref.Ref == "":
			what = "its default branch"
		case classifyRef(ref.Ref) == refBranch:
			what = "branch " + strings.TrimPrefix(ref.Ref, "refs/heads/")
		default:
			continue
		}
		remote := displayURL(ref.Remote)
		pass.Report(analysis.Diagnostic{
			Pos: src.Pos,
			End: src.End,
			Message: fmt.Sprintf("ADD of Git repository %s at %s with no pinned commit: BuildKit checks the branch on every build, "+
				"and each push to it rebuilds this step and all later ones", remote, what),
			SuggestedFixes: []analysis.SuggestedFix{{
				Message: fmt.Sprintf("pin a commit: ADD --checksum=<commit> %s#<tag> ..., or %s#<commit>; `git ls-remote %s` lists the commits of its branches and tags",
					remote, remote, remote),
			}},
		})
	}
}

// checkRunFetches reports the git clones and downloads of a RUN that fetch
// something that moves.
func checkRunFetches(pass *analysis.Pass, in *dockerfile.Instruction) {
	cmds := in.Run.Commands
	for i, c := range cmds {
		name := c.Name()
		if name == "git" {
			checkGitClone(pass, cmds, i)
			continue
		}
		notFetched, ok := downloaders[name]
		if !ok {
			continue
		}
		for j := 1; j < len(c.Args); j++ {
			a := c.Args[j]
			if notFetched[c.Args[j-1].Value] {
				continue
			}
			u := markUnknown(a)
			if !isHTTPURL(u) {
				continue
			}
			moving := movingURLPart(u)
			if moving == "" {
				continue
			}
			pass.Report(analysis.Diagnostic{
				Pos: a.Pos,
				End: a.End,
				Message: fmt.Sprintf("%s of %s, a URL that moves (`%s` in it): the layer cache keeps the first download "+
					"and never sees a newer one until something above this RUN changes", name, displayURL(u), moving),
				SuggestedFixes: []analysis.SuggestedFix{{
					Message: "download a versioned URL (a release tag or a commit in the path) and verify it with sha256sum, " +
						"or use ADD --checksum=sha256:<digest> <url> <dest>",
				}},
			})
		}
	}
}

// gitInvocation is a git command split into its parts.
type gitInvocation struct {
	dir  string // the directory git works in ("" unknown)
	sub  string
	args []dockerfile.Arg // after the subcommand
}

// parseGit splits a git command into global options, subcommand and its
// arguments, following -C to the directory it works in.
func parseGit(c *dockerfile.Command) (gitInvocation, bool) {
	g := gitInvocation{dir: c.Dir}
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		v := a.Value
		switch {
		case !strings.HasPrefix(v, "-"):
			if !a.Lit {
				return g, false
			}
			g.sub, g.args = v, c.Args[i+1:]
			return g, true
		case v == "-C" && i+1 < len(c.Args):
			d := c.Args[i+1]
			if !d.Lit || g.dir == "" && !isAbs(d.Value) {
				g.dir = ""
			} else {
				g.dir = joinPath(g.dir, d.Value)
			}
			i++
		case v == "--git-dir" || v == "--work-tree" || strings.HasPrefix(v, "--git-dir=") || strings.HasPrefix(v, "--work-tree="):
			g.dir = "" // the repository is elsewhere: match any clone
			if !strings.Contains(v, "=") {
				i++
			}
		case gitGlobalFlagsWithValue[v]:
			i++
		}
	}
	return g, false
}

func joinPath(dir, p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	if isAbs(p) {
		return path.Clean(p)
	}
	return path.Join(dir, p)
}

// gitClone is what a git clone command fetches.
type gitClone struct {
	url      dockerfile.Arg
	branch   *dockerfile.Arg // --branch value
	revision bool            // --revision given
	dest     string          // absolute directory of the clone ("" unknown)
}

// parseClone reads the arguments of `git clone`.
func parseClone(g gitInvocation) (gitClone, bool) {
	var cl gitClone
	var ops []dockerfile.Arg
	args := g.args
	for i := 0; i < len(args); i++ {
		a := args[i]
		v := a.Value
		switch {
		case v == "--":
			ops = append(ops, args[i+1:]...)
			i = len(args)
		case v == "-b" || v == "--branch":
			if i+1 < len(args) {
				cl.branch = &args[i+1]
			}
			i++
		case strings.HasPrefix(v, "--branch="):
			b := a
			b.Value = strings.TrimPrefix(v, "--branch=")
			cl.branch = &b
		case strings.HasPrefix(v, "-b") && len(v) > 2 && !strings.HasPrefix(v, "--"):
			b := a
			b.Value = v[2:]
			cl.branch = &b
		case v == "--revision" || strings.HasPrefix(v, "--revision="):
			cl.revision = true
			if v == "--revision" {
				i++
			}
		case gitCloneFlagsWithValue[v]:
			i++
		case strings.HasPrefix(v, "-") && v != "-":
		default:
			ops = append(ops, a)
		}
	}
	if len(ops) == 0 {
		return cl, false
	}
	cl.url = ops[0]
	if g.dir != "" {
		switch {
		case len(ops) > 1 && ops[1].Lit:
			cl.dest = joinPath(g.dir, ops[1].Value)
		case len(ops) == 1 && ops[0].Lit:
			if base := humanishName(ops[0].Value); base != "" {
				cl.dest = path.Join(g.dir, base)
			}
		}
	}
	return cl, true
}

// humanishName is the directory git clone creates when none is given: the
// last part of the repository path without .git.
func humanishName(u string) string {
	u = strings.TrimRight(strings.TrimSuffix(strings.TrimRight(u, "/"), "/.git"), "/")
	if i := strings.LastIndexAny(u, "/:"); i >= 0 {
		u = u[i+1:]
	}
	return strings.TrimSuffix(u, ".git")
}

// isRemoteRepo reports whether a git clone source is a remote repository:
// a URL with a network scheme or an scp-like user@host:path, with the
// scheme or host literal.
func isRemoteRepo(u string) bool {
	if scheme, _, ok := strings.Cut(u, "://"); ok {
		switch strings.ToLower(scheme) {
		case "http", "https", "ssh", "git", "git+ssh", "ssh+git":
			return true
		}
		return false
	}
	at := strings.IndexByte(u, '@')
	colon := strings.IndexByte(u, ':')
	slash := strings.IndexByte(u, '/')
	return at > 0 && colon > at && (slash < 0 || slash > colon) && !strings.Contains(u[:colon], unknownMark)
}

// checkGitClone reports cmds[i] when it clones a branch of a remote
// repository that no later command of the RUN pins.
func checkGitClone(pass *analysis.Pass, cmds []*dockerfile.Command, i int) {
	g, ok := parseGit(cmds[i])
	if !ok || g.sub != "clone" {
		return
	}
	cl, ok := parseClone(g)
	if !ok || cl.revision {
		return
	}
	u := markUnknown(cl.url)
	if !isRemoteRepo(u) {
		return
	}
	what := "its default branch"
	if cl.branch != nil {
		b := markUnknown(*cl.branch)
		if classifyRef(b) != refBranch {
			return
		}
		what = "branch " + b
	}
	if pinnedLater(cmds[i+1:], cl.dest) {
		return
	}
	pass.Report(analysis.Diagnostic{
		Pos: cl.url.Pos,
		End: cl.url.End,
		Message: fmt.Sprintf("git clone of %s at %s with no pinned commit: the layer cache keeps the first clone "+
			"and never sees new commits until something above this RUN changes", displayURL(u), what),
		SuggestedFixes: []analysis.SuggestedFix{{
			Message: "clone a release tag (git clone --depth 1 --branch v1.2.3 ...) or check out a commit after cloning " +
				"(git -C <dir> checkout <commit>), with the tag or commit in a build argument",
		}},
	})
}

// pinnedLater reports whether one of cmds moves the clone in dest to a
// commit or a tag: git checkout, switch or reset to a ref that is not a
// branch. A command whose directory or the clone's is unknown counts.
func pinnedLater(cmds []*dockerfile.Command, dest string) bool {
	fetchedPin := false
	for _, c := range cmds {
		if c.Name() != "git" {
			continue
		}
		g, ok := parseGit(c)
		if !ok {
			continue
		}
		if dest != "" && g.dir != "" && g.dir != dest && !strings.HasPrefix(g.dir, dest+"/") {
			continue
		}
		if g.sub == "fetch" {
			// git fetch origin <commit> then git checkout FETCH_HEAD.
			ops := operandsOf(g.args, nil)
			for _, op := range ops[min(1, len(ops)):] {
				if classifyRef(markUnknown(op)) != refBranch {
					fetchedPin = true
				}
			}
			continue
		}
		valued, ok := gitRefFlagsWithValue[g.sub]
		if !ok {
			continue
		}
		for _, op := range operandsOf(g.args, valued) {
			ref := markUnknown(op)
			if ref == "FETCH_HEAD" {
				if fetchedPin {
					return true
				}
				continue
			}
			if classifyRef(ref) != refBranch {
				return true
			}
		}
	}
	return false
}

// operandsOf returns the operands of a git subcommand up to "--", skipping
// flags and the values of the flags in valued.
func operandsOf(args []dockerfile.Arg, valued map[string]bool) []dockerfile.Arg {
	var ops []dockerfile.Arg
	for i := 0; i < len(args); i++ {
		v := args[i].Value
		switch {
		case v == "--":
			return ops
		case valued[v]:
			i++
		case strings.HasPrefix(v, "-") && args[i].Lit:
		default:
			ops = append(ops, args[i])
		}
	}
	return ops
}
