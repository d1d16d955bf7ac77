package dockerfile

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"go/token"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"mvdan.cc/sh/v3/syntax"
)

// DefaultShell is the shell RUN uses on Linux unless SHELL changes it.
var DefaultShell = []string{"/bin/sh", "-c"}

// Parse builds the model of the Dockerfile src named name. tok must be a
// token.File of len(src) bytes; when nil a private one is made. Parse never
// fails: a file BuildKit cannot parse has ParseErr set, and an instruction
// BuildKit rejects has Err set while the rest is modelled.
func Parse(name string, src []byte, tok *token.File) *File {
	if tok == nil {
		tok = token.NewFileSet().AddFile(name, -1, len(src))
		tok.SetLinesForContent(src)
	}
	f := &File{Name: name, Src: src, Tok: tok, Escape: '\\', lines: newLines(src)}

	f.Directives = readDirectives(src)

	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		f.ParseErr = err
		var le *parser.LocationError
		switch {
		case strings.Contains(err.Error(), "line greater than max allowed size"):
			// BuildKit gives the line before the one it could not read.
			f.ParseErrLine = longLine(src)
		case errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0:
			f.ParseErrLine = le.Locations[0][0].Start.Line
		}
		return f
	}
	f.Escape = byte(res.EscapeToken)
	f.lex = shell.NewLex(res.EscapeToken)
	b := &builder{f: f, lex: f.lex, lint: f.checkLinter()}
	for _, w := range res.Warnings {
		// The parser's warnings are of empty continuation lines; BuildKit
		// runs them through its linter as NoEmptyContinuation.
		if w.URL == linter.RuleNoEmptyContinuation.URL && w.Location != nil {
			b.lint.Run(&linter.RuleNoEmptyContinuation, []parser.Range{*w.Location}, linter.RuleNoEmptyContinuation.Format())
		}
	}
	for _, node := range res.AST.Children {
		b.add(node)
	}
	if b.sh != nil {
		shParsers.Put(b.sh)
	}
	return f
}

// checkLinter returns a BuildKit linter configured by the file's "# check="
// directive (with none when BuildKit rejects it) that records its warnings
// in f.ParseWarnings until an instruction is rejected.
func (f *File) checkLinter() *linter.Linter {
	cfg := &linter.Config{}
	if v, ok := f.Directive("check"); ok {
		if c, err := linter.ParseLintOptions(v); err == nil {
			cfg = c
		}
	}
	cfg.Warn = func(rule, _, _, msg string, loc []parser.Range) {
		if f.Rejected != nil {
			return
		}
		w := CheckWarning{Rule: rule, Message: msg}
		if len(loc) > 0 {
			w.StartLine, w.EndLine = loc[0].Start.Line, loc[0].End.Line
		}
		f.ParseWarnings = append(f.ParseWarnings, w)
	}
	return linter.New(cfg)
}

// longLine is the first line too long for BuildKit's line reader (which
// says so without a line number), else the longest line.
func longLine(src []byte) int {
	longest, longestLen := 1, 0
	for n := 1; len(src) > 0; n++ {
		line, rest, _ := bytes.Cut(src, []byte("\n"))
		if len(line) >= bufio.MaxScanTokenSize-1 {
			return n
		}
		if len(line) > longestLen {
			longest, longestLen = n, len(line)
		}
		src = rest
	}
	return longest
}

// readDirectives returns the parser directives of src as BuildKit reads
// each one. The syntax directive is read as the builder reads it to pick
// the frontend (parser.DetectSyntax) and check as the frontend reads it
// (parser.ParseDirective): after a byte order mark and a #! line, not
// indented. escape is read as parser.Parse reads it: after a byte order
// mark, indented or not, and not after a #! line.
func readDirectives(src []byte) []Directive {
	var ds []Directive
	add := func(name, value string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		ds = append(ds, Directive{Name: name, Value: value, Line: line})
	}
	// The checks for the word spare BuildKit's scans of the whole file
	// (DetectSyntax tries three formats) when there can be no directive.
	if bytes.Contains(src, []byte("syntax")) {
		if _, value, loc, ok := parser.DetectSyntax(src); ok {
			add("syntax", value, loc)
		}
	}
	if bytes.Contains(src, []byte("check")) {
		if _, value, loc, ok := parser.ParseDirective("check", src); ok {
			add("check", value, loc)
		}
	}
	var dp parser.DirectiveParser
	rest := bytes.TrimPrefix(src, []byte("\xEF\xBB\xBF"))
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		d, err := dp.ParseLine(bytes.TrimLeftFunc(bytes.TrimRight(line, "\r"), unicode.IsSpace))
		if err != nil || d == nil {
			break
		}
		if d.Name == "escape" {
			add(d.Name, d.Value, d.Location)
		}
	}
	slices.SortStableFunc(ds, func(a, b Directive) int { return cmp.Compare(a.Line, b.Line) })
	return ds
}

