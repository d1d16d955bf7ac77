// Package suppress reads the comments of a Dockerfile that silence
// findings: cachelint's own (# cachelint ignore=...), BuildKit's check
// directive and its per-instruction comment (# check=skip=...), and
// hadolint's ignore pragmas (# hadolint ignore=...) for the hadolint
// checks that a cachelint rule covers, so that one comment silences both
// tools. The driver applies them to a build unit's findings; this package
// only reads them, and knows no rule but by the names the comments give.
package suppress

import (
	"bytes"
	"go/token"
	"reflect"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// Analyzer provides the suppressions of the build unit's Dockerfile as a
// *Set. It reports nothing itself.
var Analyzer = &analysis.Analyzer{
	Name:             "suppress",
	Doc:              "reads the comments of the Dockerfile that silence findings",
	Requires:         []*analysis.Analyzer{dockerfile.Analyzer},
	Run:              run,
	ResultType:       reflect.TypeFor[*Set](),
	RunDespiteErrors: true,
}

// Source is the tool whose syntax a suppression comment uses.
type Source int

// Sources of suppression comments.
const (
	Cachelint Source = iota // # cachelint [global|stage] ignore=...
	BuildKit                // # check=skip=... (directive or above an instruction)
	Hadolint                // # hadolint [global|stage] ignore=...
)

// String names the source as the comment writes it.
func (s Source) String() string {
	switch s {
	case BuildKit:
		return "check"
	case Hadolint:
		return "hadolint"
	}
	return "cachelint"
}

// Scope is what a suppression comment covers.
type Scope int

// Scopes, from the narrowest.
const (
	Instruction Scope = iota // the instruction below the comment
	Stage                    // the stage of the FROM below the comment
	File                     // the whole file
)

// Set is every suppression comment of a file, in line order.
type Set struct {
	Comments []*Comment
}

// Comment is one suppression comment.
type Comment struct {
	Source Source
	Scope  Scope
	Line   int       // the comment's line
	Pos    token.Pos // the comment, from its # to the end of its line
	End    token.Pos
	Names  []Name // the rules it names, in order
	Reason string // the text after " -- " (cachelint comments only)

	// StartLine and EndLine are the lines it covers: those of the
	// instruction or stage below it, or all of the file. Both are 0 when
	// it covers nothing, which Problem then explains.
	StartLine, EndLine int
	// Target is the instruction below the comment (nil for File scope
	// and when it covers nothing); for Stage scope, the stage's FROM.
	Target *dockerfile.Instruction
	// Problem says why a cachelint comment silences nothing whatever the
	// findings: it is not where it must be, or it cannot be read. It is
	// "" for a comment that works.
	Problem string
}

// Name is one rule a comment names, with its place in the comment.
type Name struct {
	// Text is the name as written: CL003, missing-cache-mount, DL3009,
	// JSONArgsRecommended.
	Text string
	// Rule is the cachelint rule code or name it stands for: Text, or for
	// a hadolint code the code of the cachelint rule that covers it.
	Rule     string
	Pos, End token.Pos
}

// Covers reports whether the comment applies to a finding on the given
// line of the file.
func (c *Comment) Covers(line int) bool {
	return c.StartLine > 0 && c.StartLine <= line && line <= c.EndLine
}

func run(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	return Read(f), nil
}

// Read returns the suppressions of a Dockerfile. A file that BuildKit
// cannot parse has none: where its instructions are is not known.
func Read(f *dockerfile.File) *Set {
	s := &Set{}
	if f.ParseErr != nil || !mayHaveSuppression(f.Src) {
		return s
	}
	r := reader{f: f, set: s}
	r.read()
	return s
}

// mayHaveSuppression spares the line scan for the many files that do not
// mention cachelint (in lower, capitalised or upper case) or hadolint and
// have no "check" followed by "=".
func mayHaveSuppression(src []byte) bool {
	if bytes.Contains(src, []byte("achelint")) || bytes.Contains(src, []byte("ACHELINT")) || bytes.Contains(src, []byte("hadolint")) {
		return true
	}
	for rest := src; ; {
		i := bytes.Index(rest, []byte("check"))
		if i < 0 {
			return false
		}
		rest = bytes.TrimLeft(rest[i+len("check"):], " \t")
		if len(rest) > 0 && rest[0] == '=' {
			return true
		}
	}
}

// reader walks the lines between instructions, where comments are.
type reader struct {
	f   *dockerfile.File
	set *Set
}

// commentLine is a comment line between instructions.
type commentLine struct {
	n    int    // line number
	text string // the line without its line ending
	col  int    // byte offset of the # in the line
}

func (r *reader) read() {
	f := r.f
	// Lines that are parser directives are not comments of the first
	// instruction (BuildKit drops them), but the check directive is read
	// as a file-wide suppression.
	directive := map[int]bool{}
	for _, d := range f.Directives {
		directive[d.Line] = true
	}
	if d, ok := directiveNamed(f, "check"); ok {
		r.checkDirective(d)
	}
	prevEnd := 0
	for _, in := range f.Instructions {
		var block []commentLine
		for n := prevEnd + 1; n < in.StartLine; n++ {
			if cl, ok := r.comment(n); ok {
				block = append(block, cl)
			} else {
				block = append(block, commentLine{n: n, col: -1}) // blank line
			}
		}
		r.above(in, block, directive)
		prevEnd = max(prevEnd, in.EndLine)
	}
	var tail []commentLine
	for n := prevEnd + 1; n <= f.Tok.LineCount(); n++ {
		if cl, ok := r.comment(n); ok {
			tail = append(tail, cl)
		}
	}
	r.above(nil, tail, directive)
}

func directiveNamed(f *dockerfile.File, name string) (dockerfile.Directive, bool) {
	for _, d := range f.Directives {
		if d.Name == name {
			return d, true
		}
	}
	return dockerfile.Directive{}, false
}

// comment returns line n when it is a comment line: its first non-blank
// character is #, as BuildKit's parser decides.
func (r *reader) comment(n int) (commentLine, bool) {
	text := r.f.Line(n)
	start := 0
	if n == 1 {
		start = len(text) - len(strings.TrimPrefix(text, "\xEF\xBB\xBF"))
	}
	i := start
	for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
		i++
	}
	if i >= len(text) || text[i] != '#' {
		return commentLine{}, false
	}
	return commentLine{n: n, text: text, col: i}, true
}

