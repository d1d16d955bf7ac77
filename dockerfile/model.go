// Package dockerfile builds cachelint's model of a Dockerfile from
// BuildKit's own parser: stages, instructions with exact positions, the
// ARG/ENV/USER/WORKDIR state at each instruction, RUN mounts, COPY/ADD
// sources, and the simple commands of every RUN parsed as shell.
package dockerfile

import (
	"go/token"
	"slices"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// File is the model of one Dockerfile.
type File struct {
	Name   string      // path as given to the driver
	Src    []byte      // the file's bytes
	Tok    *token.File // positions; Tok.Pos(offset) gives a token.Pos
	Escape byte        // the escape character ('\\' or '`')

	Directives []Directive // parser directives, as BuildKit reads them; in line order

	// ParseErr is set when BuildKit's parser rejected the whole file;
	// nothing else is filled in then. ParseErrLine is its line (0 unknown).
	ParseErr     error
	ParseErrLine int

	Instructions []*Instruction // every instruction, in file order
	MetaArgs     []*Instruction // ARGs before the first FROM
	Stages       []*Stage

	// ParseWarnings are the warnings of BuildKit's checks that run while
	// BuildKit parses the file, as `docker build --check` gets them:
	// NoEmptyContinuation from the parser, then those of the instruction
	// parser (MaintainerDeprecated, StageNameCasing, FromAsCasing,
	// InvalidDefinitionDescription) up to Rejected. The "# check="
	// directive and the check comments above an instruction apply, as in
	// BuildKit.
	ParseWarnings []CheckWarning
	// Rejected is the first instruction BuildKit's instructions.Parse
	// rejects (a bad instruction, or one before the first FROM that is not
	// an ARG): a build stops there. nil when there is none.
	Rejected *Instruction

	lines *lines
	lex   *shell.Lex
}

// CheckWarning is a warning of one of BuildKit's checks.
type CheckWarning struct {
	Rule    string // BuildKit's rule name, e.g. MaintainerDeprecated
	Message string // BuildKit's message
	// StartLine and EndLine (1-based) are those of the instruction BuildKit
	// reports, 0 when it gives none.
	StartLine, EndLine int
}

// Directive is a parser directive such as "# syntax=..." or "# escape=`".
type Directive struct {
	Name  string // lower case: syntax, escape, check
	Value string // as written, with any arguments after the first word
	Line  int
}

// Stage is a build stage: a FROM and the instructions up to the next FROM.
type Stage struct {
	Index int
	Name  string // lower-cased AS name, "" when unnamed
	// BaseImage is the FROM argument after expanding global ARGs, or as
	// written when it uses an ARG whose value is not known.
	BaseImage string
	// BaseStage is the earlier stage this one is built FROM, if any.
	BaseStage *Stage
	From      *Instruction
	// Instructions are those after FROM, in order.
	Instructions []*Instruction
	// CopiesFrom lists the earlier stages this stage reads files from
	// (COPY --from, RUN --mount from=), without duplicates.
	CopiesFrom []*Stage
	// Memo holds what the rules work out once about the stage, each
	// under a key of its own type.
	Memo sync.Map
}

// Instruction is one Dockerfile instruction.
type Instruction struct {
	Keyword   string       // upper case: RUN, COPY, ...
	Node      *parser.Node // BuildKit's node
	Command   any          // BuildKit's parsed instruction; nil if rejected
	Err       error        // why BuildKit's instructions.Parse rejected it
	Stage     *Stage       // nil before the first FROM
	StartLine int
	EndLine   int
	Pos, End  token.Pos // from the keyword to the end of the last line

	// State in effect when the instruction runs (before it takes effect).
	Env     *Env
	User    string // "" means the image default (root for most images)
	Workdir string // absolute; "/" by default

	Flags []Word // --flag words, as written
	Args  []Word // the words after the flags (shell-form text split on blanks)

	Run  *Run  // for RUN (and ONBUILD RUN is not expanded)
	Copy *Copy // for COPY and ADD

	body text // the joined instruction text (see instructionText)
}

// Word is a piece of an instruction's text with its position.
type Word struct {
	Text     string // as written, quotes included
	Pos, End token.Pos
}

// Run is the model of a RUN instruction.
type Run struct {
	Exec     bool             // exec (JSON) form
	Mounts   []*Mount         // --mount flags, parsed and expanded
	Heredocs []parser.Heredoc // heredoc bodies
	Commands []*Command       // simple commands, in execution order
	Shell    []string         // the SHELL in effect
}

// Mount is a RUN --mount, with the flag's position.
type Mount struct {
	*instructions.Mount
	Flag Word
	// unknown lists the fields whose values use a variable not known
	// here ("*" for all): BuildKit's expansion left "" there.
	unknown []string
}

// Known reports whether a field of the mount (type, from, source, target,
// id, sharing, mode, uid, gid, ...) has a value known here. A field that
// uses a build argument with no default is not known: source=${SRC} is
// not "no source".
func (m *Mount) Known(field string) bool {
	return !slices.Contains(m.unknown, field) && !slices.Contains(m.unknown, "*")
}

// Copy is the model of COPY or ADD.
type Copy struct {
	Add      bool
	From     string // --from value (stage name, index or image)
	Sources  []Word // source paths (heredoc sources excluded), as written
	Dest     Word
	Heredoc  bool // some source is a heredoc
	Link     bool
	Parents  bool
	Excludes []string
}

// Pos converts a file offset to a token.Pos.
func (f *File) Pos(offset int) token.Pos {
	return f.Tok.Pos(min(max(offset, 0), f.Tok.Size()))
}

// Line returns line n (1-based) without its line ending.
func (f *File) Line(n int) string {
	l, _ := f.lines.line(n)
	return string(l)
}

// Lex returns BuildKit's word lexer for the file's escape character, to
// expand words as BuildKit does. It is the model's own: use it from one
// goroutine at a time, like the File.
func (f *File) Lex() *shell.Lex {
	if f.lex == nil {
		f.lex = shell.NewLex(rune(f.Escape))
	}
	return f.lex
}

// Directive returns the value of the named parser directive.
func (f *File) Directive(name string) (string, bool) {
	for _, d := range f.Directives {
		if d.Name == name {
			return d.Value, true
		}
	}
	return "", false
}
