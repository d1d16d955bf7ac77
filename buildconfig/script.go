package buildconfig

import (
	"bytes"
	"path"
	"sort"
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
)

// script finds the builds a shell script file runs: the whole file is one
// script, run from the repository root (where CI runs it from). Carriage
// returns before line ends are dropped so that a script written on Windows
// reads as the shell would after dos2unix; positions stay those of the file.
func (l *loader) script(f *File) {
	var b segBuilder
	b.addCRLF(f.Src, 0)
	l.scanScript(f, string(b.buf), b.segs, &shellContext{})
}

// segBuilder builds a text out of pieces of a file, keeping where each
// byte came from as dockerfile.Segments.
type segBuilder struct {
	buf  []byte
	segs []dockerfile.Segment
}

// add appends p, which is at file offset off (or stands for what is there).
func (b *segBuilder) add(p []byte, off int) {
	if len(p) == 0 {
		return
	}
	n := len(b.segs)
	switch {
	case n > 0 && b.segs[n-1].Offset+len(b.buf)-b.segs[n-1].Index == off:
		// contiguous with what came before
	case n > 0 && b.segs[n-1].Index == len(b.buf):
		b.segs[n-1].Offset = off
	default:
		b.segs = append(b.segs, dockerfile.Segment{Index: len(b.buf), Offset: off})
	}
	b.buf = append(b.buf, p...)
}

// addCRLF appends p, at file offset off, without the carriage returns of
// its CRLF line ends (and without a byte order mark at its start).
func (b *segBuilder) addCRLF(p []byte, off int) {
	if off == 0 && bytes.HasPrefix(p, []byte("\xef\xbb\xbf")) {
		p, off = p[3:], 3
	}
	start := 0
	for i := 0; i+1 < len(p); i++ {
		if p[i] == '\r' && p[i+1] == '\n' {
			b.add(p[start:i], off+start)
			start = i + 1
		}
	}
	b.add(p[start:], off+start)
}

// offset maps an index of the text built so far to its file offset.
func (b *segBuilder) offset(i int) int {
	if len(b.segs) == 0 {
		return 0
	}
	k := sort.Search(len(b.segs), func(k int) bool { return b.segs[k].Index > i }) - 1
	k = max(k, 0)
	return b.segs[k].Offset + i - b.segs[k].Index
}

// makeVar is a variable a Makefile assigns at top level.
type makeVar struct {
	value    string
	pos, end int  // where the value is written; pos < 0 when not verbatim
	unknown  bool // its value depends on something make cannot know here
	defined  bool // assigned, not only exported
	exported bool
}

// makeRule is a rule with a recipe.
type makeRule struct {
	lines []segBuilder // the recipe's logical lines, prefixes and tabs removed
}

// makefile finds the builds a Makefile's recipes run. Each recipe line is
// a shell script of its own, as make runs it (the whole recipe is one
// script under .ONESHELL). Make variables are expanded before the shell
// sees the line: a variable the Makefile assigns a plain word is put in
// its place; any other reference ($(VAR), ${VAR}, $(shell ...)) becomes a
// shell variable of the same length, unknown, so that positions hold and
// the value is dynamic; $$ is a $. Exported variables are the recipes'
// environment. Recipes run in the Makefile's directory.
func (l *loader) makefile(f *File) {
	mk := parseMakefile(f.Src)
	env := map[string]Value{}
	for name, v := range mk.vars {
		if !v.exported && !mk.exportAll {
			continue
		}
		val := Value{Text: v.value, Dynamic: v.unknown || strings.Contains(v.value, "$")}
		if v.pos >= 0 {
			val.Pos, val.End = f.Pos(v.pos), f.Pos(v.end)
		}
		env[name] = val
	}
	dir := path.Dir(f.Rel)
	if dir == "." {
		dir = ""
	}
	for _, r := range mk.rules {
		var scripts []segBuilder
		if mk.oneShell {
			var b segBuilder
			for i, ln := range r.lines {
				if i > 0 {
					b.add([]byte{'\n'}, ln.offset(0))
				}
				for k, sg := range ln.segs {
					end := len(ln.buf)
					if k+1 < len(ln.segs) {
						end = ln.segs[k+1].Index
					}
					b.add(ln.buf[sg.Index:end], sg.Offset)
				}
			}
			scripts = append(scripts, b)
		} else {
			scripts = r.lines
		}
		for _, s := range scripts {
			if len(bytes.TrimSpace(s.buf)) == 0 {
				continue
			}
			x, refs := mk.expand(s)
			first := len(l.repo.Builds)
			l.scanScript(f, string(x.buf), x.segs, &shellContext{Env: env, Dir: dir})
			for _, b := range l.repo.Builds[first:] {
				restoreWritten(f, b, refs)
			}
		}
	}
}

