package lint

import (
	"fmt"
	"go/token"
	"slices"
	"strings"

	"github.com/cachelint/cachelint/rules"
	"github.com/cachelint/cachelint/suppress"
)

// suppressed drops the findings that the unit's suppression comments
// silence, and, when the unused-suppression rule is on, adds a finding for
// each comment that silences nothing, or names what silences nothing.
func (l *Linter) suppressed(fset *token.FileSet, u Unit, set *suppress.Set, findings []Finding, settings *Settings) []Finding {
	if len(set.Comments) == 0 {
		return findings
	}
	byKey := make(map[string]*rules.Rule, 2*len(l.rules))
	for _, r := range l.rules {
		byKey[strings.ToLower(r.Code)] = r
		byKey[strings.ToLower(r.Name())] = r
	}
	// The rule code each name stands for, "" when it names no rule.
	codes := make([][]string, len(set.Comments))
	used := make([][]bool, len(set.Comments))
	for i, c := range set.Comments {
		codes[i] = make([]string, len(c.Names))
		used[i] = make([]bool, len(c.Names))
		for j, n := range c.Names {
			if r, ok := byKey[strings.ToLower(n.Rule)]; ok {
				codes[i][j] = r.Code
			}
		}
	}
	matches := func(i, j int, f *Finding) bool {
		n := set.Comments[i].Names[j].Rule
		return codes[i][j] == f.Code || strings.EqualFold(n, f.Code) || strings.EqualFold(n, f.Rule)
	}
	kept := make([]Finding, 0, len(findings))
	for k := range findings {
		f := &findings[k]
		silenced := false
		for i, c := range set.Comments {
			if c.Problem != "" || !c.Covers(f.Line) {
				continue
			}
			if c.Source == suppress.BuildKit && !strings.HasPrefix(f.Code, "CL") {
				continue // BuildKit's own checks read their check comments themselves
			}
			for j := range c.Names {
				if matches(i, j, f) {
					used[i][j] = true // every comment that silences it is used
					silenced = true
				}
			}
		}
		if !silenced {
			kept = append(kept, *f)
		}
	}

	unused := l.unusedRule()
	if unused == nil || !settings.On(unused.Code) {
		return kept
	}
	var reports []Finding
	for i, c := range set.Comments {
		if f, ok := l.unusedFinding(fset, u, c, codes[i], used[i], byKey, settings, unused); ok {
			reports = append(reports, f)
		}
	}
	// A global suppression of the rule itself silences its findings.
	for _, f := range reports {
		silenced := false
		for i, c := range set.Comments {
			if c.Problem != "" || c.Scope != suppress.File {
				continue
			}
			for j := range c.Names {
				if matches(i, j, &f) {
					silenced = true
				}
			}
		}
		if !silenced {
			kept = append(kept, f)
		}
	}
	slices.SortFunc(kept, compareFindings)
	return kept
}

// unusedRule is the unused-suppression rule, when the linter has it.
func (l *Linter) unusedRule() *rules.Rule {
	return l.byAnalyzer[rules.UnusedSuppression]
}

