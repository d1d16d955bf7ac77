package suppress

import (
	"go/token"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/cachelint/cachelint/dockerfile"
)

// BuildKit reads "check" in two places, and so does cachelint:
//
//   - the parser directive at the top of the file (# check=skip=A,B;
//     error=true), which sets its linter for the whole file;
//   - a comment above an instruction, which BuildKit's instruction parser
//     and its conversion merge into the linter for that instruction alone
//     (linter.WithMergedConfigFromComments): of the comments BuildKit's
//     parser attaches to the instruction (parser.Node.PrevComment: the
//     comment lines since the previous instruction, blank lines allowed,
//     an empty "#" line starting over, the directives left out), the
//     first that reads as a check directive counts, and only when its
//     options parse.
//
// Only skip= matters here; skip=all means all of BuildKit's checks, and is
// left to them. A name that is no cachelint rule is BuildKit's.

// buildkitRules maps BuildKit checks that a cachelint rule supersedes to
// that rule's code: a "# check=skip=SecretsUsedInArgOrEnv" silences
// CL014 too, which reports what BuildKit's check reports (and more), so
// the comment a team wrote for BuildKit keeps working.
var buildkitRules = map[string]string{
	"SecretsUsedInArgOrEnv": "CL014",
}

// BuildKitNames returns the BuildKit checks that the cachelint rule with
// the given code supersedes, sorted: skipping them with "# check=skip="
// silences the rule too.
func BuildKitNames(ruleCode string) []string {
	var names []string
	for name, code := range buildkitRules {
		if code == ruleCode {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// checkDirective adds the file's check directive.
func (r *reader) checkDirective(d dockerfile.Directive) {
	value, _, _ := strings.Cut(d.Value, " ")
	if d.Line < 1 || d.Line > r.f.Tok.LineCount() {
		return
	}
	line := r.f.Line(d.Line)
	c := r.checkComment1(d.Line, line, value)
	if c == nil {
		return
	}
	c.Scope, c.StartLine, c.EndLine = File, 1, max(r.f.Tok.LineCount(), 1)
	r.set.Comments = append(r.set.Comments, c)
}

// checkComment adds the check comment above in, if it has one.
func (r *reader) checkComment(in *dockerfile.Instruction, block []commentLine, directive map[int]bool) {
	var prev []commentLine // what BuildKit's parser keeps as PrevComment
	for _, cl := range block {
		if cl.col < 0 || directive[cl.n] {
			continue
		}
		if bkCommentText(cl) == "" {
			prev = prev[:0]
			continue
		}
		prev = append(prev, cl)
	}
	for _, cl := range prev {
		var p parser.DirectiveParser
		p.SetComment("")
		d, _ := p.ParseLine([]byte(bkCommentText(cl)))
		if d == nil || d.Name != "check" {
			continue
		}
		value, _, _ := strings.Cut(d.Value, " ")
		if c := r.checkComment1(cl.n, cl.text, value); c != nil {
			c.Scope, c.Target, c.StartLine, c.EndLine = Instruction, in, in.StartLine, in.EndLine
			r.set.Comments = append(r.set.Comments, c)
		}
		return // BuildKit stops at the first check comment
	}
}

// bkCommentText is the text BuildKit's parser keeps of a comment line: the
// line without its first byte (the # when the line is not indented),
// trimmed. An indented "# check=" therefore reads as "# check=" and is no
// directive for BuildKit, nor here.
func bkCommentText(cl commentLine) string {
	text := cl.text
	if cl.n == 1 {
		text = strings.TrimPrefix(text, "\xEF\xBB\xBF")
	}
	if text == "" {
		return ""
	}
	return strings.TrimSpace(text[1:])
}

// checkComment1 reads the skip list of the check options value found on
// line n (whose text is line), or returns nil when BuildKit would not
// accept the options or they skip no rule by name.
func (r *reader) checkComment1(n int, line, value string) *Comment {
	cfg, err := linter.ParseLintOptions(value)
	if err != nil || len(cfg.SkipRules) == 0 {
		return nil
	}
	lineStart := r.f.Tok.LineStart(n)
	hash := strings.IndexByte(line, '#')
	c := &Comment{Source: BuildKit, Line: n, Pos: lineStart + token.Pos(max(hash, 0)),
		End: lineStart + token.Pos(len(strings.TrimRight(line, "\r")))}
	// Find the value on the line to place each name: it follows "check",
	// blanks, "=" and blanks.
	at := strings.Index(strings.ToLower(line), "check")
	if at < 0 {
		return nil
	}
	i := at + len("check")
	for i < len(line) && (isBlank(line[i]) || line[i] == '=') {
		i++
	}
	if !strings.HasPrefix(line[i:], value) {
		return nil
	}
	// As linter.ParseLintOptions splits it.
	off := i
	for k, part := range strings.SplitN(value, ";", 3) {
		if k > 0 {
			off++ // the ;
		}
		key, v, _ := strings.Cut(part, "=")
		if strings.TrimSpace(key) == "skip" && strings.TrimSpace(v) != "all" {
			base := off + len(key) + 1
			for name, o := range splitList(v, base) {
				if name == "" {
					continue
				}
				rule := name
				if code, ok := buildkitRules[name]; ok {
					rule = code
				}
				c.Names = append(c.Names, Name{Text: name, Rule: rule, Pos: lineStart + token.Pos(o), End: lineStart + token.Pos(o+len(name))})
			}
		}
		off += len(part)
	}
	if len(c.Names) == 0 {
		return nil
	}
	return c
}