// mkRef is a make reference that expand replaced by a shell variable.
type mkRef struct {
	off               int // where the reference is written
	written, replaced string
}

// restoreWritten puts back, in the dynamic values of a build, the make
// references the expansion replaced by shell variables of the same
// length, so that a value reads as written in the Makefile.
func restoreWritten(f *File, b *Build, refs []mkRef) {
	fix := func(v *Value) {
		if !v.Dynamic || !v.Pos.IsValid() || f.Tok == nil {
			return
		}
		p, e := f.Tok.Offset(v.Pos), f.Tok.Offset(v.End)
		var sb strings.Builder
		rest := v.Text
		for _, r := range refs {
			if r.off < p || r.off >= e {
				continue
			}
			i := strings.Index(rest, r.replaced)
			if i < 0 {
				return
			}
			sb.WriteString(rest[:i])
			sb.WriteString(r.written)
			rest = rest[i+len(r.replaced):]
		}
		sb.WriteString(rest)
		v.Text = sb.String()
	}
	for _, v := range []*Value{&b.Context, &b.Dockerfile, &b.Target, &b.NoCache, &b.Provenance} {
		fix(v)
	}
	for _, vs := range [][]Value{b.Tags, b.Outputs, b.Platforms, b.NoCacheFilters, b.Secrets} {
		for i := range vs {
			fix(&vs[i])
		}
	}
	for i := range b.BuildArgs {
		fix(&b.BuildArgs[i].Value)
	}
	for _, cs := range [][]*CacheSpec{b.CacheFrom, b.CacheTo} {
		for _, c := range cs {
			fix(&c.Value)
			for i := range c.Attrs {
				fix(&c.Attrs[i].Value)
			}
		}
	}
}

// mkFile is what the Makefile parser finds.
type mkFile struct {
	vars      map[string]*makeVar
	rules     []*makeRule
	oneShell  bool
	exportAll bool
}

// mkLine is a physical line: its content without the line end, and where
// it starts.
type mkLine struct {
	text []byte
	off  int
}

func splitLines(src []byte) []mkLine {
	var out []mkLine
	for off := 0; off < len(src); {
		end := bytes.IndexByte(src[off:], '\n')
		next := len(src)
		if end < 0 {
			end = len(src)
		} else {
			end += off
			next = end + 1
		}
		out = append(out, mkLine{bytes.TrimSuffix(src[off:end], []byte{'\r'}), off})
		off = next
	}
	return out
}

