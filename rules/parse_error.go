package rules

import (
	"go/token"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
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
FROM), they are reported here and the other rules still check the rest. A
"# check=" directive BuildKit cannot read (an unknown option, a value that
is not true or false) is reported here too: BuildKit then fails the build
and runs none of its own checks, and neither does cachelint.

Example:

    RUN --mont=type=cache,target=/root/.npm npm ci

Fix: correct the instruction as the message says (here: --mount).

Sources:
- https://docs.docker.com/reference/dockerfile/
- https://github.com/moby/buildkit/tree/master/frontend/dockerfile/parser`,
	URL:      docURL("parse-error"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runParseError,
}

func runParseError(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	if f.ParseErr != nil {
		pos, end := parseErrorLine(f)
		pass.Report(analysis.Diagnostic{
			Pos:     pos,
			End:     end,
			Message: "BuildKit cannot parse this Dockerfile: " + cleanParseMessage(f.ParseErr.Error()),
		})
		return nil, nil
	}
	if v, ok := f.Directive("check"); ok {
		// BuildKit refuses to build with a check directive it cannot
		// read, and runs none of its checks.
		if _, err := linter.ParseLintOptions(v); err != nil {
			line := directiveLine(f, "check")
			start := f.Tok.LineStart(line)
			pass.Report(analysis.Diagnostic{
				Pos:     start,
				End:     start + lineLen(f, line),
				Message: "BuildKit rejects this check directive, fails the build and runs none of its checks: " + err.Error(),
			})
		}
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

// directiveLine is the line of a parser directive of the file (1 when
// BuildKit gives none).
func directiveLine(f *dockerfile.File, name string) int {
	for _, d := range f.Directives {
		if d.Name == name {
			return min(max(d.Line, 1), max(f.Tok.LineCount(), 1))
		}
	}
	return 1
}

// parseErrorLine is the range of the line BuildKit gives for the error of
// a file it cannot parse. BuildKit counts that line from 0 when the error is
// in a parser directive (an invalid escape token, a directive given twice)
// and from 1 otherwise. An empty file has no line: the range is empty, at
// its start.
func parseErrorLine(f *dockerfile.File) (token.Pos, token.Pos) {
	n := f.Tok.LineCount()
	if n == 0 {
		return f.Pos(0), f.Pos(0)
	}
	line := f.ParseErrLine
	if msg := f.ParseErr.Error(); strings.Contains(msg, "invalid escape token") || strings.Contains(msg, "parser directive can be used") {
		line++
	}
	line = min(max(line, 1), n)
	start := f.Tok.LineStart(line)
	return start, start + lineLen(f, line)
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
