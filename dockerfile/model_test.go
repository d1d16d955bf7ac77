package dockerfile

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/cachelint/cachelint/internal/testfiles"
)

const modelSrc = `# syntax=docker/dockerfile:1
# check=skip=JSONArgsRecommended
ARG PY=3.12
ARG CACHE=/root/.cache/pip
FROM python:${PY} AS Base
ARG CACHE
ENV APP=/srv/app
WORKDIR $APP
USER app
COPY --chown=app . .
RUN --mount=type=cache,target=$CACHE,id=pip,sharing=locked pip install -r req.txt
FROM base AS build
WORKDIR sub
COPY --from=base /srv /srv
COPY ["a b.txt", "./"]
COPY <<EOF /etc/x
hello
EOF
RUN --mount=type=bind,from=base,source=/x,target=/y true
FROM alpine
WORKDIR $UNKNOWN
RUN true
`

func TestInstructionModel(t *testing.T) {
	f := Parse("Dockerfile", []byte(modelSrc), nil)
	if f.ParseErr != nil {
		t.Fatal(f.ParseErr)
	}
	at := func(line int) *Instruction {
		t.Helper()
		for _, in := range f.Instructions {
			if in.StartLine == line {
				return in
			}
		}
		t.Fatalf("no instruction on line %d", line)
		return nil
	}
	lc := func(w Word) string {
		p := f.Tok.Position(w.Pos)
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	}

	if v, ok := f.Directive("syntax"); !ok || v != "docker/dockerfile:1" {
		t.Errorf("syntax directive = %q, %v", v, ok)
	}
	if v, ok := f.Directive("check"); !ok || v != "skip=JSONArgsRecommended" {
		t.Errorf("check directive = %q, %v", v, ok)
	}
	if len(f.MetaArgs) != 2 || len(f.Stages) != 3 {
		t.Fatalf("%d meta args, %d stages", len(f.MetaArgs), len(f.Stages))
	}
	base, build, alpine := f.Stages[0], f.Stages[1], f.Stages[2]
	if base.Name != "base" || base.BaseImage != "python:3.12" || base.Index != 0 {
		t.Errorf("stage 0 = %q %q %d", base.Name, base.BaseImage, base.Index)
	}
	if build.BaseStage != base || alpine.BaseStage != nil {
		t.Error("BaseStage links wrong")
	}
	if len(build.CopiesFrom) != 1 || build.CopiesFrom[0] != base {
		t.Errorf("CopiesFrom = %v", build.CopiesFrom)
	}

	// State in effect at each instruction.
	run := at(11)
	if run.Workdir != "/srv/app" || run.User != "app" {
		t.Errorf("RUN state: workdir %q user %q", run.Workdir, run.User)
	}
	if v, ok := run.Env.Get("CACHE"); !ok || v != "/root/.cache/pip" {
		t.Errorf("ARG CACHE re-declared without value = %q, %v; want the global's value", v, ok)
	}
	if v, ok := run.Env.Get("APP"); !ok || v != "/srv/app" {
		t.Errorf("ENV APP = %q, %v", v, ok)
	}
	if v, ok := at(13).Env.Get("APP"); !ok || v != "/srv/app" {
		t.Errorf("ENV not inherited through FROM base: %q, %v", v, ok)
	}
	if _, ok := at(22).Env.Lookup("APP"); ok {
		t.Error("ENV leaked into an unrelated stage")
	}
	if at(14).Workdir != "/srv/app/sub" || at(14).User != "app" {
		t.Errorf("inherited state: %q %q", at(14).Workdir, at(14).User)
	}
	if at(21).Workdir != "/" {
		t.Errorf("fresh stage workdir: %q", at(21).Workdir)
	}
	if at(22).Workdir != "" {
		t.Errorf("after WORKDIR $UNKNOWN: %q, want unknown (\"\")", at(22).Workdir)
	}

	// Flags and mounts, expanded.
	if len(run.Flags) != 1 || lc(run.Flags[0]) != "11:5" {
		t.Errorf("RUN flags = %v", run.Flags)
	}
	if len(run.Run.Mounts) != 1 {
		t.Fatalf("mounts = %d", len(run.Run.Mounts))
	}
	m := run.Run.Mounts[0]
	if m.Type != instructions.MountTypeCache || m.Target != "/root/.cache/pip" || m.CacheID != "pip" || m.CacheSharing != instructions.MountSharingLocked {
		t.Errorf("mount = %+v", *m.Mount)
	}
	if lc(m.Flag) != "11:5" {
		t.Errorf("mount flag at %s", lc(m.Flag))
	}

	// COPY sources and destinations.
	if cp := at(10).Copy; cp == nil || len(cp.Sources) != 1 || cp.Sources[0].Text != "." || lc(cp.Sources[0]) != "10:18" || cp.Dest.Text != "." {
		t.Errorf("COPY . . = %+v", cp)
	}
	if cp := at(14).Copy; cp.From != "base" || cp.Sources[0].Text != "/srv" {
		t.Errorf("COPY --from = %+v", cp)
	}
	if cp := at(15).Copy; len(cp.Sources) != 1 || cp.Sources[0].Text != "a b.txt" || lc(cp.Sources[0]) != "15:8" || cp.Dest.Text != "./" {
		t.Errorf("JSON COPY = %+v", cp)
	}
	if cp := at(16).Copy; !cp.Heredoc || len(cp.Sources) != 0 || cp.Dest.Text != "/etc/x" {
		t.Errorf("heredoc COPY = %+v", cp)
	}
}

