package buildconfig

import (
	"go/token"
	"regexp"
	"strings"
)

// parseCacheSpec parses a cache import or export the way buildx does: a
// list of comma-separated key=value pairs (CSV, so a pair may be quoted),
// or a bare reference, which means type=registry,ref=<it>. A value that is
// a single expression (${{ inputs.cache }}) has an unknown type.
func parseCacheSpec(v Value) *CacheSpec {
	c := &CacheSpec{Value: v}
	text := strings.TrimSpace(v.Text)
	if v.Dynamic && isOneExpression(text) {
		return c
	}
	if !strings.Contains(text, "=") {
		c.Type = "registry"
		c.Attrs = []Attr{{Key: "ref", Value: v}}
		return c
	}
	for _, field := range splitCSV(v) {
		key, val, ok := strings.Cut(unquote(field.Text), "=")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		fv := Value{Text: val, Pos: field.Pos, End: field.End, Dynamic: v.Dynamic && isDynamic(val)}
		c.Attrs = append(c.Attrs, Attr{Key: key, Value: fv})
		if key == "type" {
			c.Type = strings.ToLower(val)
			if fv.Dynamic {
				c.Type = ""
			}
		}
	}
	return c
}

// isOneExpression reports whether s is a single GitHub expression or shell
// variable and nothing else.
func isOneExpression(s string) bool {
	if strings.HasPrefix(s, "${{") && strings.HasSuffix(s, "}}") {
		return strings.Count(s, "${{") == 1
	}
	// A shell variable or command substitution alone ($CACHE_TO,
	// ${CACHE_TO:-x}, $(cat cache-to)) may hold a whole spec; with literal text around it ($CI_REGISTRY_IMAGE:cache) it is
	// a reference.
	return shellVarAlone.MatchString(s)
}

var shellVarAlone = regexp.MustCompile("^(?:\\$(?:[A-Za-z_][A-Za-z0-9_]*|\\{[^}]*\\}|\\([^)]*\\))|`[^`]*`)$")

// isDynamic reports whether a piece of a value holds an expression or a
// variable.
func isDynamic(s string) bool {
	return strings.Contains(s, "${{") || strings.ContainsAny(s, "$`")
}

// splitCSV splits a value at the commas that are outside double quotes,
// trimming blanks, with each field's position when the value's text is
// where it says it is (its positions span exactly its text).
func splitCSV(v Value) []Value {
	verbatim := v.Verbatim()
	var out []Value
	start, quoted, depth := 0, false, 0
	emit := func(end int) {
		s, e := start, end
		for s < e && isBlank(v.Text[s]) {
			s++
		}
		for e > s && isBlank(v.Text[e-1]) {
			e--
		}
		if s == e {
			return
		}
		f := Value{Text: v.Text[s:e], Pos: v.Pos, End: v.End, Dynamic: v.Dynamic && isDynamic(v.Text[s:e])}
		if verbatim {
			f.Pos, f.End = v.Pos+token.Pos(s), v.Pos+token.Pos(e)
		}
		out = append(out, f)
	}
	for i := 0; i < len(v.Text); i++ {
		switch c := v.Text[i]; {
		case c == '"':
			quoted = !quoted
		case strings.HasPrefix(v.Text[i:], "${{"):
			depth++
			i += 2
		case depth > 0 && strings.HasPrefix(v.Text[i:], "}}"):
			depth--
			i++
		case c == ',' && !quoted && depth == 0:
			emit(i)
			start = i + 1
		}
	}
	emit(len(v.Text))
	return out
}

// parseBuildArg parses a build argument written K=V, or K alone (taken
// from the environment). dynamic says whether a piece of text holds a
// part unknown before the build, in the syntax of the file it comes from.
func parseBuildArg(v Value, dynamic func(string) bool) BuildArg {
	k, val, ok := strings.Cut(v.Text, "=")
	ba := BuildArg{Name: strings.TrimSpace(k), HasValue: ok, Pos: v.Pos, End: v.End}
	if ok {
		ba.Value = Value{Text: val, Pos: v.Pos, End: v.End, Dynamic: v.Dynamic && dynamic(val)}
		if v.Verbatim() {
			ba.Value.Pos = v.Pos + token.Pos(len(k)+1)
		}
	}
	return ba
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// unquote drops the double quotes of a CSV field ("a,b" or k="a,b").
func unquote(s string) string {
	if !strings.Contains(s, `"`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			if i+1 < len(s) && s[i+1] == '"' {
				b.WriteByte('"')
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitList splits a list input of an action the way the Docker actions
// read them: one entry a line, blank lines and lines starting with #
// dropped, and with commas each line split further at the commas outside
// quotes (cache-from, cache-to and build-args are not split at commas,
// tags and platforms are). Each entry keeps its position: a value whose
// lines are on consecutive lines of its file (a YAML block scalar) has
// each line found on its own line.
func (l *loader) splitList(v Value, commas bool) []Value {
	var out []Value
	for _, line := range l.lines(v) {
		t := strings.TrimSpace(line.Text)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if !commas {
			out = append(out, trimValue(line))
			continue
		}
		out = append(out, splitCSV(line)...)
	}
	return out
}

// lines splits a value into its lines, each with its own position when the
// line can be found in the file: at the value's position for the first
// line, on the following lines of the file for the others.
func (l *loader) lines(v Value) []Value {
	texts := strings.Split(v.Text, "\n")
	out := make([]Value, 0, len(texts))
	tf := l.fset.File(v.Pos)
	var src []byte
	first := 0
	if tf != nil {
		src = l.source(tf)
		first = tf.Line(v.Pos)
	}
	for i, t := range texts {
		t = strings.TrimSuffix(t, "\r")
		lv := Value{Text: t, Pos: v.Pos, End: v.End, Dynamic: v.Dynamic && isDynamic(t)}
		if src != nil && t != "" {
			if p, ok := findOnLine(tf, src, first+i, t, v.Pos); ok {
				lv.Pos, lv.End = p, p+token.Pos(len(t))
			}
		}
		out = append(out, lv)
	}
	return out
}

// findOnLine finds text on line n of a file (not before the position
// from).
func findOnLine(tf *token.File, src []byte, n int, text string, from token.Pos) (token.Pos, bool) {
	if n < 1 || n > tf.LineCount() {
		return token.NoPos, false
	}
	start := tf.Offset(tf.LineStart(n))
	end := len(src)
	if n < tf.LineCount() {
		end = tf.Offset(tf.LineStart(n + 1))
	}
	if fo := tf.Offset(from); fo > start && fo < end {
		start = fo
	}
	i := strings.Index(string(src[start:end]), text)
	if i < 0 {
		return token.NoPos, false
	}
	return tf.Pos(start + i), true
}

// source returns the content of a file of the repository by its token
// file.
func (l *loader) source(tf *token.File) []byte {
	for _, f := range l.repo.Files {
		if f.Tok == tf {
			return f.Src
		}
	}
	return nil
}

// trimValue drops the blanks around a value, moving its position along
// when it spans its text.
func trimValue(v Value) Value {
	verbatim := v.Verbatim()
	lead := len(v.Text) - len(strings.TrimLeft(v.Text, " \t\r"))
	t := strings.TrimSpace(v.Text)
	out := Value{Text: t, Pos: v.Pos, End: v.End, Dynamic: v.Dynamic}
	if verbatim {
		out.Pos = v.Pos + token.Pos(lead)
		out.End = out.Pos + token.Pos(len(t))
	}
	return out
}
