package rules

import (
	"go/token"

	"github.com/cachelint/cachelint/dockerfile"
)

// lineLen is the length of line n without its line ending.
func lineLen(f *dockerfile.File, n int) token.Pos {
	return token.Pos(len(f.Line(n)))
}

// endOfFirstLine is the end of the first line of an instruction, so that a
// diagnostic about a whole multi-line instruction underlines one line. The
// line is the keyword's: BuildKit starts an instruction on an earlier line
// when lines that hold only an escape character come before its keyword.
func endOfFirstLine(f *dockerfile.File, in *dockerfile.Instruction) token.Pos {
	line := f.Tok.Line(in.Pos)
	end := f.Tok.LineStart(line) + lineLen(f, line)
	return min(end, in.End)
}