// above reads the comment lines (and blank lines, col < 0) between the
// previous instruction and in; in is nil for the lines after the last one.
func (r *reader) above(in *dockerfile.Instruction, block []commentLine, directive map[int]bool) {
	// The comments that touch the instruction: the comment lines right
	// above it, up to a blank line.
	touching := len(block)
	for touching > 0 && block[touching-1].col >= 0 {
		touching--
	}
	for i, cl := range block {
		if cl.col < 0 || directive[cl.n] {
			continue
		}
		body := cl.text[cl.col+1:]
		var target *dockerfile.Instruction
		if i >= touching {
			target = in
		}
		if c, ok := parseCachelint(body); ok {
			r.place(c, cl, target)
			continue
		}
		if c, ok := parseHadolint(body); ok {
			if c.Scope == File || (in != nil && i == len(block)-1) {
				r.place(c, cl, in) // hadolint: only the line right above counts
			}
		}
	}
	if in != nil {
		r.checkComment(in, block, directive)
	}
}

// place fills in where a parsed comment is and what it covers, and adds it.
func (r *reader) place(c *parsed, cl commentLine, target *dockerfile.Instruction) {
	f := r.f
	lineStart := f.Tok.LineStart(cl.n)
	at := func(off int) token.Pos { return lineStart + token.Pos(cl.col+1+off) }
	cm := &Comment{
		Source: c.Source, Scope: c.Scope, Line: cl.n,
		Pos: lineStart + token.Pos(cl.col), End: lineStart + token.Pos(len(strings.TrimRight(cl.text, "\r"))),
		Reason: c.Reason, Problem: c.Problem,
	}
	for _, nm := range c.Names {
		cm.Names = append(cm.Names, Name{Text: nm.text, Rule: nm.rule, Pos: at(nm.start), End: at(nm.end)})
	}
	if cm.Problem == "" {
		switch {
		case c.Scope == File:
			cm.StartLine, cm.EndLine = 1, max(f.Tok.LineCount(), 1)
		case target == nil:
			cm.Problem = "it is not directly above an instruction"
		case c.Scope == Stage && target.Keyword != "FROM":
			cm.Problem = "a stage suppression must be directly above a FROM, and the instruction below it is " + target.Keyword
		case c.Scope == Stage:
			cm.Target = target
			cm.StartLine, cm.EndLine = target.StartLine, stageEnd(f, target)
		default:
			cm.Target = target
			cm.StartLine, cm.EndLine = target.StartLine, target.EndLine
		}
	}
	if c.Source == Hadolint && cm.Problem != "" {
		return // hadolint's business: cachelint only follows it where it applies
	}
	r.set.Comments = append(r.set.Comments, cm)
}

// stageEnd is the last line of the stage that the FROM from starts.
func stageEnd(f *dockerfile.File, from *dockerfile.Instruction) int {
	end := from.EndLine
	for _, st := range f.Stages {
		if st.From != from {
			continue
		}
		for _, in := range st.Instructions {
			end = max(end, in.EndLine)
		}
	}
	return end
}