// builder walks the instructions in order, keeping the state of the
// current stage.
type builder struct {
	f       *File
	lex     *shell.Lex
	metaEnv *Env
	stage   *Stage
	st      state
	final   map[*Stage]state // state at the end of each stage
	sh      *syntax.Parser   // reused for every RUN of the file
	lint    *linter.Linter   // records BuildKit's parse-time checks
}

// state is what an instruction inherits from the ones before it.
type state struct {
	env     *Env
	user    string
	workdir string
	shell   []string
}

func (b *builder) add(node *parser.Node) {
	f := b.f
	in := &Instruction{
		Keyword:   strings.ToUpper(node.Value),
		Node:      node,
		StartLine: node.StartLine,
		EndLine:   node.EndLine,
	}
	body, cmdEnd := instructionText(f.lines, node.StartLine, node.EndLine, f.Escape)
	in.body = body
	in.Pos = f.Pos(body.fileOffset(0))
	lastLine, lastOff := f.lines.line(node.EndLine)
	in.End = f.Pos(lastOff + len(lastLine))
	b.splitFlags(in)

	cmd, err := instructions.ParseInstructionWithLinter(node, b.lint)
	if err != nil {
		in.Err, cmd = err, nil
		f.reject(in)
	}
	in.Command = cmd
	f.Instructions = append(f.Instructions, in)

	if st, ok := cmd.(*instructions.Stage); ok && err == nil {
		b.startStage(in, st)
		return
	}
	if b.stage == nil {
		if a, ok := cmd.(*instructions.ArgCommand); ok {
			in.Env = b.metaEnv
			b.metaEnv = b.declareArgs(b.metaEnv, a, nil, in.StartLine)
			f.MetaArgs = append(f.MetaArgs, in)
		} else if in.Err == nil {
			in.Err = errors.New("no build stage in current context: " + in.Keyword + " comes before the first FROM")
			in.Command = nil
			f.reject(in)
		}
		return
	}
	in.Stage = b.stage
	b.stage.Instructions = append(b.stage.Instructions, in)
	in.Env, in.User, in.Workdir = b.st.env, b.st.user, b.st.workdir
	b.apply(in, cmd, cmdEnd)
	b.final[b.stage] = b.st
}

// reject records in as rejected by BuildKit's instruction parser, if it is
// the first.
func (f *File) reject(in *Instruction) {
	if f.Rejected == nil {
		f.Rejected = in
	}
}

// splitFlags fills in.Flags and in.Args from the instruction text.
func (b *builder) splitFlags(in *Instruction) {
	words := splitWords(in.body.s, b.f.Escape)
	if len(words) == 0 {
		return
	}
	i := 1
	for ; i < len(words); i++ {
		w := in.body.s[words[i].start:words[i].end]
		if w == "--" {
			i++
			break
		}
		if !strings.HasPrefix(w, "--") {
			break
		}
		in.Flags = append(in.Flags, b.word(in, words[i]))
	}
	for _, sp := range words[i:] {
		in.Args = append(in.Args, b.word(in, sp))
	}
}

func (b *builder) word(in *Instruction, sp span) Word {
	return Word{
		Text: in.body.s[sp.start:sp.end],
		Pos:  b.f.Pos(in.body.fileOffset(sp.start)),
		End:  b.f.Pos(in.body.fileOffset(sp.end-1) + 1),
	}
}

func (b *builder) startStage(in *Instruction, st *instructions.Stage) {
	f := b.f
	if b.final == nil {
		b.final = map[*Stage]state{}
	}
	s := &Stage{Index: len(f.Stages), Name: strings.ToLower(st.Name), From: in}
	if base, ok := expand(b.lex, st.BaseName, b.metaEnv); ok {
		s.BaseImage = base
	} else {
		s.BaseImage = st.BaseName // keeps the $ of what is not known
	}
	in.Env = b.metaEnv
	in.Stage = s
	if base := b.stageByName(s.BaseImage); base != nil {
		s.BaseStage = base
		b.st = b.final[base]
	} else {
		b.st = state{workdir: "/", shell: DefaultShell}
	}
	in.User, in.Workdir = b.st.user, b.st.workdir
	f.Stages = append(f.Stages, s)
	b.stage = s
	b.final[s] = b.st
}

// stageByName finds an earlier stage by AS name or, when numeric, index.
func (b *builder) stageByName(name string) *Stage {
	if name == "" {
		return nil
	}
	name = strings.ToLower(name)
	for _, s := range b.f.Stages {
		if s.Name == name {
			return s
		}
	}
	if i, err := strconv.Atoi(name); err == nil && i >= 0 && i < len(b.f.Stages) {
		return b.f.Stages[i]
	}
	return nil
}

func (b *builder) addCopiesFrom(name string) {
	src := b.stageByName(name)
	if src == nil || src == b.stage {
		return
	}
	for _, s := range b.stage.CopiesFrom {
		if s == src {
			return
		}
	}
	b.stage.CopiesFrom = append(b.stage.CopiesFrom, src)
}

