package lint

import (
	"bytes"
	"go/token"
	"slices"
	"sort"
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
	"github.com/cachelint/cachelint/rules"
)

// Secret values never reach the output. The driver finds them in each file
// and reporters mask them:
//
//   - the value of an ARG or ENV whose name looks like a credential, as
//     rules.SecretInArgEnv (CL014) decides: the driver runs that analyzer on
//     every file, whether or not CL014 reports, and takes the variables it
//     names;
//   - the password of a URL written with one (https://user:pass@host).
//
// FileResult.Secrets holds their ranges, which reporters that show the
// file's text mask (the text format's source lines). Messages and fix
// messages have any secret value that appears in them masked here, and a
// fix whose edits would write one is left with its message only.

// secretAnalyzer is the analyzer whose diagnostics name the secret
// variables.
var secretAnalyzer = rules.SecretInArgEnv

// Mask is what a secret's value is shown as.
const Mask = "***"

// minMaskedLen is the shortest value masked where it appears in a message
// or a fix: shorter ones are no secret, and would mask ordinary words.
// (Their ranges in the file are masked whatever their length.)
const minMaskedLen = 4

// Range is a range of a file: 1-based lines and byte columns, the end
// exclusive.
type Range struct {
	Line, Col, EndLine, EndCol int
}

// secrets holds the secret values of one file.
type secrets struct {
	ranges []Range
	values []string // distinct, longest first, each at least minMaskedLen long
	// For many values: their lengths, and each value's place in values.
	lens    []int
	index   map[string]int
	starred []int // the values with a '*'
}

// indexFrom is the number of values from which mask looks for them
// through an index: with thousands of secrets and of findings, looking
// for each value in each message is quadratic.
const indexFrom = 16

// findSecrets returns the secret values of a Dockerfile: the values of
// the variables the secret analyzer reported (diags), and URL passwords.
func findSecrets(f *dockerfile.File, diags []diag) *secrets {
	if f == nil {
		return &secrets{}
	}
	var spans [][2]int
	for _, d := range diags {
		if d.analyzer != secretAnalyzer {
			continue
		}
		if start, end, ok := valueOf(f, d.Pos, d.End); ok {
			spans = append(spans, [2]int{start, end})
		}
	}
	return newSecrets(f.Tok, f.Src, spans)
}

// newSecrets returns the secrets of a file: the values at spans (byte
// offsets of src), and URL passwords.
func newSecrets(tok *token.File, src []byte, spans [][2]int) *secrets {
	s := &secrets{}
	seen := map[string]bool{}
	add := func(start, end int) {
		if end <= start || end > len(src) {
			return
		}
		p, e := tok.Position(tok.Pos(start)), tok.Position(tok.Pos(end))
		s.ranges = append(s.ranges, Range{p.Line, p.Column, e.Line, e.Column})
		raw := string(src[start:end])
		for _, v := range []string{raw, unquote(raw)} {
			if len(v) >= minMaskedLen && !seen[v] {
				seen[v] = true
				s.values = append(s.values, v)
			}
		}
	}
	for _, sp := range spans {
		add(sp[0], sp[1])
	}
	if bytes.Contains(src, []byte("://")) {
		for _, r := range urlPasswords(string(src)) {
			add(r[0], r[1])
		}
	}
	slices.SortFunc(s.ranges, func(a, b Range) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	slices.SortStableFunc(s.values, func(a, b string) int { return len(b) - len(a) })
	if len(s.values) >= indexFrom {
		s.buildIndex()
	}
	return s
}

// buildIndex indexes the values for mask.
func (s *secrets) buildIndex() {
	s.index = make(map[string]int, len(s.values))
	for i, v := range s.values {
		s.index[v] = i
		if !slices.Contains(s.lens, len(v)) {
			s.lens = append(s.lens, len(v))
		}
		if strings.Contains(v, "*") {
			s.starred = append(s.starred, i)
		}
	}
}

// valueOf finds the value of the variable whose name is at pos-end, as
// the secret analyzer reports it: the rest of its KEY=value word, or, for
// ENV's old form (ENV KEY value ...), the rest of the instruction. It
// returns file offsets.
func valueOf(f *dockerfile.File, pos, end token.Pos) (int, int, bool) {
	// The instructions are in file order: start at the first that ends
	// at pos or after it.
	ins := f.Instructions
	first := sort.Search(len(ins), func(i int) bool { return ins[i].End >= pos })
	for _, in := range ins[first:] {
		if in.Pos > pos {
			break
		}
		if pos > in.End {
			continue
		}
		for i, w := range in.Args {
			if w.Pos != pos {
				continue
			}
			keyLen := int(end - pos)
			if keyLen < len(w.Text) && w.Text[keyLen] == '=' {
				return f.Tok.Offset(w.Pos) + keyLen + 1, f.Tok.Offset(w.End), true
			}
			if in.Keyword == "ENV" && i+1 < len(in.Args) && !strings.Contains(w.Text, "=") {
				return f.Tok.Offset(in.Args[i+1].Pos), f.Tok.Offset(in.Args[len(in.Args)-1].End), true
			}
			return 0, 0, false
		}
	}
	return 0, 0, false
}

// urlPasswords returns the byte ranges of the passwords of URLs written
// with credentials (scheme://user:password@host/...) in b, but for
// passwords that are only a variable reference (${TOKEN}).
func urlPasswords(b string) [][2]int {
	var out [][2]int
	for i := 0; ; {
		k := strings.Index(b[i:], "://")
		if k < 0 {
			return out
		}
		start := i + k + len("://")
		end := start
		for end < len(b) && !strings.ContainsRune("/ \t\r\n\"'`", rune(b[end])) {
			end++
		}
		// The user information ends at the authority's last @.
		if at := strings.LastIndexByte(b[start:end], '@'); at > 0 {
			if c := strings.IndexByte(b[start:start+at], ':'); c >= 0 && c+1 < at && !isVariable(b[start+c+1:start+at]) {
				out = append(out, [2]int{start + c + 1, start + at})
			}
		}
		i = start
	}
}

// unquote removes one pair of matching quotes around s.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// isVariable reports whether s is only a variable reference ($X, ${X}),
// which holds no secret itself.
func isVariable(s string) bool {
	if strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}") && strings.Count(s, "$") == 1 {
		return true
	}
	if !strings.HasPrefix(s, "$") || len(s) < 2 {
		return false
	}
	for _, c := range []byte(s[1:]) {
		word := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !word {
			return false
		}
	}
	return true
}

