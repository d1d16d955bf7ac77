package rules

import (
	"fmt"
	"go/token"
	"path"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// SharedCacheLocation flags different builds that export their cache to
// the same place.
var SharedCacheLocation = &analysis.Analyzer{
	Name: "shared_cache_location",
	Doc: `different builds export their cache to the same place

Why it matters for the cache: a cache place (a registry ref, a gha scope,
a local directory, an S3 or Azure blob name) holds what the last build
exported there and nothing else. When two builds that make different
images write the same place, each export replaces the other's, and each
build imports a cache of the other image: most of its steps miss. The gha
cache is the common case: without scope= every build of the repository
writes the scope buildkit.

Example:

    jobs:
      api:
        steps:
          - uses: docker/build-push-action@v6
            with:
              context: api
              cache-from: type=gha
              cache-to: type=gha,mode=max
      web:
        steps:
          - uses: docker/build-push-action@v6
            with:
              context: web
              cache-from: type=gha
              cache-to: type=gha,mode=max

Fix: give each build its own place, in cache-to and cache-from alike:

              cache-from: type=gha,scope=api
              cache-to: type=gha,mode=max,scope=api

In a matrix job that builds several images, put the matrix values that
change the build into the place:
scope=${{ matrix.image }}-${{ matrix.platform }}.

Builds are different when they build another Dockerfile, context, target,
platform list or build arguments; the same image built by two workflows
(pull requests and main) sharing a place is fine. A matrix job is reported
when its Dockerfile, context, target, platforms or build arguments take a
matrix value and its cache place takes none. Places are compared once
${{ env.X }} and $X set in env: are replaced; a place with a part known
only at run time that may differ between builds (a step output, the job's
own name) is not compared. Local directories collide only within one job
(each job has its own machine); registry, S3 and Azure places anywhere;
gha scopes anywhere in the repository (GitHub keeps branches apart).

Sources:
- https://docs.docker.com/build/cache/backends/gha/#scope
- https://docs.docker.com/build/cache/backends/
- https://www.augmentedmind.de/2023/11/19/advanced-buildkit-caching/`,
	URL:      docURL("shared-cache-location"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runSharedCacheLocation,
}

// cacheWrite is one cache export with the place it writes.
type cacheWrite struct {
	b     *buildconfig.Build
	c     *buildconfig.CacheSpec
	loc   buildconfig.Value
	place string // type and place, with env replaced
	what  string // what the build builds; "" when not known
	// axes are the matrix axes the build takes when its place takes
	// none: the matrix entries share the place.
	axes []string
}

func runSharedCacheLocation(pass *analysis.Pass) (any, error) {
	repo, _ := pass.ResultOf[buildconfig.Analyzer].(*buildconfig.Repo)
	if repo == nil {
		return nil, nil
	}
	done := map[token.Pos]bool{}
	groups := map[string][]cacheWrite{}
	var order []string
	for _, b := range repo.Builds {
		for _, c := range b.CacheTo {
			loc, ok := location(c, true)
			if !ok || c.Type == "inline" || !c.Pos.IsValid() {
				continue
			}
			text, constant := constantPlace(loc.Text, b.Env)
			if !constant {
				continue
			}
			if c.Type == "registry" {
				text = normalRef(text)
			}
			w := cacheWrite{b: b, c: c, loc: loc, place: c.Type + ":" + strings.TrimSuffix(text, "/"), what: buildIdentity(b)}
			if c.Type == "local" {
				// A local directory is on the job's own machine.
				w.place += fmt.Sprintf("@%p", b.Job)
				if b.Job == nil {
					w.place += "@" + b.File.Rel
				}
			}
			if m := matrixInputs(b); len(m) > 0 && !referencesMatrix(loc.Text, b.Env, 0) {
				w.axes = m
			}
			if _, ok := groups[w.place]; !ok {
				order = append(order, w.place)
			}
			groups[w.place] = append(groups[w.place], w)
		}
	}
	for _, key := range order {
		reportShared(pass, groups[key], done)
	}
	return nil, nil
}

// reportShared reports the writes of one place that different builds
// make, once a position.
func reportShared(pass *analysis.Pass, ws []cacheWrite, done map[token.Pos]bool) {
	names := scopeNames(ws)
	for _, w := range ws {
		if done[w.c.Pos] {
			continue
		}
		if len(w.axes) > 0 {
			done[w.c.Pos] = true
			reportMatrixShare(pass, w, ws, names)
			continue
		}
		if w.what == "" {
			continue
		}
		var other *cacheWrite
		for i := range ws {
			if o := &ws[i]; o.what != "" && o.what != w.what {
				// Prefer a build elsewhere to one at the same entry.
				if other == nil || other.c.Pos == w.c.Pos && o.c.Pos != w.c.Pos {
					other = o
				}
			}
		}
		if other == nil {
			continue
		}
		done[w.c.Pos] = true
		place := placeText(w)
		otherWhat := ""
		if note := dockerfileNote(other.b); note != "" {
			otherWhat = ", which builds " + note
		}
		msg := fmt.Sprintf("%s is also written by %s%s: the last build to export replaces the other's cache, so each imports a cache of another image",
			place, buildPlace(pass.Fset, other.b), otherWhat)
		fix := analysis.SuggestedFix{Message: "give each build its own cache place in cache-to and cache-from (scope=<image> for gha, a ref per image for a registry)"}
		if name, ok := names[w.b]; ok {
			fix.Message = fmt.Sprintf("give this build its own gha scope in cache-to and cache-from: scope=%s", name)
			fix.TextEdits = addScopeEdits(w.b, name)
		}
		pass.Report(analysis.Diagnostic{Pos: w.c.Pos, End: w.c.End, Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
	}
}

// reportMatrixShare reports a matrix job whose entries build different
// images into one place, which other builds may write too.
func reportMatrixShare(pass *analysis.Pass, w cacheWrite, ws []cacheWrite, names map[*buildconfig.Build]string) {
	vars := make([]string, len(w.axes))
	for i, a := range w.axes {
		vars[i] = "matrix." + a
	}
	others := 0
	for _, o := range ws {
		if o.b != w.b && o.what != w.what {
			others++
		}
	}
	also := ""
	if others > 0 {
		also = fmt.Sprintf(" (and by %d other build(s) of the repository)", others)
	}
	msg := fmt.Sprintf("%s is written by every entry of the matrix of job `%s`, whose builds differ by %s%s: the last entry to export replaces the others' cache, so each imports a cache of another image",
		placeText(w), w.b.Job.Name, strings.Join(vars, ", "), also)
	fix := analysis.SuggestedFix{Message: "put the matrix values that change the build into the cache place in cache-to and cache-from (" + matrixScope(w.axes) + ")"}
	if name, ok := names[w.b]; ok {
		fix.Message = "give each matrix entry its own gha scope in cache-to and cache-from: scope=" + name
		fix.TextEdits = addScopeEdits(w.b, name)
	}
	pass.Report(analysis.Diagnostic{Pos: w.c.Pos, End: w.c.End, Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
}

// placeText names the place of a write for a message.
func placeText(w cacheWrite) string {
	if w.c.Type == "gha" {
		if _, set := w.c.Get("scope"); !set {
			return "cache-to type=gha without scope= (the scope `buildkit`)"
		}
	}
	return fmt.Sprintf("cache-to %s %s `%s`", w.c.Type, locationKey(w.c.Type, true), w.loc.Text)
}

// buildIdentity is what makes a build's image: its Dockerfile, context,
// target, platforms and build arguments; "" when a part of them is known
// only at run time and is not a matrix value (it may be what another
// build builds).
func buildIdentity(b *buildconfig.Build) string {
	df := b.DockerfilePath
	if df == "" {
		df = "?" + b.Dockerfile.Text
	}
	ctx := b.ContextDir
	if ctx == "" {
		ctx = "?" + b.Context.Text
	}
	parts := []string{df, ctx, b.Target.Text}
	var plats, args []string
	for _, p := range b.Platforms {
		plats = append(plats, p.Text)
	}
	for _, a := range b.BuildArgs {
		args = append(args, a.Name+"="+a.Value.Text)
	}
	slices.Sort(plats)
	slices.Sort(args)
	parts = append(parts, strings.Join(plats, ","), strings.Join(args, "\n"))
	for _, p := range parts {
		for _, d := range dynamicParts(p) {
			if !strings.Contains(p[d[0]:d[1]], "matrix.") {
				return ""
			}
		}
	}
	return strings.Join(parts, "|")
}

// matrixInputs lists the matrix axes that a matrix job's build takes in
// its Dockerfile, context, target, platforms or build arguments.
func matrixInputs(b *buildconfig.Build) []string {
	if b.Job == nil || len(b.Job.Matrix) == 0 {
		return nil
	}
	texts := []string{b.Dockerfile.Text, b.Context.Text, b.Target.Text}
	for _, p := range b.Platforms {
		texts = append(texts, p.Text)
	}
	for _, a := range b.BuildArgs {
		texts = append(texts, a.Value.Text)
	}
	used := map[string]bool{}
	for _, t := range texts {
		for _, m := range matrixRef.FindAllStringSubmatch(expandMatrixEnv(t, b.Env), -1) {
			used[m[1]] = true
		}
	}
	var axes []string
	for _, axis := range b.Job.Matrix {
		if used[axis] {
			axes = append(axes, axis)
		}
	}
	return axes
}

// matrixRef matches a reference to a matrix axis, matrix.<axis>.
var matrixRef = regexp.MustCompile(`\bmatrix\.([A-Za-z_][A-Za-z0-9_-]*)`)

// expandMatrixEnv replaces ${{ env.X }} and $X by X's value in env, once,
// so that a matrix value passed through env: is seen.
func expandMatrixEnv(text string, env map[string]buildconfig.Value) string {
	text = envExprRef.ReplaceAllStringFunc(text, func(m string) string {
		if v, ok := env[envExprRef.FindStringSubmatch(m)[1]]; ok {
			return v.Text
		}
		return m
	})
	return text
}

// referencesMatrix reports whether a text takes a matrix value, itself or
// through env.
func referencesMatrix(text string, env map[string]buildconfig.Value, depth int) bool {
	if strings.Contains(text, "matrix.") {
		return true
	}
	if depth >= maxRefDepth {
		return false
	}
	for _, p := range dynamicParts(text) {
		part := text[p[0]:p[1]]
		var name string
		if m := envExprRef.FindStringSubmatch(part); m != nil {
			name = m[1]
		} else if strings.HasPrefix(part, "${") {
			name = leadingName(part[2:])
		} else if strings.HasPrefix(part, "$") {
			name = leadingName(part[1:])
		}
		if v, ok := env[name]; ok && name != "" && referencesMatrix(v.Text, env, depth+1) {
			return true
		}
	}
	return false
}

// runConstant matches the parts of a place that stay the same for every
// build of a run: the repository, the ref, the run's event, configuration
// variables and secrets, and the CI variables that name them.
var runConstant = regexp.MustCompile(`^\$\{\{\s*(github\.(repository|repository_owner|event\.repository\.[a-z_]+|ref|ref_name|head_ref|base_ref|event_name|workflow|server_url)|vars\.[A-Za-z0-9_]+|secrets\.[A-Za-z0-9_]+|env\.(REGISTRY|IMAGE_NAME|REGISTRY_IMAGE))\s*\}\}$|^\$\{?(CI_REGISTRY_IMAGE|CI_REGISTRY|CI_PROJECT_PATH|CI_PROJECT_NAME|CI_PROJECT_NAMESPACE|CI_COMMIT_REF_SLUG|CI_COMMIT_REF_NAME|CI_COMMIT_BRANCH|GITHUB_REPOSITORY|GITHUB_REPOSITORY_OWNER|GITHUB_REF_NAME)\}?$`)

// constantPlace replaces the variables of a place that the build's env
// sets (${{ env.X }}, $X, ${X}), following them through env, and reports
// whether what is left is the same for every build of a run.
func constantPlace(text string, env map[string]buildconfig.Value) (string, bool) {
	return constantPlaceDepth(text, env, 0)
}

func constantPlaceDepth(text string, env map[string]buildconfig.Value, depth int) (string, bool) {
	var b strings.Builder
	last := 0
	for _, p := range dynamicParts(text) {
		part := text[p[0]:p[1]]
		if runConstant.MatchString(part) {
			continue
		}
		name := varName(part)
		v, ok := env[name]
		if name == "" || !ok || depth >= maxRefDepth {
			return text, false
		}
		val, constant := constantPlaceDepth(v.Text, env, depth+1)
		if !constant {
			return text, false
		}
		b.WriteString(text[last:p[0]])
		b.WriteString(val)
		last = p[1]
	}
	b.WriteString(text[last:])
	return b.String(), true
}

// varName is the variable a part of a value reads whole: ${{ env.X }},
// $X or ${X}; "" for other parts.
func varName(part string) string {
	if m := envExprRef.FindStringSubmatch(part); m != nil && m[0] == part {
		return m[1]
	}
	switch {
	case strings.HasPrefix(part, "${{"):
		return ""
	case strings.HasPrefix(part, "${"):
		if n := leadingName(part[2:]); len(n)+3 == len(part) {
			return n
		}
	case strings.HasPrefix(part, "$"):
		if n := leadingName(part[1:]); len(n)+1 == len(part) {
			return n
		}
	}
	return ""
}

// scopeNames gives each build of a group of gha writes without scope= a
// scope of its own: the matrix values, the target, the Dockerfile's
// directory or name; none when the names would not tell the builds apart.
func scopeNames(ws []cacheWrite) map[*buildconfig.Build]string {
	names := map[*buildconfig.Build]string{}
	seen := map[string]*buildconfig.Build{}
	for _, w := range ws {
		if w.c.Type != "gha" {
			return nil
		}
		if _, set := w.c.Get("scope"); set {
			return nil
		}
		if _, ok := names[w.b]; ok {
			continue
		}
		n := scopeName(w.b)
		if n == "" {
			return nil
		}
		if o, dup := seen[n]; dup && buildIdentity(o) != buildIdentity(w.b) {
			return nil
		}
		seen[n] = w.b
		names[w.b] = n
	}
	// Builds sharing one entry (bake targets inheriting it) cannot be
	// given different scopes by one edit.
	pos := map[token.Pos]*buildconfig.Build{}
	for _, w := range ws {
		if o, ok := pos[w.c.Pos]; ok && o != w.b {
			return nil
		}
		pos[w.c.Pos] = w.b
	}
	return names
}

// scopeName is a name for a build's own gha scope: what tells its image
// apart (the target, the Dockerfile's name or directory), then the matrix
// values it takes.
func scopeName(b *buildconfig.Build) string {
	name := ""
	switch p := b.DockerfilePath; {
	case b.Target.Text != "" && !b.Target.Dynamic:
		name = b.Target.Text
	case b.BakeTarget != "":
		name = b.BakeTarget
	case p != "":
		base := path.Base(p)
		lower := strings.ToLower(base)
		switch {
		case strings.HasPrefix(lower, "dockerfile."):
			name = base[len("dockerfile."):]
		case strings.HasSuffix(lower, ".dockerfile"):
			name = base[:len(base)-len(".dockerfile")]
		case lower != "dockerfile":
			name = base
		case path.Dir(p) != ".":
			name = path.Dir(p)
		}
	}
	if m := matrixInputs(b); len(m) > 0 {
		if name != "" && !strings.Contains(b.Target.Text, "matrix.") {
			return name + "-" + matrixScope(m)
		}
		return matrixScope(m)
	}
	return name
}

// matrixScope is a scope made of matrix values.
func matrixScope(axes []string) string {
	parts := make([]string, len(axes))
	for i, a := range axes {
		parts[i] = "${{ matrix." + a + " }}"
	}
	return strings.Join(parts, "-")
}

// addScopeEdits appends ,scope=<name> to a build's gha cache-to and
// cache-from entries that have none; none unless each is written as it
// reads.
func addScopeEdits(b *buildconfig.Build, name string) []analysis.TextEdit {
	var edits []analysis.TextEdit
	for _, list := range [][]*buildconfig.CacheSpec{b.CacheTo, b.CacheFrom} {
		for _, c := range list {
			if c.Type != "gha" {
				continue
			}
			if _, set := c.Get("scope"); set {
				continue
			}
			if !c.Verbatim() {
				return nil
			}
			edits = append(edits, analysis.TextEdit{Pos: c.End, End: c.End, NewText: []byte(",scope=" + name)})
		}
	}
	return edits
}