// apply models one instruction of a stage and updates the state.
func (b *builder) apply(in *Instruction, cmd any, cmdEnd int) {
	switch c := cmd.(type) {
	case *instructions.ArgCommand:
		b.st.env = b.declareArgs(b.st.env, c, b.metaEnv, in.StartLine)
	case *instructions.EnvCommand:
		env := b.st.env
		for _, kv := range c.Env {
			v, ok := expand(b.lex, kv.Value, b.st.env)
			env = env.with(b.varName(kv.Key, b.st.env), Var{Value: v, Known: ok, Line: in.StartLine})
		}
		b.st.env = env
	case *instructions.WorkdirCommand:
		b.st.workdir = b.resolveDir(c.Path)
	case *instructions.UserCommand:
		if u, ok := expand(b.lex, c.User, b.st.env); ok {
			b.st.user = u
		} else {
			b.st.user = c.User
		}
	case *instructions.ShellCommand:
		b.st.shell = c.Shell
	case *instructions.RunCommand:
		b.modelRun(in, c, cmdEnd)
	case *instructions.CopyCommand:
		in.Copy = b.modelCopy(in, c.SourcesAndDest, c.From)
		in.Copy.Link, in.Copy.Parents, in.Copy.Excludes = c.Link, c.Parents, c.ExcludePatterns
		if c.From != "" {
			from, _ := expand(b.lex, c.From, b.st.env)
			b.addCopiesFrom(from)
		}
	case *instructions.AddCommand:
		in.Copy = b.modelCopy(in, c.SourcesAndDest, "")
		in.Copy.Add, in.Copy.Link, in.Copy.Excludes = true, c.Link, c.ExcludePatterns
	}
}

// resolveDir makes a WORKDIR or cd argument absolute against the current
// directory. It returns "" when the value depends on an unknown variable.
func (b *builder) resolveDir(p string) string {
	p, ok := expand(b.lex, p, b.st.env)
	if !ok || b.st.workdir == "" && !path.IsAbs(p) {
		return ""
	}
	return joinDir(b.st.workdir, p)
}

func joinDir(cur, p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	if path.IsAbs(p) || len(p) >= 2 && p[1] == ':' {
		return path.Clean(p)
	}
	return path.Join(cur, p)
}

// declareArgs adds ARG declarations to env. An ARG without a default takes
// the value of the global ARG of the same name when there is one.
func (b *builder) declareArgs(env *Env, c *instructions.ArgCommand, global *Env, line int) *Env {
	for _, kv := range c.Args {
		name := b.varName(kv.Key, env)
		v := Var{Arg: true, Line: line}
		if kv.Value != nil {
			v.Value, v.Known = expand(b.lex, *kv.Value, env)
		} else if g, ok := global.Lookup(name); ok {
			v.Value, v.Known = g.Value, g.Known
		}
		env = env.with(name, v)
	}
	return env
}

// varName is the name an ARG or ENV declares: BuildKit expands the key as
// a word, so quotes and escapes are removed (ENV "A"=1 declares A).
func (b *builder) varName(key string, env *Env) string {
	if name, _ := expand(b.lex, key, env); name != "" {
		return name
	}
	return key
}

func (b *builder) modelCopy(in *Instruction, sd instructions.SourcesAndDest, from string) *Copy {
	cp := &Copy{From: from, Heredoc: len(sd.SourceContents) > 0}
	args := in.Args
	if in.Node.Attributes["json"] {
		args = b.jsonWords(in, append(append([]string{}, sd.SourcePaths...), sd.DestPath))
	}
	if len(args) == 0 {
		return cp
	}
	cp.Dest = args[len(args)-1]
	for _, w := range args[:len(args)-1] {
		if !strings.HasPrefix(w.Text, "<<") {
			cp.Sources = append(cp.Sources, w)
		}
	}
	return cp
}

// jsonWords locates each of values, in order, as a JSON string in the
// instruction text after its flags. Text is the value itself.
func (b *builder) jsonWords(in *Instruction, values []string) []Word {
	s := in.body.s
	from := 0
	if n := len(in.Flags); n > 0 {
		from = int(in.Flags[n-1].End - in.Pos)
		from = min(max(from, 0), len(s))
	}
	if i := strings.IndexByte(s[from:], '['); i >= 0 {
		from += i
	}
	words := make([]Word, 0, len(values))
	for _, v := range values {
		quoted := strconv.Quote(v)
		i := strings.Index(s[from:], quoted)
		sp := span{from, from}
		if i >= 0 {
			sp = span{from + i + 1, from + i + len(quoted) - 1}
			from = sp.end + 1
		}
		w := b.word(in, sp)
		if sp.start == sp.end {
			w.End = w.Pos
		}
		w.Text = v
		words = append(words, w)
	}
	return words
}