// mask replaces every secret value and URL password in text.
func (s *secrets) mask(text string) string {
	for _, v := range s.present(text) {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, Mask)
		}
	}
	if pws := urlPasswords(text); len(pws) > 0 {
		var b strings.Builder
		last := 0
		for _, r := range pws {
			b.WriteString(text[last:r[0]])
			b.WriteString(Mask)
			last = r[1]
		}
		b.WriteString(text[last:])
		text = b.String()
	}
	return text
}

// present returns the values that mask replaces in text, longest first:
// all of them when they are few; else those found in text through the
// index, and those with a '*' (which could match once Mask is in).
func (s *secrets) present(text string) []string {
	if s.index == nil {
		return s.values
	}
	var found []int
	for _, n := range s.lens {
		for i := 0; i+n <= len(text); i++ {
			if k, ok := s.index[text[i:i+n]]; ok && !slices.Contains(found, k) {
				found = append(found, k)
			}
		}
	}
	for _, k := range s.starred {
		if !slices.Contains(found, k) {
			found = append(found, k)
		}
	}
	slices.Sort(found)
	out := make([]string, len(found))
	for i, k := range found {
		out[i] = s.values[k]
	}
	return out
}

// maskLines returns lines with the secrets' ranges replaced by Mask (a
// copy when there are any).
func (s *secrets) maskLines(lines []string) []string {
	if len(s.ranges) == 0 {
		return lines
	}
	out := slices.Clone(lines)
	// From the last range back, so that the columns of the earlier ones
	// on a line stay right.
	for _, r := range slices.Backward(s.ranges) {
		if r.Line < 1 || r.EndLine > len(out) || r.EndLine < r.Line {
			continue
		}
		first, last := out[r.Line-1], out[r.EndLine-1]
		start, end := min(max(r.Col-1, 0), len(first)), min(max(r.EndCol-1, 0), len(last))
		if r.Line == r.EndLine {
			if end < start {
				continue
			}
			out[r.Line-1] = first[:start] + Mask + first[end:]
			continue
		}
		out[r.Line-1] = first[:start] + Mask
		for n := r.Line; n < r.EndLine-1; n++ {
			out[n] = ""
		}
		out[r.EndLine-1] = last[end:]
	}
	return out
}

// writes reports whether text holds a secret value or URL password.
func (s *secrets) writes(text string) bool {
	return s.mask(text) != text
}

// apply masks the secrets in the findings' messages and drops the edits
// of fixes that would write one, keeping their messages as advice.
func (s *secrets) apply(findings []Finding) {
	for i := range findings {
		f := &findings[i]
		f.Message = s.mask(f.Message)
		for j := range f.Fixes {
			fix := &f.Fixes[j]
			fix.Message = s.mask(fix.Message)
			if slices.ContainsFunc(fix.Edits, func(e Edit) bool { return s.writes(e.NewText) }) {
				fix.Edits = nil
			}
		}
	}
}