// TestDirectives checks that the model reads parser directives as BuildKit
// does: escape as parser.Parse, syntax as the builder's DetectSyntax and
// check as the frontend's ParseDirective. A byte order mark is skipped by
// all three; indentation only by parser.Parse; a #! line by the others.
func TestDirectives(t *testing.T) {
	tests := []struct {
		name, src string
		want      []Directive
		escape    byte
	}{
		{
			name:   "byte order mark and CRLF",
			src:    "\xEF\xBB\xBF# syntax=docker/dockerfile:1.4\r\n# escape=`\r\n# check=skip=all\r\nFROM alpine\r\n",
			want:   []Directive{{"syntax", "docker/dockerfile:1.4", 1}, {"escape", "`", 2}, {"check", "skip=all", 3}},
			escape: '`',
		},
		{
			name:   "indented",
			src:    "  # escape=`\n\t# syntax=docker/dockerfile:1\nFROM alpine\n",
			want:   []Directive{{"escape", "`", 1}},
			escape: '`',
		},
		{
			name:   "after a #! line",
			src:    "#!/usr/bin/env -S docker build -f\n# syntax=docker/dockerfile:1 --x=y\n# check=error=true\n# escape=`\nFROM alpine\n",
			want:   []Directive{{"syntax", "docker/dockerfile:1 --x=y", 2}, {"check", "error=true", 3}},
			escape: '\\',
		},
		{
			name:   "below a comment",
			src:    "# hello\n# syntax=docker/dockerfile:1\nFROM alpine\n",
			escape: '\\',
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse("Dockerfile", []byte(tt.src), nil)
			if f.ParseErr != nil {
				t.Fatal(f.ParseErr)
			}
			if fmt.Sprint(f.Directives) != fmt.Sprint(tt.want) {
				t.Errorf("directives = %v, want %v", f.Directives, tt.want)
			}
			if f.Escape != tt.escape {
				t.Errorf("escape = %q, want %q", f.Escape, tt.escape)
			}
			// BuildKit's own readers agree.
			res, err := parser.Parse(bytes.NewReader([]byte(tt.src)))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := f.Directive("escape"); ok != (res.EscapeToken == '`') {
				t.Errorf("escape directive %v, but BuildKit's escape token is %q", ok, res.EscapeToken)
			}
			ref, _, _, ok := parser.DetectSyntax([]byte(tt.src))
			if v, has := f.Directive("syntax"); has != ok || has && !strings.HasPrefix(v, ref) {
				t.Errorf("syntax directive %q, %v; DetectSyntax: %q, %v", v, has, ref, ok)
			}
		})
	}
}
func TestQuotedNames(t *testing.T) {
	f := Parse("Dockerfile", []byte("FROM a\nENV \"FOO\"=bar\nARG 'V'=1\nRUN true\n"), nil)
	env := f.Instructions[3].Env
	if v, ok := env.Get("FOO"); !ok || v != "bar" {
		t.Errorf("FOO = %q, %v", v, ok)
	}
	if v, ok := env.Get("V"); !ok || v != "1" {
		t.Errorf("V = %q, %v", v, ok)
	}
}

