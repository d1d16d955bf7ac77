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
// diagnostic about a whole multi-line instruction underlines one line.
func endOfFirstLine(f *dockerfile.File, in *dockerfile.Instruction) token.Pos {
	end := f.Tok.LineStart(in.StartLine) + lineLen(f, in.StartLine)
	return min(end, in.End)
}
