package rules

import (
	"fmt"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// CleanupDefeatsCacheMount flags a RUN that mounts a tool's cache and
// turns the cache off or wipes it.
var CleanupDefeatsCacheMount = &analysis.Analyzer{
	Name: "cleanup_defeats_cache_mount",
	Doc: `a RUN mounts a tool's cache and also turns that cache off or wipes it

Why it matters for the cache: a cache mount keeps a tool's download cache
on the builder from one build to the next, outside the image. Turning the
cache off in the same step (pip --no-cache-dir, PIP_NO_CACHE_DIR=1, apk
add --no-cache, uv --no-cache) leaves the mount empty, and wiping it (npm
cache clean, apt-get clean, go clean -modcache, rm -rf of the mounted
directory) throws away what the next build would have reused. Either way
the mount gives nothing, and the cleanup shrinks nothing: what is in a
cache mount never reaches the image.

Example:

    FROM python:3.12
    RUN --mount=type=cache,target=/root/.cache/pip \
        pip install --no-cache-dir -r requirements.txt

Fix: keep the mount and drop what turns the cache off or wipes it (the
suggested fix deletes a flag that turns the cache off):

    FROM python:3.12
    RUN --mount=type=cache,target=/root/.cache/pip \
        pip install -r requirements.txt

The mount must hold the directory the command uses (found as
missing-cache-mount finds it), and the rm must delete the mounted
directory, something inside it or a directory above it (a glob matches
whole path components: rm -f *.deb run in / deletes no directory). When
another command of the RUN uses the mount with its cache on (pip install
--no-cache-dir --upgrade pip && pip install -r requirements.txt), the
mount is not empty: the finding then says that what the first command
downloads is not kept, and names the other one. Not reported:
cleaning another directory than the mounted one (rm -rf
/var/lib/apt/lists/* while only /var/cache/apt is mounted keeps the
image small and is right); cleanups that only trim a cache (apt-get
autoclean, apk cache clean, pnpm store prune, uv cache prune, pip cache
remove); a mount that holds nothing the RUN's commands use; a variable
that switches the cache off with a value other than 1, true, yes or on;
Windows stages.

Sources:
- https://docs.docker.com/reference/dockerfile/#run---mounttypecache
- https://docs.docker.com/build/cache/optimize/#use-cache-mounts
- https://docs.astral.sh/uv/guides/integration/docker/#caching
- https://pip.pypa.io/en/stable/topics/caching/`,
	URL:      docURL("cleanup-defeats-cache-mount"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runCleanupDefeatsCacheMount,
}

func runCleanupDefeatsCacheMount(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	if !hasCacheMounts(f) {
		return nil, nil
	}
	linuxRuns(f, func(in *dockerfile.Instruction) { checkDefeatedMounts(pass, f, in) })
	return nil, nil
}

func checkDefeatedMounts(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction) {
	mounts := cacheMounts(in)
	if len(mounts) == 0 {
		return
	}
	done := map[token.Pos]bool{} // one finding a command or flag
	for _, n := range cacheNeeds(in) {
		m := n.mountFor(mounts)
		if m == nil {
			continue
		}
		if n.Off {
			// Another command of the RUN may fill the mount all the same.
			var filler *dockerfile.Command
			for _, o := range cacheNeeds(in) {
				if o.Cache == n.Cache && !o.Off && o.Cmd != n.Cmd {
					if om := o.mountFor(mounts); om != nil && om.Target == m.Target {
						filler = o.Cmd
						break
					}
				}
			}
			reportCacheOff(pass, f, in, n, m, filler, done)
		}
		if c := emptiesCache(in, n, []string{m.Target}); c != nil && !done[c.Pos] {
			done[c.Pos] = true
			pass.Report(analysis.Diagnostic{
				Pos: c.Pos, End: c.End,
				Message: fmt.Sprintf("`%s` empties the %s that the cache mount on %s keeps for the next build: the mount gives nothing, and the image is no smaller for it",
					commandText(f, in, c), n.Cache.What, m.Target),
				SuggestedFixes: []analysis.SuggestedFix{{Message: fmt.Sprintf("drop `%s`: what is in a cache mount never reaches the image", commandText(f, in, c))}},
			})
		}
	}
}

// reportCacheOff reports what turns the need's cache off: a flag of its
// command (deleted by the fix) or a variable.
// reportCacheOff reports a command that turns its cache off under a mount
// of that cache. filler is another command of the RUN that uses the mount
// with its cache on, nil when there is none: the mount is not empty then,
// but this command's downloads are still not kept.
func reportCacheOff(pass *analysis.Pass, f *dockerfile.File, in *dockerfile.Instruction, n cacheNeed, m *cacheMount, filler *dockerfile.Command, done map[token.Pos]bool) {
	tool := n.Tool.Name
	effect := fmt.Sprintf("so the cache mount on %s stays empty: the mount gives nothing", m.Target)
	if filler != nil {
		effect = fmt.Sprintf("so what it downloads is not kept in the cache mount on %s, which `%s` on line %d uses",
			m.Target, commandText(f, in, filler), f.Tok.Line(filler.Pos))
	}
	for _, a := range n.Cmd.Args[1:] {
		if !a.Lit || !hasFlag([]string{a.Value}, n.Tool.NoCacheFlags...) {
			continue
		}
		if done[a.Pos] {
			return
		}
		done[a.Pos] = true
		fix := analysis.SuggestedFix{Message: fmt.Sprintf("drop %s: the mount keeps the cache out of the image", a.Value)}
		if e, ok := deleteArg(f, in, a); ok {
			fix.TextEdits = []analysis.TextEdit{e}
		}
		pass.Report(analysis.Diagnostic{
			Pos: a.Pos, End: a.End,
			Message:        fmt.Sprintf("%s turns %s's cache off, %s", a.Value, tool, effect),
			SuggestedFixes: []analysis.SuggestedFix{fix},
		})
		return
	}
	for _, name := range n.Tool.NoCacheEnv {
		v, ok := n.Env.get(name)
		if !ok || !truthy(v) {
			continue
		}
		where := "set in this RUN"
		if _, inRun := n.Cmd.Env[name]; !inRun {
			if decl, ok := in.Env.Lookup(name); ok && decl.Line > 0 {
				kw := "ENV"
				if decl.Arg {
					kw = "ARG"
				}
				where = fmt.Sprintf("set by %s on line %d", kw, decl.Line)
			} else {
				where = "set by the base image"
			}
		}
		c := n.Cmd
		if done[c.Pos] {
			return
		}
		done[c.Pos] = true
		pass.Report(analysis.Diagnostic{
			Pos: c.Args[0].Pos, End: c.Args[0].End,
			Message: fmt.Sprintf("%s=%s (%s) turns %s's cache off for `%s`, %s",
				name, v, where, tool, commandText(f, in, c), effect),
			SuggestedFixes: []analysis.SuggestedFix{{Message: fmt.Sprintf("unset %s for this command (%s= or %s=0), or drop the mount", name, name, name)}},
		})
		return
	}
}

// deleteArg is the edit that removes a shell-form argument and one blank
// next to it. ok is false for exec form, or when the text at the
// argument's place is not the argument as written.
func deleteArg(f *dockerfile.File, in *dockerfile.Instruction, a dockerfile.Arg) (analysis.TextEdit, bool) {
	if in.Run.Exec {
		return analysis.TextEdit{}, false
	}
	start, end := f.Tok.Offset(a.Pos), f.Tok.Offset(a.End)
	if start <= 0 || end > len(f.Src) || strings.Trim(string(f.Src[start:end]), `"'`) != a.Value {
		return analysis.TextEdit{}, false
	}
	switch {
	case f.Src[start-1] == ' ' || f.Src[start-1] == '\t':
		start--
	case end < len(f.Src) && (f.Src[end] == ' ' || f.Src[end] == '\t'):
		end++
	}
	return analysis.TextEdit{Pos: f.Pos(start), End: f.Pos(end)}, true
}
