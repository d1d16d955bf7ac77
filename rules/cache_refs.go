package rules

import (
	"go/token"
	"strings"

	"github.com/cachelint/cachelint/buildconfig"
)

// This file holds what the cache export and import rules share: the image
// references a build writes, references compared the way a registry sees
// them, and the exact place of a value in its configuration file (for
// text edits).

// imageRefs returns the image references a build names as its result:
// its tags (tags:, -t, bake tags, kaniko --destination) and the names of
// its image and registry outputs (--output type=image,name=...).
func imageRefs(b *buildconfig.Build) []buildconfig.Value {
	refs := append([]buildconfig.Value(nil), b.Tags...)
	if b.Kind == buildconfig.Buildctl {
		return refs // the model takes buildctl's output names as its tags
	}
	for _, o := range b.Outputs {
		typ, names := "", ""
		for _, kv := range strings.Split(o.Text, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch strings.TrimSpace(k) {
			case "type":
				typ = strings.TrimSpace(v)
			case "name":
				names = strings.Trim(strings.TrimSpace(v), `"`)
			}
		}
		if (typ == "image" || typ == "registry") && names != "" && !strings.Contains(o.Text, `"`) {
			refs = append(refs, buildconfig.Value{Text: names, Pos: o.Pos, End: o.End, Dynamic: o.Dynamic && hasDynamicPart(names)})
		}
	}
	return refs
}

// hasDynamicPart reports whether a text has a part only known at run
// time (see dynamicParts).
func hasDynamicPart(text string) bool { return len(dynamicParts(text)) > 0 }

// normalImageRef is an image reference as a registry sees it, for
// comparing two (see normalRef); one with a variable or expression is
// kept as written, so two are equal only when written alike.
func normalImageRef(v buildconfig.Value) string {
	if v.Dynamic {
		return strings.TrimSpace(v.Text)
	}
	return normalRef(v.Text)
}

// refOf returns the registry reference of a cache spec: its ref=
// attribute. ok is false for other types and when no ref is given.
func refOf(c *buildconfig.CacheSpec) (buildconfig.Value, bool) {
	if c.Type != "registry" {
		return buildconfig.Value{}, false
	}
	ref, ok := c.Get("ref")
	if !ok || strings.TrimSpace(ref.Text) == "" {
		return buildconfig.Value{}, false
	}
	return ref, true
}

// textAt returns the text of a configuration file between two positions.
func textAt(repo *buildconfig.Repo, pos, end token.Pos) (string, bool) {
	f := repo.FileAt(pos)
	if f == nil || !end.IsValid() || end < pos {
		return "", false
	}
	s, e := f.Tok.Offset(pos), f.Tok.Offset(end)
	if e > len(f.Src) {
		return "", false
	}
	return string(f.Src[s:e]), true
}

// writtenAt reports whether a value is written exactly where its
// positions say, so that a text edit may replace it or add to it.
func writtenAt(repo *buildconfig.Repo, v buildconfig.Value) bool {
	t, ok := textAt(repo, v.Pos, v.End)
	return ok && t == v.Text && t != ""
}

// attrSpan returns where the value of a cache spec attribute is written
// (see attrValue); ok is false when it cannot be found in the file.
func attrSpan(repo *buildconfig.Repo, a buildconfig.Value) (pos, end token.Pos, ok bool) {
	v := attrValue(repo, a)
	if a.Text == "" || !v.Verbatim() || !writtenAt(repo, v) {
		return token.NoPos, token.NoPos, false
	}
	return v.Pos, v.End, true
}

// repoPath is where a file is in the repository, for messages.
func repoPath(f *buildconfig.File) string {
	if f == nil {
		return ""
	}
	if f.Rel != "" {
		return f.Rel
	}
	return f.Path
}

// refSpan is where to report a registry ref of a cache spec: the ref's
// value when it is written verbatim, else the whole entry, else the build.
func refSpan(repo *buildconfig.Repo, ref buildconfig.Value, c *buildconfig.CacheSpec, b *buildconfig.Build) (token.Pos, token.Pos) {
	pos, end, exact := attrSpan(repo, ref)
	if !exact {
		pos, end = c.Pos, c.End
	}
	if !pos.IsValid() {
		pos, end = b.Pos, b.Pos
	}
	return pos, end
}