// continued reports whether a line ends in a backslash that joins it to
// the next (an odd number of backslashes).
func continued(t []byte) bool {
	n := 0
	for i := len(t) - 1; i >= 0 && t[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// parseMakefile reads the rules, recipes and variables of a Makefile. It
// does not evaluate conditionals: the recipe lines of both branches are
// kept, and a variable assigned inside a conditional is unknown.
func parseMakefile(src []byte) *mkFile {
	if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
		src = append([]byte("   "), src[3:]...) // blanks keep the offsets
	}
	mk := &mkFile{vars: map[string]*makeVar{}}
	lines := splitLines(src)
	var rule *makeRule
	cond, define := 0, 0
	for i := 0; i < len(lines); i++ {
		ln := lines[i]
		if define > 0 {
			w := firstWord(ln.text)
			switch {
			case w == "endef":
				define--
			case w == "define" || (w == "export" || w == "override") && secondWord(ln.text) == "define":
				define++
			}
			continue
		}
		if len(ln.text) > 0 && ln.text[0] == '\t' && rule != nil {
			// A recipe line, with its continuations: make keeps the
			// backslash-newline for the shell and drops the tab that
			// starts the next line.
			var b segBuilder
			t := bytes.TrimLeft(ln.text[1:], "@-+ \t")
			b.add(t, ln.off+len(ln.text)-len(t))
			for continued(ln.text) && i+1 < len(lines) {
				i++
				ln = lines[i]
				b.add([]byte{'\n'}, ln.off-1)
				t, off := ln.text, ln.off
				if len(t) > 0 && t[0] == '\t' {
					t, off = t[1:], off+1
				}
				b.add(t, off)
			}
			// A line end after the script keeps the end of its last word
			// mapped to the file.
			b.add([]byte{'\n'}, ln.off+len(ln.text))
			rule.lines = append(rule.lines, b)
			continue
		}
		// A logical line: continuations joined by a space.
		var b segBuilder
		b.add(ln.text, ln.off)
		for continued(ln.text) && i+1 < len(lines) {
			b.buf = bytes.TrimRight(b.buf[:len(b.buf)-1], " \t")
			i++
			ln = lines[i]
			t := bytes.TrimLeft(ln.text, " \t")
			b.add([]byte{' '}, ln.off)
			b.add(t, ln.off+len(ln.text)-len(t))
		}
		text := stripMakeComment(b.buf)
		trimmed := bytes.TrimSpace(text)
		if len(trimmed) == 0 {
			continue // blank lines and comments do not end a recipe
		}
		switch w := firstWord(trimmed); w {
		case "ifeq", "ifneq", "ifdef", "ifndef":
			cond++
			continue
		case "else":
			continue
		case "endif":
			cond = max(cond-1, 0)
			continue
		case "define":
			define++
			mk.unknown(secondWord(trimmed))
			continue
		case "include", "-include", "sinclude", "vpath", "undefine", "unexport", "$(eval", "${eval":
			rule = nil
			continue
		}
		rule = nil
		lead := len(text) - len(bytes.TrimLeft(text, " \t"))
		if mk.assignment(trimmed, b.offset(lead), len(text) == len(b.buf) && len(b.segs) == 1, cond > 0) {
			continue
		}
		colon := ruleColon(trimmed)
		if colon < 0 {
			continue
		}
		targets := string(bytes.TrimSpace(trimmed[:colon]))
		rest := trimmed[colon+1:]
		rest = bytes.TrimLeft(rest, ":&") // :: rules, &: grouped targets
		switch targets {
		case ".ONESHELL":
			mk.oneShell = true
			continue
		case ".EXPORT_ALL_VARIABLES":
			mk.exportAll = true
			continue
		}
		semi := bytes.IndexByte(rest, ';')
		prereqs := rest
		if semi >= 0 {
			prereqs = rest[:semi]
		}
		if bytes.ContainsRune(prereqs, '=') && !bytes.Contains(prereqs, []byte("$(")) && !bytes.Contains(prereqs, []byte("${")) {
			continue // a target-specific variable
		}
		rule = &makeRule{}
		mk.rules = append(mk.rules, rule)
		if semi >= 0 {
			// target: prereqs ; recipe
			idx := lead + (len(trimmed) - len(rest)) + semi + 1
			var rb segBuilder
			for k, sg := range b.segs {
				end := len(b.buf)
				if k+1 < len(b.segs) {
					end = b.segs[k+1].Index
				}
				if end <= idx {
					continue
				}
				s, e := max(sg.Index, idx), min(end, len(text))
				if s >= e {
					continue // past the comment that ends the line
				}
				rb.add(b.buf[s:e], sg.Offset+s-sg.Index)
			}
			rb.buf = bytes.TrimRight(rb.buf, " \t")
			rb.add([]byte{'\n'}, b.offset(len(b.buf)-1)+1)
			rule.lines = append(rule.lines, rb)
		}
	}
	return mk
}

// stripMakeComment cuts a make comment (# not escaped, outside a recipe).
func stripMakeComment(t []byte) []byte {
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '\\':
			i++
		case '#':
			return t[:i]
		}
	}
	return t
}