// unusedFinding reports what of comment c silences nothing, if anything.
func (l *Linter) unusedFinding(fset *token.FileSet, u Unit, c *suppress.Comment, codes []string, used []bool, byKey map[string]*rules.Rule, settings *Settings, rule *rules.Rule) (Finding, bool) {
	f := Finding{
		Path: u.Path, AbsPath: u.AbsPath,
		Code: rule.Code, Rule: rule.Name(), Severity: settings.Severity[rule.Code], URL: rule.URL(),
	}
	at := func(pos, end token.Pos) {
		s, e := fset.Position(pos), fset.Position(end)
		f.Line, f.Col, f.EndLine, f.EndCol = s.Line, s.Column, e.Line, e.Column
	}
	switch c.Source {
	case suppress.Hadolint:
		return f, false // there for hadolint, whatever cachelint makes of it
	case suppress.Cachelint:
		if c.Problem != "" {
			at(c.Pos, c.End)
			f.Message = "this suppression silences nothing: " + c.Problem
			help := "put it on the line right above the instruction it is for (comment lines may come between, a blank line may not)"
			if strings.HasPrefix(c.Problem, "it cannot be read") {
				help = "write it as `# cachelint ignore=CL003,CL025 -- reason`, with `global ignore=` for the file or `stage ignore=` above a FROM for the stage"
			}
			f.Fixes = []Fix{{Message: help}}
			return f, true
		}
	}

	var unusedNames, unknown, off []string
	var drop []int // indexes of the names to remove
	for j, n := range c.Names {
		code := codes[j]
		switch {
		case used[j]:
			continue
		case code == rule.Code:
			continue // the rule itself: whether it silenced anything is not known yet
		case c.Source == suppress.BuildKit && (code == "" || !strings.HasPrefix(code, "CL") || n.Text != n.Rule):
			continue // BuildKit's own check (or one a cachelint rule supersedes), or a name BuildKit may know
		case code == "":
			unknown = append(unknown, "`"+n.Text+"`")
		case !settings.On(code):
			off = append(off, byKey[strings.ToLower(code)].Code)
		default:
			unusedNames = append(unusedNames, code)
		}
		drop = append(drop, j)
	}
	if len(drop) == 0 {
		return f, false
	}
	at(c.Names[drop[0]].Pos, c.Names[drop[len(drop)-1]].End)

	var written []string
	for _, j := range drop {
		written = append(written, c.Names[j].Text)
	}
	var why []string
	if len(unusedNames) > 0 {
		why = append(why, fmt.Sprintf("%s has no %s finding", scopeText(c), orList(unusedNames)))
	}
	if len(unknown) > 0 {
		verb := "names no rule"
		if len(unknown) > 1 {
			verb = "name no rule"
		}
		why = append(why, orList(unknown)+" "+verb)
	}
	if len(off) > 0 {
		verb := "is off"
		if len(off) > 1 {
			verb = "are off"
		}
		why = append(why, andList(off)+" "+verb+" for this file")
	}
	form := "`# cachelint ignore=`"
	switch {
	case c.Source == suppress.BuildKit:
		form = "`# check=skip=`"
	case c.Scope == suppress.File:
		form = "`# cachelint global ignore=`"
	case c.Scope == suppress.Stage:
		form = "`# cachelint stage ignore=`"
	}
	verb := "silences"
	if len(written) > 1 {
		verb = "silence"
	}
	f.Message = fmt.Sprintf("%s in %s %s nothing: %s", andList(written), form, verb, strings.Join(why, "; "))
	f.Fixes = []Fix{l.unusedFix(fset, c, drop)}
	return f, true
}

// unusedFix removes the names at drop from comment c, or the whole comment
// when none is left. A BuildKit check comment is only edited when some
// name is left in its skip list, since it may carry other options.
func (l *Linter) unusedFix(fset *token.FileSet, c *suppress.Comment, drop []int) Fix {
	var keep []string
	for j, n := range c.Names {
		if !slices.Contains(drop, j) {
			keep = append(keep, n.Text)
		}
	}
	if len(keep) == 0 {
		if c.Source == suppress.BuildKit {
			return Fix{Message: "remove these names from the skip list, or the comment if it has nothing else"}
		}
		s := fset.Position(c.Pos)
		e := Edit{Line: s.Line, Col: 1, EndLine: s.Line + 1, EndCol: 1}
		if tf := fset.File(c.Pos); tf == nil || s.Line >= tf.LineCount() {
			end := fset.Position(c.End) // the last line: keep it, empty
			e.EndLine, e.EndCol = end.Line, end.Column
		}
		return Fix{Message: "remove the comment", Edits: []Edit{e}}
	}
	first, last := fset.Position(c.Names[0].Pos), fset.Position(c.Names[len(c.Names)-1].End)
	return Fix{
		Message: "keep only " + strings.Join(keep, ",") + " in the comment",
		Edits:   []Edit{{Line: first.Line, Col: first.Column, EndLine: last.Line, EndCol: last.Column, NewText: strings.Join(keep, ",")}},
	}
}

// scopeText says what a suppression covers: "the RUN on line 8", "the
// stage on lines 3-9", "the file".
func scopeText(c *suppress.Comment) string {
	switch {
	case c.Scope == suppress.File:
		return "the file"
	case c.Scope == suppress.Stage:
		return fmt.Sprintf("the stage on lines %d-%d", c.StartLine, c.EndLine)
	case c.Target != nil:
		return fmt.Sprintf("the %s on line %d", c.Target.Keyword, c.Target.StartLine)
	}
	return fmt.Sprintf("line %d", c.StartLine)
}

func orList(xs []string) string  { return joinList(xs, "or") }
func andList(xs []string) string { return joinList(xs, "and") }

// joinList writes "a", "a or b", "a, b or c".
func joinList(xs []string, word string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " " + word + " " + xs[len(xs)-1]
}
