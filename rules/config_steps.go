package rules

import (
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// Helpers of the build-configuration rules that edit or search a GitHub
// Actions job's steps.

// configRepo returns the repository's build configuration, nil when the
// unit has none.
func configRepo(pass *analysis.Pass) *buildconfig.Repo {
	repo, _ := pass.ResultOf[buildconfig.Analyzer].(*buildconfig.Repo)
	return repo
}

// stepDash finds the "- " that opens a workflow step written as an entry
// of a block sequence: the offset of the dash and the indentation before
// it. ok is false when the step is not written so (a flow sequence, an
// alias, something before the dash on its line).
func stepDash(f *buildconfig.File, st *buildconfig.Step) (dash int, indent string, ok bool) {
	if f == nil || f.Tok == nil || !st.Pos.IsValid() {
		return 0, "", false
	}
	src := f.Src
	off := f.Tok.Offset(st.Pos)
	i := off - 1
	for i >= 0 && (src[i] == ' ' || src[i] == '\t') {
		i--
	}
	if i < 0 || src[i] != '-' {
		return 0, "", false
	}
	dash = i
	j := dash - 1
	for j >= 0 && src[j] == ' ' {
		j--
	}
	if j >= 0 && src[j] != '\n' {
		return 0, "", false
	}
	return dash, string(src[j+1 : dash]), true
}

// insertStepBefore is an edit that inserts a step, given as the lines of
// its mapping ("name: X", "uses: Y"), before a step of a workflow job.
func insertStepBefore(f *buildconfig.File, st *buildconfig.Step, lines ...string) (analysis.TextEdit, bool) {
	dash, indent, ok := stepDash(f, st)
	if !ok {
		return analysis.TextEdit{}, false
	}
	var b strings.Builder
	for i, ln := range lines {
		if i == 0 {
			b.WriteString("- ")
		} else {
			b.WriteString(indent + "  ")
		}
		b.WriteString(ln)
		b.WriteString("\n")
	}
	b.WriteString(indent)
	p := f.Pos(dash)
	return analysis.TextEdit{Pos: p, End: p, NewText: []byte(b.String())}, true
}

// stepsAfter returns the steps of a build's job that run after its step.
func stepsAfter(b *buildconfig.Build) []*buildconfig.Step {
	if b.Job == nil || b.Step == nil {
		return nil
	}
	var out []*buildconfig.Step
	for _, st := range b.Job.Steps {
		if st.Index > b.Step.Index {
			out = append(out, st)
		}
	}
	return out
}

// onceAt remembers the positions already reported, so that a finding
// reached through several builds (a matrix, bake targets sharing an
// entry) is reported once.
type onceAt map[token.Pos]bool

func (o onceAt) first(p token.Pos) bool {
	if o[p] {
		return false
	}
	o[p] = true
	return true
}

// jobName is how a message names a build's job.
func jobName(b *buildconfig.Build) string {
	if b.Job == nil {
		return ""
	}
	return b.Job.Name
}

// jobFile is the file of a build's CI job (where its steps and builder
// are written), or the build's own file outside CI. A bake target built
// by a workflow step is written in the bake file: its job is in the
// workflow.
func jobFile(b *buildconfig.Build) *buildconfig.File {
	if b.Job != nil && b.Job.File != nil {
		return b.Job.File
	}
	return b.File
}
