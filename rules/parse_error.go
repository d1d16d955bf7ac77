package rules

import (
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// ParseError reports what BuildKit's parser rejects.
var ParseError = &analysis.Analyzer{
	Name: "parse_error",
	Doc: `BuildKit cannot parse the Dockerfile or one of its instructions

Why it matters for the cache: a Dockerfile that BuildKit rejects does not
build at all, so no step is cached. When the whole file cannot be parsed,
cachelint reports it here and exits with status 2; when only some
instructions are rejected (an unknown flag, an instruction before the first
FROM), they are reported here and the other rules still check the rest.

Example:

    RUN --mont=type=cache,target=/root/.npm npm ci

Fix: correct the instruction as the message says (here: --mount).`,
	URL:      docURL("parse-error"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runParseError,
}

func runParseError(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	if f.ParseErr != nil {
		line := max(f.ParseErrLine, 1)
		line = min(line, f.LineCount())
		start := f.Tok.LineStart(line)
		pass.Report(analysis.Diagnostic{
			Pos:     start,
			End:     start + lineLen(f, line),
			Message: "BuildKit cannot parse this Dockerfile: " + cleanParseMessage(f.ParseErr.Error()),
		})
		return nil, nil
	}
	for _, in := range f.Instructions {
		if in.Err == nil {
			continue
		}
		pass.Report(analysis.Diagnostic{
			Pos:     in.Pos,
			End:     endOfFirstLine(f, in),
			Message: "BuildKit rejects this " + in.Keyword + ": " + cleanParseMessage(in.Err.Error()),
		})
	}
	return nil, nil
}

// cleanParseMessage removes BuildKit's "dockerfile parse error on line N:"
// prefix, since the position is already given.
func cleanParseMessage(msg string) string {
	if _, rest, ok := strings.Cut(msg, "dockerfile parse error on line "); ok {
		if _, after, ok := strings.Cut(rest, ": "); ok {
			return after
		}
	}
	return msg
}