func firstWord(t []byte) string {
	t = bytes.TrimLeft(t, " \t")
	if i := bytes.IndexAny(t, " \t"); i >= 0 {
		t = t[:i]
	}
	return string(t)
}

func secondWord(t []byte) string {
	t = bytes.TrimLeft(t, " \t")
	i := bytes.IndexAny(t, " \t")
	if i < 0 {
		return ""
	}
	return firstWord(t[i:])
}

// ruleColon returns the index of the colon that makes a line a rule, -1
// when there is none (outside variable references).
func ruleColon(t []byte) int {
	depth := 0
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '(', '{':
			depth++
		case ')', '}':
			depth = max(depth-1, 0)
		case ':':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// assignment records a variable assignment (VAR = v, :=, ::=, :::=, ?=,
// +=, !=, with export/override/private before it) and reports whether
// the line is one. off is the file offset of t; verbatim says t is the
// file's text there (no continuation joined).
func (mk *mkFile) assignment(t []byte, off int, verbatim, conditional bool) bool {
	exported := false
	for {
		w := firstWord(t)
		if w != "export" && w != "override" && w != "private" {
			break
		}
		rest := bytes.TrimLeft(t[len(w):], " \t")
		if len(rest) > 0 && bytes.IndexByte([]byte("=:?+!"), rest[0]) >= 0 {
			break // a variable named export
		}
		if w == "export" {
			exported = true
		}
		off += len(t) - len(rest)
		t = rest
	}
	depth := 0
	opAt, opLen := -1, 0
scan:
	for i := 0; i < len(t); i++ {
		switch c := t[i]; c {
		case '(', '{':
			depth++
		case ')', '}':
			depth = max(depth-1, 0)
		case ':':
			if depth > 0 {
				continue
			}
			n := 1
			for i+n < len(t) && t[i+n] == ':' && n < 3 {
				n++
			}
			if i+n < len(t) && t[i+n] == '=' {
				opAt, opLen = i, n+1
			}
			break scan
		case '=':
			if depth > 0 {
				continue
			}
			opAt, opLen = i, 1
			if i > 0 && (t[i-1] == '?' || t[i-1] == '+' || t[i-1] == '!') {
				opAt, opLen = i-1, 2
			}
			break scan
		}
	}
	if opAt < 0 {
		if exported {
			// export VAR ... : marks variables exported
			for _, name := range strings.Fields(string(t)) {
				mk.variable(name).exported = true
			}
			return true
		}
		return false
	}
	name := string(bytes.TrimSpace(t[:opAt]))
	if name == "" || strings.ContainsAny(name, " \t$") {
		return opAt >= 0 && name != "" // a computed name: an assignment we cannot follow
	}
	op := string(t[opAt : opAt+opLen])
	raw := t[opAt+opLen:]
	val := bytes.TrimLeft(raw, " \t")
	valOff := off + opAt + opLen + len(raw) - len(val)
	val = bytes.TrimRight(val, " \t")
	v := mk.variable(name)
	v.exported = v.exported || exported
	set := func(s string) {
		v.defined = true
		v.value = s
		v.pos, v.end = -1, -1
		if verbatim {
			v.pos, v.end = valOff, valOff+len(val)
		}
		v.unknown = conditional
	}
	switch op {
	case "?=":
		if !v.defined {
			set(string(val))
		}
	case "+=":
		if !v.defined {
			set(string(val))
		} else {
			v.value += " " + string(val)
			v.pos = -1
			v.unknown = v.unknown || conditional
		}
	case "!=":
		set(string(val))
		v.unknown = true
	default:
		set(string(val))
	}
	return true
}

func (mk *mkFile) variable(name string) *makeVar {
	v := mk.vars[name]
	if v == nil {
		v = &makeVar{}
		mk.vars[name] = v
	}
	return v
}

func (mk *mkFile) unknown(name string) {
	if name != "" {
		v := mk.variable(name)
		v.unknown, v.defined, v.pos = true, true, -1
	}
}

// literal returns the value of a variable when it is known and a plain
// word the shell reads as itself, expanding the variables it refers to.
func (mk *mkFile) literal(name string, depth int) (string, bool) {
	v := mk.vars[name]
	if v == nil || v.unknown || depth > 8 {
		return "", false
	}
	s := v.value
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			sb.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) || (s[i+1] != '(' && s[i+1] != '{') {
			return "", false
		}
		end := matchingClose(s, i+1)
		if end < 0 {
			return "", false
		}
		inner, ok := mk.literal(s[i+2:end], depth+1)
		if !ok {
			return "", false
		}
		sb.WriteString(inner)
		i = end
	}
	out := sb.String()
	if out == "" || strings.IndexFunc(out, func(r rune) bool { return !plainWordRune(r) }) >= 0 {
		return "", false
	}
	return out, true
}

