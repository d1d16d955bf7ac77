package rules

import (
	"bytes"
	"cmp"
	"fmt"
	"go/token"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// MissingSyntaxDirective flags BuildKit-only Dockerfile syntax used without
// a # syntax= directive, or with one pinned to a release that lacks it.
var MissingSyntaxDirective = &analysis.Analyzer{
	Name: "missing_syntax_directive",
	Doc: `a BuildKit-only feature is used without a # syntax= directive that provides it

Why it matters for the cache: cache mounts (RUN --mount), heredocs,
COPY --link, ADD --checksum and the other newer flags are understood by the
Dockerfile frontend, not by the Docker engine. Without a "# syntax="
directive the builder uses the frontend it was shipped with, so the same
Dockerfile builds on a recent laptop and fails, or is read differently, on
an older CI runner or daemon. The directive makes BuildKit fetch a frontend
that knows the syntax, whatever the builder's version.

Example:

    FROM golang:1.24
    RUN --mount=type=cache,target=/root/.cache/go-build go build ./...

Fix: start the file with the directive. docker/dockerfile:1 follows the
newest 1.x release:

    # syntax=docker/dockerfile:1
    FROM golang:1.24
    RUN --mount=type=cache,target=/root/.cache/go-build go build ./...

The finding points at the first such feature and names the newest
frontend version the file needs. The features and the first release that
has each: RUN --mount 1.2, RUN --network 1.3, heredocs 1.4, COPY/ADD --link
1.4, ADD --checksum and ADD --keep-git-dir 1.6, secret mounts with env= 1.10,
ADD --unpack 1.17, COPY/ADD --exclude 1.19, COPY --parents and
RUN --security 1.20 (earlier in the labs channel), RUN --device 1.27.

A directive that pins an older release (docker/dockerfile:1.3 with a
heredoc, docker.io/docker/dockerfile:1.5 with ADD --checksum) is reported
too, at the first feature it lacks; a -labs pin is compared with the
release that brought the feature to the labs channel when that is known
(COPY --parents in 1.7-labs), and COPY/ADD --chmod (1.2) is checked
against a pin as well. The fix then changes the tag to 1 (or 1-labs),
dropping any digest. Tags that follow the newest release (1, 1-labs, labs,
latest, master) and frontends other than docker/dockerfile are not
checked.

When the file has no directive the fix inserts one as the first line, above
any "# escape=" or "# check=" directive, which keeps them parser
directives. A "# syntax=" comment below another comment, a blank line or an
instruction is not a directive; the message says so. The BUILDKIT_SYNTAX
build argument also selects a frontend, but a Dockerfile cannot show it;
suppress the finding where the builds set it.

Sources:
- https://docs.docker.com/reference/dockerfile/#syntax
- https://docs.docker.com/build/buildkit/frontend/
- https://docs.docker.com/build/dockerfile/release-notes/
- https://docs.docker.com/reference/dockerfile/#run
- https://docs.docker.com/reference/dockerfile/#add
- https://docs.docker.com/reference/dockerfile/#copy`,
	URL:      docURL("missing-syntax-directive"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runMissingSyntaxDirective,
}

// featureUse is one place the file uses a feature of frontendFeatures.
type featureUse struct {
	ft       *frontendFeature
	pos, end token.Pos
}

func runMissingSyntaxDirective(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	if f.ParseErr != nil {
		return nil, nil
	}
	uses := frontendFeatureUses(f)
	if len(uses) == 0 {
		return nil, nil
	}
	value, line, ok := syntaxDirective(f)
	if !ok {
		reportMissingSyntax(pass, f, uses)
		return nil, nil
	}
	reportOldSyntax(pass, f, uses, value, line)
	return nil, nil
}

// frontendFeatureUses lists, in file order, every use of a feature that
// needs a minimum frontend version.
func frontendFeatureUses(f *dockerfile.File) []featureUse {
	var uses []featureUse
	for _, in := range f.Instructions {
		for _, w := range in.Flags {
			name, _, _ := strings.Cut(w.Text, "=")
			if ft := frontendFlags[in.Keyword+" "+strings.ToLower(name)]; ft != nil {
				uses = append(uses, featureUse{ft, w.Pos, w.Pos + token.Pos(len(name))})
			}
		}
		if in.Run != nil {
			for _, m := range in.Run.Mounts {
				if m.Type == instructions.MountTypeSecret && m.Env != nil {
					uses = append(uses, featureUse{featureSecretEnv, m.Flag.Pos, m.Flag.End})
				}
			}
		}
		if len(in.Node.Heredocs) > 0 {
			pos, end := heredocMarker(in)
			uses = append(uses, featureUse{featureHeredoc, pos, end})
		}
	}
	slices.SortStableFunc(uses, func(a, b featureUse) int { return cmp.Compare(a.pos, b.pos) })
	return uses
}

// heredocMarker finds the first heredoc word (<<EOF, <<-'EOF') of an
// instruction, or its keyword.
func heredocMarker(in *dockerfile.Instruction) (token.Pos, token.Pos) {
	for _, w := range in.Args {
		if parser.MustParseHeredoc(w.Text) != nil {
			return w.Pos, w.End
		}
	}
	return in.Pos, in.Pos + token.Pos(len(in.Keyword))
}

// newest is the first use of the feature needing the newest release.
func newest(uses []featureUse) featureUse {
	best := uses[0]
	for _, u := range uses[1:] {
		if u.ft.Minor > best.ft.Minor {
			best = u
		}
	}
	return best
}

func reportMissingSyntax(pass *analysis.Pass, f *dockerfile.File, all []featureUse) {
	var uses []featureUse
	for _, u := range all {
		if !u.ft.PinOnly {
			uses = append(uses, u)
		}
	}
	if len(uses) == 0 {
		return
	}
	first, top := uses[0], newest(uses)
	msg := fmt.Sprintf("%s needs Dockerfile frontend 1.%d or later, but there is no `# syntax=` directive, so it works only where the builder's own frontend is recent enough",
		first.ft.Name, first.ft.Minor)
	if top.ft.Minor > first.ft.Minor {
		msg += fmt.Sprintf(" (%s on line %d needs 1.%d)", top.ft.Name, f.Tok.Line(top.pos), top.ft.Minor)
	}
	help := "add `# syntax=docker/dockerfile:1` as the first line so that BuildKit uses the newest 1.x frontend"
	if n := strayDirective(f, "syntax"); n > 0 {
		msg += fmt.Sprintf("; the `# syntax=` comment on line %d is not a directive, since directives must come before any other comment, blank line or instruction", n)
		help += fmt.Sprintf(", and delete the comment on line %d", n)
	}
	nl := "\n"
	if first, _, _ := bytes.Cut(f.Src, []byte("\n")); bytes.HasSuffix(first, []byte("\r")) {
		nl = "\r\n"
	}
	at := f.Pos(directiveInsertOffset(f.Src))
	pass.Report(analysis.Diagnostic{
		Pos:     first.pos,
		End:     first.end,
		Message: msg,
		SuggestedFixes: []analysis.SuggestedFix{{
			Message:   help,
			TextEdits: []analysis.TextEdit{{Pos: at, End: at, NewText: []byte("# syntax=docker/dockerfile:1" + nl)}},
		}},
	})
}

// directiveInsertOffset is where a new first directive goes: the start of
// the file, after a byte order mark and a #! line, which BuildKit skips
// when it looks for the syntax directive.
func directiveInsertOffset(src []byte) int {
	off := 0
	if bytes.HasPrefix(src, []byte("\xEF\xBB\xBF")) {
		off = 3
	}
	if bytes.HasPrefix(src[off:], []byte("#!")) {
		if i := bytes.IndexByte(src[off:], '\n'); i >= 0 {
			off += i + 1
		}
	}
	return off
}

// strayDirective returns the line of a "# name=" comment that BuildKit
// does not read as a directive (it is not in the block of directives at
// the top of the file), or 0.
func strayDirective(f *dockerfile.File, name string) int {
	inInstruction := func(n int) bool {
		return slices.ContainsFunc(f.Instructions, func(in *dockerfile.Instruction) bool {
			return in.StartLine <= n && n <= in.EndLine
		})
	}
	for n := 1; n <= f.Tok.LineCount(); n++ {
		line := strings.TrimSpace(strings.TrimPrefix(f.Line(n), "\xEF\xBB\xBF"))
		rest, ok := strings.CutPrefix(line, "#")
		if !ok || inInstruction(n) {
			continue
		}
		key, _, ok := strings.Cut(rest, "=")
		if ok && strings.EqualFold(strings.TrimSpace(key), name) {
			return n
		}
	}
	return 0
}

func reportOldSyntax(pass *analysis.Pass, f *dockerfile.File, uses []featureUse, value string, line int) {
	pin := parseSyntax(value)
	var missing []featureUse // first use of each feature the pin lacks
	seen := map[*frontendFeature]bool{}
	for _, u := range uses {
		if !pin.has(u.ft) && !seen[u.ft] {
			seen[u.ft] = true
			missing = append(missing, u)
		}
	}
	if len(missing) == 0 || line == 0 {
		return
	}
	first := missing[0]
	msg := fmt.Sprintf("%s needs Dockerfile frontend %s or later, but line %d pins %s",
		first.ft.Name, pin.needs(first.ft), line, value)
	if len(missing) > 1 {
		var also []string
		for _, u := range missing[1:] {
			also = append(also, fmt.Sprintf("%s %s", u.ft.Name, pin.needs(u.ft)))
		}
		msg += " (also too old for " + strings.Join(also, ", ") + ")"
	}
	tag := "1"
	if pin.Labs {
		tag = "1-labs"
	}
	d := analysis.Diagnostic{
		Pos:            first.pos,
		End:            first.end,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{{Message: fmt.Sprintf("change the directive's tag to %s, which follows the newest 1.x release", tag)}},
	}
	text := f.Line(line)
	if eq := strings.IndexByte(text, '='); eq >= 0 && pin.TagStart > 0 {
		if i := strings.Index(text[eq+1:], value); i >= 0 {
			start := f.Tok.LineStart(line) + token.Pos(eq+1+i)
			d.SuggestedFixes[0].TextEdits = []analysis.TextEdit{{
				Pos: start + token.Pos(pin.TagStart), End: start + token.Pos(len(value)), NewText: []byte(tag),
			}}
		}
	}
	pass.Report(d)
}

// needs is the release the pin would need for the feature, as "1.N" or,
// for a labs pin, "1.N-labs".
func (p syntaxPin) needs(ft *frontendFeature) string {
	if p.Labs && ft.LabsMinor > 0 && ft.LabsMinor < ft.Minor {
		return fmt.Sprintf("1.%d-labs", ft.LabsMinor)
	}
	return fmt.Sprintf("1.%d", ft.Minor)
}
