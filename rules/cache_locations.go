package rules

import (
	"fmt"
	"go/token"
	"path"
	"regexp"
	"strings"

	"github.com/cachelint/cachelint/buildconfig"
)

// This file holds what the rules about where caches are written and read
// (CL103, CL105, CL106, CL113) share: the attribute that names a cache's
// location, matching a written location with a read one when parts of
// them are only known at run time, and where a build's Dockerfile is.

// locationKey is the attribute of a cache spec that says where the cache
// is kept, for the side (export or import) the spec is on: ref for a
// registry, scope for gha, dest (export) or src (import) for local, name
// for s3 and azblob. "" for the other types.
func locationKey(typ string, export bool) string {
	switch typ {
	case "registry":
		return "ref"
	case "gha":
		return "scope"
	case "local":
		if export {
			return "dest"
		}
		return "src"
	case "s3", "azblob":
		return "name"
	}
	return ""
}

// location is the place a cache spec names: its location attribute's
// value ("buildkit" for gha without a scope, buildx's default) and the
// attribute, whose Pos is NoPos for the default.
func location(c *buildconfig.CacheSpec, export bool) (buildconfig.Value, bool) {
	key := locationKey(c.Type, export)
	if key == "" {
		return buildconfig.Value{}, false
	}
	v, ok := c.Get(key)
	if !ok && c.Type == "gha" {
		return buildconfig.Value{Text: "buildkit"}, true
	}
	return v, ok
}

// attrValue returns an attribute's value with the position of the value
// alone when the file holds it at the end of the key=value pair the
// attribute spans (the model places an attribute at its pair).
func attrValue(repo *buildconfig.Repo, v buildconfig.Value) buildconfig.Value {
	if v.Verbatim() || !v.Pos.IsValid() || !v.End.IsValid() {
		return v
	}
	start := v.End - token.Pos(len(v.Text))
	if t, ok := textAt(repo, start, v.End); start >= v.Pos && ok && t == v.Text {
		v.Pos = start
	}
	return v
}

// dynamicParts returns the spans of the parts of a text whose value is
// only known at run time: GitHub expressions, variables, command
// substitutions.
func dynamicParts(text string) [][2]int {
	var out [][2]int
	for i := 0; i < len(text); i++ {
		end := -1
		switch {
		case strings.HasPrefix(text[i:], "${{"):
			if e := strings.Index(text[i:], "}}"); e >= 0 {
				end = i + e + 2
			}
		case text[i] == '$' && i+1 < len(text) && text[i+1] == '(':
			end = matchParen(text, i+1)
		case text[i] == '$' && i+1 < len(text) && text[i+1] == '{':
			if e := strings.IndexByte(text[i:], '}'); e >= 0 {
				end = i + e + 1
			}
		case text[i] == '$':
			if n := leadingName(text[i+1:]); n != "" {
				end = i + 1 + len(n)
			}
		case text[i] == '`':
			if e := strings.IndexByte(text[i+1:], '`'); e >= 0 {
				end = i + e + 2
			}
		}
		if end < 0 {
			if text[i] == '$' || text[i] == '`' {
				return append(out, [2]int{i, len(text)}) // unterminated: unknown to the end
			}
			continue
		}
		out = append(out, [2]int{i, end})
		i = end - 1
	}
	return out
}

// mayEqual reports whether two location texts may name the same place
// once their run-time parts are known: equal when both are literal, else
// when the literal text before the first run-time part of each and after
// the last agree (a run-time part may stand for anything).
func mayEqual(a, b string) bool {
	pa, pb := dynamicParts(a), dynamicParts(b)
	if len(pa) == 0 && len(pb) == 0 {
		return a == b
	}
	preA, preB := a, b
	sufA, sufB := a, b
	if len(pa) > 0 {
		preA, sufA = a[:pa[0][0]], a[pa[len(pa)-1][1]:]
	}
	if len(pb) > 0 {
		preB, sufB = b[:pb[0][0]], b[pb[len(pb)-1][1]:]
	}
	prefixOK := strings.HasPrefix(preA, preB) || strings.HasPrefix(preB, preA)
	suffixOK := strings.HasSuffix(sufA, sufB) || strings.HasSuffix(sufB, sufA)
	if len(pa) == 0 { // a literal against a pattern
		return strings.HasPrefix(a, preB) && strings.HasSuffix(a[len(preB):], sufB)
	}
	if len(pb) == 0 {
		return strings.HasPrefix(b, preA) && strings.HasSuffix(b[len(preA):], sufA)
	}
	return prefixOK && suffixOK
}