// plainWordRune reports whether a shell reads r in a word as itself.
func plainWordRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("._/:@%+,=-^", r)
}

// matchingClose returns the index of the bracket closing the one at
// s[open], counting only brackets of its kind as make does; -1 when none.
func matchingClose(s string, open int) int {
	o := s[open]
	c := byte(')')
	if o == '{' {
		c = '}'
	}
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case o:
			depth++
		case c:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// expand does what make does to a recipe line before the shell sees it:
// it expands variable references and turns $$ into $.
func (mk *mkFile) expand(in segBuilder) (segBuilder, []mkRef) {
	var out segBuilder
	var refs []mkRef
	s := string(in.buf)
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			out.add([]byte{s[i]}, in.offset(i))
			continue
		}
		if i+1 >= len(s) {
			out.add([]byte{'$'}, in.offset(i))
			continue
		}
		switch n := s[i+1]; n {
		case '$':
			out.add([]byte{'$'}, in.offset(i))
			i++
		case '(', '{':
			end := matchingClose(s, i+1)
			if end < 0 {
				out.add([]byte("$_"), in.offset(i))
				i++
				continue
			}
			inner := s[i+2 : end]
			if v, ok := mk.literal(inner, 0); ok {
				out.add([]byte(v), in.offset(i))
			} else {
				ph := placeholder(inner)
				refs = append(refs, mkRef{in.offset(i), s[i : end+1], ph})
				out.add([]byte(ph), in.offset(i))
			}
			i = end
		case '\n':
			out.add([]byte{'$'}, in.offset(i))
		default:
			if v, ok := mk.literal(string(n), 0); ok {
				out.add([]byte(v), in.offset(i))
			} else if isNameByte(n) && (n < '0' || n > '9') {
				out.add([]byte{'$', n}, in.offset(i))
			} else {
				refs = append(refs, mkRef{in.offset(i), s[i : i+2], "$_"})
				out.add([]byte("$_"), in.offset(i))
			}
			i++
		}
	}
	return out, refs
}

// placeholder is an unknown shell variable as long as the make reference
// $(inner) it stands for.
func placeholder(inner string) string {
	if inner == "" {
		return "$__"
	}
	b := []byte("${" + inner + "}")
	for i := 2; i < len(b)-1; i++ {
		if !isNameByte(b[i]) {
			b[i] = '_'
		}
	}
	if b[2] >= '0' && b[2] <= '9' {
		b[2] = '_'
	}
	return string(b)
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