func TestErrors(t *testing.T) {
	for name, src := range map[string]string{
		"unterminated heredoc": "FROM a\nRUN <<EOF\nnever ends\n",
		"empty":                "",
		"only comments":        "# one\n# two\n",
	} {
		f := Parse("Dockerfile", []byte(src), nil)
		if f.ParseErr == nil {
			t.Errorf("%s: no ParseErr", name)
		}
		if len(f.Instructions) != 0 {
			t.Errorf("%s: instructions modelled after a parse error", name)
		}
	}

	f := Parse("Dockerfile", []byte("RUN early\nFROM a\nRUN --bogus npm ci\nFOO bar\nCOPY one\nRUN npm ci\n"), nil)
	if f.ParseErr != nil {
		t.Fatal(f.ParseErr)
	}
	for i, wantErr := range []bool{true, false, true, true, true, false} {
		in := f.Instructions[i]
		if (in.Err != nil) != wantErr {
			t.Errorf("line %d %s: Err = %v, want error %v", in.StartLine, in.Keyword, in.Err, wantErr)
		}
		if in.Err != nil && in.Command != nil {
			t.Errorf("line %d: a rejected instruction keeps its Command", in.StartLine)
		}
	}
	last := f.Instructions[5]
	if last.Run == nil || len(last.Run.Commands) != 1 || last.Run.Commands[0].Name() != "npm" {
		t.Error("instructions after rejected ones are not modelled")
	}
}

func TestMountWithBuildTimeValue(t *testing.T) {
	f := Parse("Dockerfile", []byte("FROM a\nARG UID\nRUN --mount=type=cache,target=/c,uid=$UID true\n"), nil)
	if in := f.Instructions[2]; in.Err != nil {
		t.Errorf("a uid given at build time is reported as an error: %v", in.Err)
	}
	m := f.Instructions[2].Run.Mounts
	if len(m) != 1 || m[0].Target != "/c" || !m[0].Known("target") || m[0].Known("uid") {
		t.Errorf("the mount is modelled with its target known and its uid unknown: %+v", m)
	}
	g := Parse("Dockerfile", []byte("FROM a\nRUN --mount=type=cache,target=/c,uid=x true\n"), nil)
	if in := g.Instructions[1]; in.Err == nil {
		t.Error("an invalid uid is not reported")
	}
	h := Parse("Dockerfile", []byte("FROM a\nARG S\nRUN --mount=type=bind,src=$S,dst=/app true\n"), nil)
	if m := h.Instructions[2].Run.Mounts[0]; m.Known("source") || !m.Known("target") {
		t.Error("src=$S is not known, dst=/app is")
	}
}

// FuzzParse checks that no input makes the model panic and that every
// position it gives lies inside the file. The seeds are the fixtures'
// Dockerfiles and a few tricky files.
func FuzzParse(f *testing.F) {
	for _, src := range testfiles.Dockerfiles() {
		f.Add(src)
	}
	for _, s := range []string{
		modelSrc,
		"FROM a\nRUN sh -c 'npm ci && cd x && go build' | tee l\n",
		"# escape=`\nFROM a\nRUN a `\n  b\n",
		"FROM a\r\nRUN <<EOF\r\nnpm ci\r\nEOF\r\n",
		"FROM a\nRUN [\"sh\", \"-c\", \"npm ci\"]\n",
		"FROM a\nRUN <<A <<B\nx\nA\ny\nB\n",
		"RUN x\nFROM a\nFOO bar\nCOPY one\n",
		"FROM a\nRUN sudo -Eu x env A=1 bash -ec \"sh -c 'make'\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file := Parse("Dockerfile", src, nil)
		check := func(what string, pos, end int) {
			if pos < 0 || end > len(src) || end < pos && end != 0 {
				t.Fatalf("%s: range %d-%d outside a %d-byte file", what, pos, end, len(src))
			}
		}
		for _, in := range file.Instructions {
			check(in.Keyword, file.Tok.Offset(in.Pos), file.Tok.Offset(in.End))
			for _, w := range append(append([]Word{}, in.Flags...), in.Args...) {
				check("word "+w.Text, file.Tok.Offset(w.Pos), file.Tok.Offset(w.End))
			}
			if in.Run != nil {
				for _, c := range in.Run.Commands {
					check("command", file.Tok.Offset(c.Pos), file.Tok.Offset(c.End))
				}
			}
		}
	})
}