// normalRef is a registry reference as the registry sees it: Docker Hub's
// default host and library/ namespace dropped, :latest added to a
// reference without tag or digest. References with run-time parts are
// kept as written.
func normalRef(ref string) string {
	ref = strings.TrimSpace(ref)
	if len(dynamicParts(ref)) > 0 {
		return ref
	}
	for _, p := range []string{"docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"} {
		if r, ok := strings.CutPrefix(ref, p); ok {
			ref = r
			break
		}
	}
	ref = strings.TrimPrefix(ref, "library/")
	if !strings.Contains(ref, "@") && !strings.Contains(ref[strings.LastIndexByte(ref, '/')+1:], ":") {
		ref += ":latest"
	}
	return ref
}

// envExprRef matches ${{ env.NAME }}.
var envExprRef = regexp.MustCompile(`\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// expandConstEnv replaces the variables of a text (${{ env.X }}, $X,
// ${X}) that a build's environment sets to a text without run-time parts
// by that text.
func expandConstEnv(text string, env map[string]buildconfig.Value) string {
	text = envExprRef.ReplaceAllStringFunc(text, func(m string) string {
		name := envExprRef.FindStringSubmatch(m)[1]
		if v, ok := env[name]; ok && len(dynamicParts(v.Text)) == 0 {
			return v.Text
		}
		return m
	})
	var b strings.Builder
	last := 0
	for _, p := range dynamicParts(text) {
		part := text[p[0]:p[1]]
		name := ""
		switch {
		case strings.HasPrefix(part, "${") && !strings.HasPrefix(part, "${{"):
			if n := leadingName(part[2:]); len(n)+3 == len(part) {
				name = n
			}
		case strings.HasPrefix(part, "$") && len(part) > 1 && part[1] != '(' && part[1] != '{':
			name = part[1:]
		}
		if v, ok := env[name]; ok && name != "" && len(dynamicParts(v.Text)) == 0 {
			b.WriteString(text[last:p[0]])
			b.WriteString(v.Text)
			last = p[1]
		}
	}
	b.WriteString(text[last:])
	return b.String()
}

// dockerfileNote says what a build builds, for a message: "Dockerfile
// `web/Dockerfile`, target `app` (line 12)"; "" when the Dockerfile is
// not known.
func dockerfileNote(b *buildconfig.Build) string {
	df := b.DockerfilePath
	if df == "" {
		if b.Dockerfile.Text != "" && !b.Dockerfile.Dynamic {
			return fmt.Sprintf("Dockerfile `%s`", b.Dockerfile.Text)
		}
		return ""
	}
	s := fmt.Sprintf("Dockerfile `%s`", df)
	if st := b.Stage(); st != nil && st.From != nil && b.Target.Text != "" {
		s += fmt.Sprintf(", target `%s` (line %d)", st.Name, st.From.StartLine)
	} else if b.Target.Text != "" {
		s += fmt.Sprintf(", target `%s`", b.Target.Text)
	}
	return s
}

// buildPlace says where a build is: "step `Build` of job `build`
// (.github/workflows/ci.yml:12)", "bake target `app`".
func buildPlace(fset *token.FileSet, b *buildconfig.Build) string {
	var s string
	switch {
	case b.BakeTarget != "":
		s = fmt.Sprintf("bake target `%s`", b.BakeTarget)
	case b.Step != nil && b.Job != nil:
		s = fmt.Sprintf("step `%s` of job `%s`", b.Name, b.Job.Name)
	case b.Job != nil && b.Job.Name == b.Name:
		s = fmt.Sprintf("job `%s`", b.Job.Name)
	case b.Job != nil:
		s = fmt.Sprintf("`%s` in job `%s`", b.Name, b.Job.Name)
	default:
		s = fmt.Sprintf("`%s`", b.Name)
	}
	if p := fset.Position(b.Pos); p.IsValid() {
		s += fmt.Sprintf(" (%s:%d)", path.Base(p.Filename), p.Line)
	}
	return s
}

// lineIndent returns the blanks that start the line holding pos and the
// text between them and pos.
func lineIndent(f *buildconfig.File, pos token.Pos) (indent, before string, lineStart int) {
	off := f.Tok.Offset(pos)
	start := off
	for start > 0 && f.Src[start-1] != '\n' {
		start--
	}
	i := start
	for i < off && (f.Src[i] == ' ' || f.Src[i] == '\t') {
		i++
	}
	return string(f.Src[start:i]), string(f.Src[i:off]), start
}
