package suppress

import (
	"iter"
	"strings"
)

// parsed is a suppression comment read from the text after its #.
type parsed struct {
	Source  Source
	Scope   Scope
	Names   []parsedName
	Reason  string
	Problem string
}

// parsedName is a name with its byte range in the text after the #.
type parsedName struct {
	text, rule string
	start, end int
}

// usage is how a cachelint suppression is written, for messages.
const usage = "# cachelint ignore=CODE[,CODE...] [-- reason]"

// parseCachelint reads cachelint's own comment, given the text after the
// #:
//
//	cachelint ignore=CL001,CL003 -- reason
//	cachelint global ignore=CL003
//	cachelint stage ignore=copy-before-install
//
// A comment that starts with the word cachelint and mentions ignore but
// does not follow that form is returned with a Problem, so that a typo is
// not silently taken for prose. Other comments are not cachelint's.
func parseCachelint(body string) (*parsed, bool) {
	s := scanner{text: body}
	s.spaces()
	if !s.wordFold("cachelint") {
		return nil, false
	}
	if !strings.Contains(strings.ToLower(body[s.pos:]), "ignore") {
		return nil, false // prose that starts with the word cachelint
	}
	bad := &parsed{Source: Cachelint, Problem: "it cannot be read as `" + usage + "`"}
	if !s.exact("cachelint") || !s.spaces1() {
		return bad, true
	}
	p := &parsed{Source: Cachelint, Scope: Instruction}
	switch {
	case s.exact("global"):
		p.Scope = File
		if !s.spaces1() {
			return bad, true
		}
	case s.exact("stage"):
		p.Scope = Stage
		if !s.spaces1() {
			return bad, true
		}
	}
	if !s.exact("ignore") {
		return bad, true
	}
	s.spaces()
	if !s.exact("=") {
		return bad, true
	}
	s.spaces()
	list := body[s.pos:]
	if i := reasonStart(list); i >= 0 {
		p.Reason = strings.TrimSpace(list[i+len(" --"):])
		list = list[:i]
	}
	list = strings.TrimRight(list, " \t\r")
	for part, off := range splitList(list, s.pos) {
		if !isRuleName(part) {
			return bad, true
		}
		p.Names = append(p.Names, parsedName{text: part, rule: part, start: off, end: off + len(part)})
	}
	if len(p.Names) == 0 {
		return bad, true
	}
	return p, true
}

// reasonStart finds the " -- " (or tab) that starts the reason.
func reasonStart(s string) int {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == '-' && s[i+1] == '-' && (s[i-1] == ' ' || s[i-1] == '\t') {
			return i - 1
		}
	}
	return -1
}

// splitList yields the comma-separated items of s with spaces trimmed,
// each with its offset (s starts at base); an empty item is yielded as "".
func splitList(s string, base int) iter.Seq2[string, int] {
	return func(yield func(string, int) bool) {
		if strings.TrimSpace(s) == "" {
			return
		}
		off := 0
		for {
			item, _, more := strings.Cut(s[off:], ",")
			lead := len(item) - len(strings.TrimLeft(item, " \t"))
			if !yield(strings.TrimSpace(item), base+off+lead) {
				return
			}
			if !more {
				return
			}
			off += len(item) + 1
		}
	}
}

// isRuleName reports whether s can be a rule code or name: letters,
// digits, dashes and underscores.
func isRuleName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// parseHadolint reads hadolint's ignore pragmas as hadolint's own grammar
// has them (src/Hadolint/Pragma.hs), given the text after the #:
//
//	hadolint ignore=DL3009,SC2086 # an optional comment
//	hadolint global ignore=DL3009
//	hadolint stage ignore=DL3006
//
// Blanks are spaces and tabs; a rule name is made of the letters D, L, S,
// C and digits; a comment that does not follow the form is not a pragma,
// for hadolint as here. Only the codes that a cachelint rule covers are
// kept (see HadolintRules); a comment with none of them is not returned.
func parseHadolint(body string) (*parsed, bool) {
	s := scanner{text: strings.TrimRight(body, "\r")}
	s.spaces()
	if !s.exact("hadolint") || !s.spaces1() {
		return nil, false
	}
	p := &parsed{Source: Hadolint, Scope: Instruction}
	switch {
	case s.exact("global"):
		p.Scope = File
		if !s.spaces1() {
			return nil, false
		}
	case s.exact("stage"):
		p.Scope = Stage
		if !s.spaces1() {
			return nil, false
		}
	}
	if !s.exact("ignore") {
		return nil, false
	}
	s.spaces()
	if !s.exact("=") {
		return nil, false
	}
	s.spaces()
	for {
		start := s.pos
		for s.pos < len(s.text) && strings.IndexByte("DLSC0123456789", s.text[s.pos]) >= 0 {
			s.pos++
		}
		if s.pos == start {
			return nil, false
		}
		code := s.text[start:s.pos]
		if rule, ok := hadolintRules[code]; ok {
			p.Names = append(p.Names, parsedName{text: code, rule: rule, start: start, end: s.pos})
		}
		// Each name may be followed by a # comment, which runs to the end.
		s.spaces()
		if s.exact("#") {
			s.pos = len(s.text)
		}
		s.spaces()
		if s.pos == len(s.text) {
			break
		}
		if !s.exact(",") {
			return nil, false
		}
		s.spaces()
	}
	if len(p.Names) == 0 {
		return nil, false
	}
	return p, true
}

// scanner walks the text of a comment.
type scanner struct {
	text string
	pos  int
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// spaces skips blanks.
func (s *scanner) spaces() {
	for s.pos < len(s.text) && isBlank(s.text[s.pos]) {
		s.pos++
	}
}

// spaces1 skips at least one blank.
func (s *scanner) spaces1() bool {
	start := s.pos
	s.spaces()
	return s.pos > start
}

// exact consumes w when the text goes on with it.
func (s *scanner) exact(w string) bool {
	if strings.HasPrefix(s.text[s.pos:], w) {
		s.pos += len(w)
		return true
	}
	return false
}

// wordFold reports whether the text goes on with the word w, in any case,
// followed by a blank, a colon or the end; it consumes nothing.
func (s *scanner) wordFold(w string) bool {
	rest := s.text[s.pos:]
	if len(rest) < len(w) || !strings.EqualFold(rest[:len(w)], w) {
		return false
	}
	return len(rest) == len(w) || isBlank(rest[len(w)]) || rest[len(w)] == ':' || rest[len(w)] == '='
}
