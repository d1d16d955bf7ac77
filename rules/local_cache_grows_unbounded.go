package rules

import (
	"fmt"
	"go/token"
	"path"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// LocalCacheGrowsUnbounded reports local cache exports that pile up old
// blobs or are never rotated into place.
var LocalCacheGrowsUnbounded = &analysis.Analyzer{
	Name: "local_cache_grows_unbounded",
	Doc: `a local cache is exported over the directory it is imported from and grows forever

Why it matters for the cache: the local cache exporter adds the blobs of
the new cache to its directory and never deletes the old ones (unless it
is told to with reset=true). When a build imports from a directory and
exports back to the same one, and that directory is kept between runs
(actions/cache, a self-hosted runner, a laptop), it gains the layers of
every run: restoring and saving it gets slower each time until the cache
service evicts it. The classic workaround, exporting to a second
directory, only works when a later step moves the new directory over the
old one; without that step the next run imports the old cache again.

Example:

    - uses: actions/cache@v4
      with:
        path: /tmp/.buildx-cache
        key: buildx-${{ github.sha }}
        restore-keys: buildx-
    - uses: docker/build-push-action@v6
      with:
        cache-from: type=local,src=/tmp/.buildx-cache
        cache-to: type=local,dest=/tmp/.buildx-cache,mode=max

Fix: let the exporter drop the blobs no manifest uses (Buildx 0.35 and
later; docker/setup-buildx-action installs the latest Buildx unless its
version input pins another):

        cache-to: type=local,dest=/tmp/.buildx-cache,mode=max,reset=true

With an older Buildx, export to a new directory and replace the old one
with it in a step after the build:

        cache-to: type=local,dest=/tmp/.buildx-cache-new,mode=max
    - name: Move cache
      run: |
        rm -rf /tmp/.buildx-cache
        mv /tmp/.buildx-cache-new /tmp/.buildx-cache

Reported: a type=local cache-to whose dest is the src of a type=local
cache-from of the same build, without reset=true, when the directory
outlives the build: an actions/cache step of the job saves it, the job
runs on a runner labelled self-hosted, or the build is in a script or
Makefile outside CI.
Also reported: a cache-to whose dest differs from the build's local
cache-from src when no later step of the job uses the new directory
(moves it, or saves it with actions/cache) while the old one is kept.
Not reported: directories of GitHub-hosted jobs that nothing saves (they
are gone after the job; an export nobody imports is another problem);
GitLab CI jobs, whose cache: paths are not read here; paths written
differently (an expression against its value) are not compared.

Sources:
- https://docs.docker.com/build/cache/backends/local/
- https://docs.docker.com/build/ci/github-actions/cache/#local-cache
- https://github.com/moby/buildkit/pull/6612
- https://github.com/docker/build-push-action/issues/252`,
	URL:      docURL("local-cache-grows-unbounded"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runLocalCacheGrowsUnbounded,
}

func runLocalCacheGrowsUnbounded(pass *analysis.Pass) (any, error) {
	repo := configRepo(pass)
	if repo == nil {
		return nil, nil
	}
	seen := onceAt{}
	// Entries of bake files that a CI job builds: the job says whether
	// the directory is kept, not the bake file read on its own.
	inCI := map[token.Pos]bool{}
	for _, b := range repo.Builds {
		if b.Job != nil {
			for _, c := range b.CacheTo {
				inCI[c.Pos] = true
			}
		}
	}
	for _, b := range repo.Builds {
		if jobFile(b).Kind == buildconfig.GitLab {
			continue
		}
		var srcs []buildconfig.Value
		for _, c := range b.CacheFrom {
			if c.Type != "local" {
				continue
			}
			if s, ok := c.Get("src"); ok && s.Text != "" {
				srcs = append(srcs, s)
			}
		}
		if len(srcs) == 0 {
			continue
		}
		for _, c := range b.CacheTo {
			if c.Type != "local" || !c.Pos.IsValid() {
				continue
			}
			dest, ok := c.Get("dest")
			if !ok || dest.Text == "" {
				continue
			}
			if b.Job == nil && inCI[c.Pos] {
				continue
			}
			if r, ok := c.Get("reset"); ok && (r.Dynamic || strings.EqualFold(strings.TrimSpace(r.Text), "true")) {
				continue
			}
			d := cleanCacheDir(dest.Text)
			same := false
			for _, s := range srcs {
				if cleanCacheDir(s.Text) == d {
					same = true
				}
			}
			if same {
				if kept, how := cacheDirKept(b, d); kept && seen.first(c.Pos) {
					reportLocalCacheGrows(pass, c, dest, how)
				}
				continue
			}
			if len(srcs) != 1 || b.Job == nil || b.Step == nil || srcs[0].Dynamic != dest.Dynamic {
				continue
			}
			s := cleanCacheDir(srcs[0].Text)
			if usedAfter(b, d) {
				continue
			}
			if kept, _ := cacheDirKept(b, s); kept && seen.first(c.Pos) {
				pass.Report(analysis.Diagnostic{
					Pos: c.Pos, End: c.End,
					Message: fmt.Sprintf("the cache exported to `%s` is never moved to `%s`, which the build imports from and the job keeps: every run imports the same old cache and the new one is thrown away",
						dest.Text, srcs[0].Text),
					SuggestedFixes: []analysis.SuggestedFix{{Message: fmt.Sprintf("add a step after the build that runs `rm -rf %s && mv %s %s`, or export to `%s` with `reset=true` (Buildx 0.35 and later)",
						srcs[0].Text, dest.Text, srcs[0].Text, srcs[0].Text)}},
				})
			}
		}
	}
	return nil, nil
}

// cleanCacheDir is a cache directory as written, cleaned when it is a
// plain path.
func cleanCacheDir(s string) string {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "$`") {
		return strings.TrimSuffix(s, "/")
	}
	return path.Clean(s)
}

// cacheDirKept reports whether a cache directory outlives the build, and
// how: an actions/cache step of the job saves it, the job runs on a
// runner that is not GitHub-hosted, or the build is run by a script
// outside CI (a laptop, a build server).
func cacheDirKept(b *buildconfig.Build, dir string) (bool, string) {
	if b.Job == nil {
		return true, "outside CI the directory stays on the machine"
	}
	for _, st := range b.Job.Steps {
		if savesPath(st, dir) {
			return true, fmt.Sprintf("the %s step on line %d saves it between runs", st.Uses, jobFile(b).Tok.Line(st.Pos))
		}
	}
	if !b.Job.Hosted && strings.Contains(strings.ToLower(b.Job.Runner.Text), "self-hosted") {
		return true, fmt.Sprintf("job %q runs on a self-hosted runner (%s), where it stays", b.Job.Name, b.Job.Runner.Text)
	}
	return false, ""
}

// savesPath reports whether a step saves a directory with actions/cache
// (or actions/cache/save).
func savesPath(st *buildconfig.Step, dir string) bool {
	u := strings.ToLower(st.Uses)
	if u != "actions/cache" && u != "actions/cache/save" {
		return false
	}
	p, ok := st.With["path"]
	if !ok {
		return false
	}
	for _, line := range strings.Split(p.Text, "\n") {
		if cleanCacheDir(line) == dir {
			return true
		}
	}
	return false
}

// usedAfter reports whether a step after the build (or the build's own
// step, after the build command) does something with a directory: moves
// or copies it (its run: script names it) or saves it with actions/cache.
func usedAfter(b *buildconfig.Build, dir string) bool {
	for _, st := range b.Job.Steps {
		if savesPath(st, dir) {
			return true
		}
	}
	for _, st := range stepsAfter(b) {
		if strings.Contains(st.Run.Text, dir) {
			return true
		}
	}
	if b.Step.Run.IsSet() && b.End.IsValid() && b.File == jobFile(b) {
		// The build's own script may move the directory after building.
		f := b.File
		end := f.Tok.Offset(b.End)
		stepEnd := f.Tok.Offset(b.Step.End)
		if end < stepEnd && strings.Contains(string(f.Src[end:stepEnd]), dir) {
			return true
		}
	}
	return false
}

func reportLocalCacheGrows(pass *analysis.Pass, c *buildconfig.CacheSpec, dest buildconfig.Value, how string) {
	msg := fmt.Sprintf("local cache exported to `%s`, the directory the build imports from, without `reset=true`: the old blobs stay and %s, so it grows with every run",
		dest.Text, how)
	fix := analysis.SuggestedFix{Message: "append `,reset=true` (Buildx 0.35 and later), or export to a new directory and move it over the old one after the build"}
	if c.Verbatim() {
		fix.TextEdits = []analysis.TextEdit{{Pos: c.End, End: c.End, NewText: []byte(",reset=true")}}
	}
	pass.Report(analysis.Diagnostic{Pos: c.Pos, End: c.End, Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
}
