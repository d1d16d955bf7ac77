package dockerfile

import (
	"cmp"
	"go/token"
	"path"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/tonistiigi/go-csvvalue"
	"mvdan.cc/sh/v3/syntax"
)

// Command is a simple command found in a RUN, seen through shell syntax
// (&&, ||, ;, pipes, subshells, if/for/while bodies), `sh -c '...'`,
// wrappers (env, sudo, exec, time, nice, nohup, command, xargs) and env
// prefixes. Args[0] is the program.
type Command struct {
	Args []Arg
	// Env holds the variables set inside the RUN that apply to this
	// command: prefixes (FOO=1 cmd), `env K=V`, export and assignments.
	Env map[string]string
	// Dir is the effective working directory: WORKDIR changed by cd;
	// "" when it cannot be known.
	Dir string
	// Redirs are the command's own redirections, in order (echo x >
	// /etc/f, cat <<EOF > f); redirections of a compound command ({ ...; }
	// > f) are not recorded.
	Redirs []Redirect
	// User is the user a wrapper runs the command as (sudo -u app,
	// gosu app, su-exec app, runuser -u app; plain sudo is root); "" when
	// no wrapper switches user and the instruction's USER applies.
	User     string
	Pos, End token.Pos

	argv []string // Argv, made once
}

// Redirect is one redirection of a command.
type Redirect struct {
	Op string // as written: ">", ">>", ">|", "&>", "<", "<<", "<<-", "<<<", ">&" ...
	Fd string // the descriptor written before the operator (2>), "" when none
	// Target is the word after the operator: the file, or for a heredoc
	// its delimiter.
	Target Arg
	Body   string // a heredoc's text as written, "" for other redirections
}

// Writes reports whether the redirection writes to (>, >|, &>) or appends
// to (>>, &>>) a file, and which.
func (r Redirect) Writes() (file string, appends, ok bool) {
	switch r.Op {
	case ">", ">|", "&>":
		return r.Target.Value, false, r.Target.Lit
	case ">>", "&>>":
		return r.Target.Value, true, r.Target.Lit
	}
	return "", false, false
}

// Files returns the files that the command's redirections name (< f,
// > f, >> f, &> f ...): not heredocs, here-strings or descriptor copies
// (2>&1).
func (c *Command) Files() []Arg {
	var out []Arg
	for _, r := range c.Redirs {
		switch r.Op {
		case "<", ">", ">>", "<>", ">|", "&>", "&>>":
			out = append(out, r.Target)
		}
	}
	return out
}

// Arg is one word of a command. Lit is false when the word depends on
// something unknown here (an unset variable, a command substitution);
// Value then holds the source text of those parts.
type Arg struct {
	Value    string
	Lit      bool
	Pos, End token.Pos
}

// Name is the program's base name ("npm" for /usr/bin/npm), or "" when the
// program is not a literal.
func (c *Command) Name() string {
	if len(c.Args) == 0 || !c.Args[0].Lit {
		return ""
	}
	return path.Base(c.Args[0].Value)
}

// Argv returns the argument values. The slice is shared by every call:
// do not change its elements (appending copies it).
func (c *Command) Argv() []string {
	if c.argv == nil || len(c.argv) != len(c.Args) {
		c.argv = make([]string, len(c.Args))
		for i, a := range c.Args {
			c.argv[i] = a.Value
		}
	}
	return c.argv[:len(c.argv):len(c.argv)]
}

// Getenv looks a variable up as the command sees it: set in the RUN, else
// from ARG/ENV in effect at the instruction. ok is false when it is not set
// or its value is not known here.
func (c *Command) Getenv(in *Instruction, name string) (string, bool) {
	if v, ok := c.Env[name]; ok {
		return v, KnownValue(v)
	}
	return in.Env.Get(name)
}

// KnownValue reports whether a value set in a RUN is known: the shell
// walker keeps the source text of what it cannot resolve (V=$(cat f),
// V=$UNSET), so a value with $ or ` in it is not known.
func KnownValue(v string) bool {
	return !strings.ContainsAny(v, "$`")
}

// shells are the programs whose -c argument is a shell script.
var shells = map[string]bool{"sh": true, "bash": true, "dash": true, "ash": true, "zsh": true, "ksh": true, "busybox": false}

// isPOSIXShell reports whether a SHELL setting runs commands through a
// shell this package understands.
func isPOSIXShell(sh []string) bool {
	return len(sh) > 0 && shells[strings.ToLower(path.Base(strings.ReplaceAll(sh[0], "\\", "/")))]
}

// modelRun fills in the RUN model: mounts, heredocs and simple commands.
func (b *builder) modelRun(in *Instruction, c *instructions.RunCommand, cmdEnd int) {
	r := &Run{Exec: !c.PrependShell, Heredocs: in.Node.Heredocs, Shell: b.st.shell}
	in.Run = r
	b.modelMounts(in, c)
	w := &walker{b: b, in: in, cmds: &r.Commands}
	st := &shellState{dir: in.Workdir}
	if r.Exec {
		args := b.jsonWords(in, c.CmdLine)
		w.callWithWords(w.argsFromWords(args), nil, nil, st, st)
		return
	}
	if !isPOSIXShell(r.Shell) {
		return
	}
	script := in.body.slice(b.scriptStart(in), len(in.body.s))
	heredocs := b.heredocText(in, cmdEnd)
	if len(r.Heredocs) == 1 && isLoneHeredoc(script.s) {
		// BuildKit runs a lone heredoc as the script itself.
		for _, body := range heredocBodies(heredocs, r.Heredocs) {
			if !hasForeignShebang(body.s) {
				w.script(body, st)
			}
		}
		return
	}
	if heredocs.s != "" {
		var tb textBuilder
		tb.addText(script)
		tb.add([]byte{'\n'}, script.fileOffset(len(script.s)))
		tb.addText(heredocs)
		script = tb.text()
	}
	w.script(script, st)
}

// scriptStart is where the command text starts after keyword and flags.
func (b *builder) scriptStart(in *Instruction) int {
	i := len(in.Keyword)
	if n := len(in.Flags); n > 0 {
		i = in.body.indexOfFileOffset(b.f.Tok.Offset(in.Flags[n-1].End))
	}
	for i < len(in.body.s) && (in.body.s[i] == ' ' || in.body.s[i] == '\t') {
		i++
	}
	return min(i, len(in.body.s))
}

// heredocText returns the physical lines after the command line up to the
// end of the instruction, verbatim: the heredoc bodies and terminators.
func (b *builder) heredocText(in *Instruction, cmdEnd int) text {
	var tb textBuilder
	for n := cmdEnd + 1; n <= in.EndLine; n++ {
		l, off := b.f.lines.line(n)
		tb.add(l, off)
		tb.add([]byte{'\n'}, off+len(l))
	}
	return tb.text()
}

// heredocBodies splits the text after a command line into the bodies of
// its heredocs, dropping each terminator line.
func heredocBodies(t text, docs []parser.Heredoc) []text {
	var bodies []text
	pos := 0
	for _, d := range docs {
		start := pos
		for pos < len(t.s) {
			end := strings.IndexByte(t.s[pos:], '\n')
			if end < 0 {
				end = len(t.s) - pos
			}
			line := strings.TrimRight(t.s[pos:pos+end], "\r")
			next := min(pos+end+1, len(t.s))
			if d.Chomp {
				line = strings.TrimLeft(line, "\t")
			}
			if line == d.Name {
				bodies = append(bodies, t.slice(start, pos))
				pos = next
				break
			}
			pos = next
		}
	}
	return bodies
}

// isLoneHeredoc reports whether a RUN command is one heredoc word and
// nothing else (RUN <<EOF), which BuildKit runs as the script. A command
// of several heredocs is a shell command made only of redirections.
func isLoneHeredoc(s string) bool {
	f := strings.Fields(s)
	return len(f) == 1 && parser.MustParseHeredoc(f[0]) != nil
}

// hasForeignShebang reports whether a heredoc script starts with a #! line
// naming a program that is not a POSIX shell (python, node, ...).
func hasForeignShebang(s string) bool {
	if !strings.HasPrefix(s, "#!") {
		return false
	}
	line, _, _ := strings.Cut(s[2:], "\n")
	f := strings.Fields(line)
	if len(f) == 0 {
		return false
	}
	prog := path.Base(f[0])
	if prog == "env" && len(f) > 1 {
		prog = f[1]
	}
	return !shells[prog]
}

func (b *builder) modelMounts(in *Instruction, c *instructions.RunCommand) {
	unknown := false
	expander := func(word string) (string, error) {
		s, ok := expand(b.lex, word, b.st.env)
		unknown = unknown || !ok
		return s, nil
	}
	if err := c.Expand(expander); err != nil {
		if !unknown {
			if in.Err == nil {
				in.Err = err
			}
			return
		}
		// A value that depends on a build argument given only at build
		// time (uid=$UID) fails BuildKit's checks when empty: model the
		// mount with a placeholder there, and mark that field unknown.
		placeholder := func(word string) (string, error) {
			if s, ok := expand(b.lex, word, b.st.env); ok {
				return s, nil
			}
			return "0", nil
		}
		if c.Expand(placeholder) != nil {
			return
		}
	}
	var flags []Word
	for _, f := range in.Flags {
		if n, _, _ := strings.Cut(strings.TrimPrefix(f.Text, "--"), "="); strings.EqualFold(n, "mount") {
			flags = append(flags, f)
		}
	}
	for i, m := range instructions.GetMounts(c) {
		mt := &Mount{Mount: m}
		if i < len(flags) {
			mt.Flag = flags[i]
			mt.unknown = b.unknownMountFields(mt.Flag.Text)
		} else if unknown {
			mt.unknown = []string{"*"}
		}
		in.Run.Mounts = append(in.Run.Mounts, mt)
		if m.From != "" {
			b.addCopiesFrom(m.From)
		}
	}
}

// mountFieldNames maps the keys of a --mount flag to the names Known takes.
var mountFieldNames = map[string]string{
	"src": "source", "dst": "target", "destination": "target", "ro": "readonly",
}

// unknownMountFields lists the fields of a --mount flag whose values use
// a variable with no value known here.
func (b *builder) unknownMountFields(flag string) []string {
	if !strings.Contains(flag, "$") {
		return nil
	}
	_, value, _ := strings.Cut(flag, "=")
	fields, err := csvvalue.Fields(unquoteWord(value), nil)
	if err != nil {
		return []string{"*"}
	}
	var out []string
	for _, field := range fields {
		key, v, _ := strings.Cut(field, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		if _, ok := expand(b.lex, v, b.st.env); !ok {
			out = append(out, cmp.Or(mountFieldNames[key], key))
		}
	}
	return out
}

// unquoteWord drops the quotes around a whole word ("a,b" or 'a,b').
func unquoteWord(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// shellState is what a shell carries from one command to the next.
type shellState struct {
	dir  string
	env  map[string]string
	user string // set by a wrapper that switches user (sudo -u, gosu)
}

func (s *shellState) copy() *shellState {
	n := &shellState{dir: s.dir, env: make(map[string]string, len(s.env)), user: s.user}
	for k, v := range s.env {
		n.env[k] = v
	}
	return n
}

func (s *shellState) setenv(k, v string) {
	if s.env == nil {
		s.env = map[string]string{}
	}
	s.env[k] = v
}

// shParsers keeps shell parsers for reuse from file to file.
var shParsers = sync.Pool{New: func() any { return syntax.NewParser(syntax.Variant(syntax.LangBash)) }}

// maxShellDepth bounds nested `sh -c` parsing.
const maxShellDepth = 8

// walker collects the simple commands of a script.
type walker struct {
	b     *builder
	in    *Instruction
	cmds  *[]*Command
	src   text // the script being walked
	depth int
}

// script parses t as shell and walks it. Scripts that do not parse yield
// no commands.
func (w *walker) script(t text, st *shellState) {
	if w.depth >= maxShellDepth {
		return
	}
	if w.b.sh == nil {
		w.b.sh = shParsers.Get().(*syntax.Parser)
	}
	src, bad := validUTF8(t.s)
	f, err := w.b.sh.Parse(strings.NewReader(src), "")
	if err != nil {
		return
	}
	saved := w.src
	w.src = t
	w.depth++
	first := len(*w.cmds)
	w.stmts(f.Stmts, st)
	w.depth--
	w.src = saved
	if len(bad) > 0 {
		w.unknownWhere(first, t, bad)
	}
}

// validUTF8 returns s with each byte that is not UTF-8 (a Latin-1 "é" in
// an echo) replaced by an underscore, which the shell parser takes as any
// other letter where it would refuse the byte, and the indexes of those
// bytes. The length stays the same, so that positions do not move.
func validUTF8(s string) (string, []int) {
	if utf8.ValidString(s) {
		return s, nil
	}
	b := []byte(s)
	var bad []int
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			b[i] = '_'
			bad = append(bad, i)
		}
		i += size
	}
	return string(b), bad
}

// unknownWhere marks the words of the commands from index first on that
// hold one of the bytes validUTF8 replaced (indexes into t) as not
// literal: their values hold an underscore instead.
func (w *walker) unknownWhere(first int, t text, bad []int) {
	offs := make([]int, len(bad))
	for i, b := range bad {
		offs[i] = t.fileOffset(b)
	}
	holds := func(a *Arg) {
		p, e := w.b.f.Tok.Offset(a.Pos), w.b.f.Tok.Offset(a.End)
		for _, o := range offs {
			if p <= o && o < e {
				a.Lit = false
				return
			}
		}
	}
	for _, c := range (*w.cmds)[first:] {
		for i := range c.Args {
			holds(&c.Args[i])
		}
		for i := range c.Redirs {
			holds(&c.Redirs[i].Target)
		}
		c.argv = nil
	}
}

func (w *walker) pos(p syntax.Pos) token.Pos {
	return w.b.f.Pos(w.src.fileOffset(int(p.Offset())))
}

func (w *walker) stmts(list []*syntax.Stmt, st *shellState) {
	for _, s := range list {
		w.stmt(s, st)
	}
}

func (w *walker) stmt(s *syntax.Stmt, st *shellState) {
	if s == nil {
		return
	}
	switch c := s.Cmd.(type) {
	case *syntax.CallExpr:
		w.callExpr(c, s, st)
	case *syntax.BinaryCmd:
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			w.stmt(c.X, st.copy())
			w.stmt(c.Y, st.copy())
			return
		}
		w.stmt(c.X, st)
		w.stmt(c.Y, st)
	case *syntax.Subshell:
		w.stmts(c.Stmts, st.copy())
	case *syntax.Block:
		w.stmts(c.Stmts, st)
	case *syntax.IfClause:
		for ic := c; ic != nil; ic = ic.Else {
			w.stmts(ic.Cond, st)
			w.stmts(ic.Then, st)
		}
	case *syntax.WhileClause:
		w.stmts(c.Cond, st)
		w.stmts(c.Do, st)
	case *syntax.ForClause:
		w.stmts(c.Do, st)
	case *syntax.CaseClause:
		for _, item := range c.Items {
			w.stmts(item.Stmts, st)
		}
	case *syntax.FuncDecl:
		w.stmt(c.Body, st.copy())
	case *syntax.TimeClause:
		w.stmt(c.Stmt, st)
	case *syntax.CoprocClause:
		w.stmt(c.Stmt, st.copy())
	case *syntax.DeclClause:
		for _, a := range c.Args {
			if a.Name != nil && a.Value != nil {
				st.setenv(a.Name.Value, w.arg(a.Value, st).Value)
			}
		}
	}
}

func (w *walker) callExpr(c *syntax.CallExpr, s *syntax.Stmt, st *shellState) {
	if len(c.Args) == 0 {
		for _, a := range c.Assigns {
			if a.Name != nil && a.Value != nil {
				st.setenv(a.Name.Value, w.arg(a.Value, st).Value)
			}
		}
		return
	}
	local := st
	if len(c.Assigns) > 0 {
		local = st.copy()
		for _, a := range c.Assigns {
			if a.Name != nil {
				v := ""
				if a.Value != nil {
					v = w.arg(a.Value, st).Value
				}
				local.setenv(a.Name.Value, v)
			}
		}
	}
	args := make([]Arg, 0, len(c.Args))
	for _, word := range c.Args {
		a := w.arg(word, st)
		if a.Lit && w.splitsOnBlanks(word, st) {
			// An unquoted variable holding blanks is split into fields,
			// as the shell does (cache="--cache-from=... --cache-to=...";
			// docker build $cache .). Each field keeps the word's place.
			for _, field := range strings.Fields(a.Value) {
				args = append(args, Arg{Value: field, Lit: true, Pos: a.Pos, End: a.End})
			}
			continue
		}
		args = append(args, a)
	}
	// A shell reading a heredoc on stdin runs it as its script: bash <<EOF,
	// bash -ex <<EOF (flags, but no -c and no script file).
	if args[0].Lit && shells[path.Base(args[0].Value)] && onlyFlags(args[1:]) {
		for _, r := range s.Redirs {
			if (r.Op == syntax.Hdoc || r.Op == syntax.DashHdoc) && r.Hdoc != nil && len(r.Hdoc.Parts) > 0 {
				start, end := int(r.Hdoc.Pos().Offset()), int(r.Hdoc.End().Offset())
				if i := strings.LastIndexByte(w.src.s[start:end], '\n'); i >= 0 {
					end = start + i + 1 // drop the terminator line
				}
				w.script(w.src.slice(start, end), local.copy())
				return
			}
		}
	}
	w.callWithWords(args, c.Args, w.redirs(s.Redirs, st), local, st)
}

// redirs converts a statement's redirections.
func (w *walker) redirs(rs []*syntax.Redirect, st *shellState) []Redirect {
	var out []Redirect
	for _, r := range rs {
		rd := Redirect{Op: r.Op.String()}
		if r.N != nil {
			rd.Fd = r.N.Value
		}
		if r.Word != nil {
			rd.Target = w.arg(r.Word, st)
		}
		if r.Hdoc != nil && r.Hdoc.Pos().IsValid() {
			body := w.src.s[r.Hdoc.Pos().Offset():r.Hdoc.End().Offset()]
			if i := strings.LastIndexByte(body, '\n'); i >= 0 {
				body = body[:i+1] // drop the terminator line
			}
			rd.Body = body
		}
		out = append(out, rd)
	}
	return out
}

// onlyFlags reports whether every argument is a literal option other than
// -c, so that a shell given them reads its script from standard input.
func onlyFlags(args []Arg) bool {
	for _, a := range args {
		if !a.Lit || !strings.HasPrefix(a.Value, "-") && !strings.HasPrefix(a.Value, "+") ||
			!strings.HasPrefix(a.Value, "--") && strings.Contains(a.Value, "c") {
			return false
		}
	}
	return true
}

// callWithWords unwraps wrappers and sh -c, tracks cd, and records the
// command. words are the shell words behind args when there are some,
// redirs the command's redirections. outer is the state that a cd changes.
func (w *walker) callWithWords(args []Arg, words []*syntax.Word, redirs []Redirect, local, outer *shellState) {
	args, local = unwrap(args, local)
	if len(args) == 0 {
		return
	}
	name := ""
	if args[0].Lit {
		name = path.Base(args[0].Value)
	}
	if shells[name] {
		if i := shellScriptArg(args); i > 0 {
			w.shellC(args[i], words, local)
			return
		}
	}
	if name == "cd" && local == outer {
		outer.dir = cdTarget(outer.dir, args)
	}
	cmd := &Command{Args: args, Dir: local.dir, Redirs: redirs, User: local.user, Pos: args[0].Pos, End: args[len(args)-1].End}
	if len(local.env) > 0 {
		cmd.Env = local.env
	}
	*w.cmds = append(*w.cmds, cmd)
}

// shellC parses the script argument of `sh -c SCRIPT`.
func (w *walker) shellC(a Arg, words []*syntax.Word, st *shellState) {
	if !a.Lit {
		return
	}
	sub := w.argText(a, words)
	w.script(sub, st.copy())
}

// argText returns the text of a literal argument with file offsets: exact
// for single-quoted and plain words, approximate inside double quotes.
func (w *walker) argText(a Arg, words []*syntax.Word) text {
	for _, word := range words {
		if w.pos(word.Pos()) != a.Pos {
			continue
		}
		start, end := int(word.Pos().Offset()), int(word.End().Offset())
		if len(word.Parts) == 1 {
			if q, ok := word.Parts[0].(*syntax.SglQuoted); ok && !q.Dollar {
				return w.src.slice(start+1, end-1)
			}
		}
		if raw := w.src.s[start:end]; raw == a.Value {
			return w.src.slice(start, end)
		}
		return contiguousText(a.Value, w.src.fileOffset(start+1))
	}
	// exec form: the value sits between quotes in the JSON text.
	start := w.b.f.Tok.Offset(a.Pos)
	return contiguousText(a.Value, start)
}

// shellScriptArg returns the index of the script after -c (or a combined
// flag such as -ec), or 0 when there is none.
func shellScriptArg(args []Arg) int {
	for i := 1; i < len(args); i++ {
		v := args[i].Value
		if !strings.HasPrefix(v, "-") || v == "-" || v == "--" {
			return 0
		}
		if !strings.HasPrefix(v, "--") && strings.Contains(v, "c") {
			if i+1 < len(args) {
				return i + 1
			}
			return 0
		}
		if v == "-o" || v == "+o" {
			i++
		}
	}
	return 0
}

// cdTarget computes the directory after `cd ARGS` from dir.
func cdTarget(dir string, args []Arg) string {
	var target *Arg
	for i := 1; i < len(args); i++ {
		if args[i].Lit && (args[i].Value == "-P" || args[i].Value == "-L" || args[i].Value == "--") {
			continue
		}
		target = &args[i]
		break
	}
	if target == nil || !target.Lit || target.Value == "-" || strings.HasPrefix(target.Value, "~") {
		return ""
	}
	if dir == "" && !path.IsAbs(target.Value) {
		return ""
	}
	return joinDir(dir, target.Value)
}

// wrapperFlagsWithValue lists, per wrapper, the flags that take a value.
var wrapperFlagsWithValue = map[string]map[string]bool{
	"sudo":    {"-u": true, "--user": true, "-g": true, "-C": true, "-D": true, "-h": true, "-p": true, "-r": true, "-t": true, "-U": true, "-T": true},
	"env":     {"-u": true, "-C": true, "-S": true, "--unset": true, "--chdir": true},
	"nice":    {"-n": true},
	"xargs":   {"-a": true, "-d": true, "-E": true, "-e": true, "-I": true, "-i": true, "-L": true, "-l": true, "-n": true, "-P": true, "-s": true},
	"time":    {"-f": true, "-o": true},
	"exec":    {"-a": true},
	"command": {},
	"nohup":   {},
	"stdbuf":  {"-i": true, "-o": true, "-e": true},
	"timeout": {"-k": true, "-s": true},
	"runuser": {"-u": true, "-g": true, "-G": true, "--user": true, "--group": true},
	"gosu":    {},
	"su-exec": {},
}

// unwrap strips wrapper programs (sudo, env, exec, gosu, ...) and returns
// the wrapped command, with any variables `env` sets and the user that
// sudo, gosu, su-exec or runuser switch to added to the state.
func unwrap(args []Arg, st *shellState) ([]Arg, *shellState) {
	copied := false
	own := func() {
		if !copied {
			st, copied = st.copy(), true
		}
	}
	for len(args) > 0 && args[0].Lit {
		name := path.Base(args[0].Value)
		valued, ok := wrapperFlagsWithValue[name]
		if !ok {
			return args, st
		}
		if user, known := switchedUser(name, args[1:]); user != "" || known {
			own()
			st.user = user
			if !known {
				st.user = "$" // not known here
			}
		}
		i := 1
		if name == "gosu" || name == "su-exec" {
			i = 2 // the user
		}
		for i < len(args) {
			v := args[i].Value
			if name == "env" && strings.Contains(v, "=") && !strings.HasPrefix(v, "-") {
				own()
				k, val, _ := strings.Cut(v, "=")
				st.setenv(k, val)
				i++
				continue
			}
			if v == "--" {
				i++
				break
			}
			if !strings.HasPrefix(v, "-") || v == "-" {
				break
			}
			if valued[v] || takesValue(valued, v) {
				i++
			}
			i++
		}
		if name == "timeout" && i < len(args) {
			i++ // the duration
		}
		// A flag's value or gosu's user may be missing (sudo -C, gosu):
		// then nothing is wrapped.
		args = args[min(i, len(args)):]
	}
	return args, st
}

// switchedUser returns the user a wrapper runs its command as: sudo's -u
// (root without it), runuser's -u, the first operand of gosu and
// su-exec (user[:group]). known is false when the user is a value not
// known here; both are empty for wrappers that keep the user.
func switchedUser(name string, args []Arg) (user string, known bool) {
	switch name {
	case "gosu", "su-exec":
		if len(args) == 0 {
			return "", false
		}
		u, _, _ := strings.Cut(args[0].Value, ":")
		return u, args[0].Lit
	case "sudo", "runuser":
		for i, a := range args {
			if a.Value == "--" || !strings.HasPrefix(a.Value, "-") {
				break
			}
			if v, ok := strings.CutPrefix(a.Value, "--user="); ok {
				return v, a.Lit
			}
			if (a.Value == "-u" || a.Value == "--user" || strings.HasPrefix(a.Value, "-") && !strings.HasPrefix(a.Value, "--") && strings.HasSuffix(a.Value, "u")) && i+1 < len(args) {
				return args[i+1].Value, args[i+1].Lit && a.Lit
			}
		}
		if name == "sudo" {
			return "root", true
		}
	}
	return "", false
}

// takesValue reports whether a cluster of short flags (sudo -Eu) ends in
// one that takes a value: the next argument is then that value.
func takesValue(valued map[string]bool, v string) bool {
	if len(v) < 3 || v[0] != '-' || v[1] == '-' {
		return false
	}
	return valued["-"+v[len(v)-1:]]
}

// arg converts a shell word to an Arg, resolving simple variable
// references from the RUN's own assignments and from ARG/ENV.
func (w *walker) arg(word *syntax.Word, st *shellState) Arg {
	a := Arg{Lit: true, Pos: w.pos(word.Pos()), End: w.pos(word.End())}
	var sb strings.Builder
	w.parts(word.Parts, st, &sb, &a, false)
	a.Value = sb.String()
	return a
}

func (w *walker) parts(parts []syntax.WordPart, st *shellState, sb *strings.Builder, a *Arg, quoted bool) {
	for _, p := range parts {
		switch p := p.(type) {
		case *syntax.Lit:
			sb.WriteString(unescapeLit(p.Value, quoted))
		case *syntax.SglQuoted:
			sb.WriteString(p.Value)
		case *syntax.DblQuoted:
			w.parts(p.Parts, st, sb, a, true)
		case *syntax.ParamExp:
			if v, ok := w.lookup(p, st); ok {
				sb.WriteString(v)
				continue
			}
			a.Lit = false
			sb.WriteString(w.src.s[p.Pos().Offset():p.End().Offset()])
		default:
			a.Lit = false
			sb.WriteString(w.src.s[p.Pos().Offset():p.End().Offset()])
		}
	}
}

// splitsOnBlanks reports whether a word holds an unquoted variable whose
// known value has blanks in it, which the shell splits into fields.
func (w *walker) splitsOnBlanks(word *syntax.Word, st *shellState) bool {
	for _, p := range word.Parts {
		if pe, ok := p.(*syntax.ParamExp); ok {
			if v, known := w.lookup(pe, st); known && strings.ContainsAny(v, " \t\n") {
				return true
			}
		}
	}
	return false
}

func (w *walker) lookup(p *syntax.ParamExp, st *shellState) (string, bool) {
	if p.Param == nil || p.Exp != nil || p.Slice != nil || p.Repl != nil || p.Index != nil ||
		p.Excl || p.Length || p.Width || p.Names != 0 {
		return "", false
	}
	if v, ok := st.env[p.Param.Value]; ok {
		return v, KnownValue(v)
	}
	return w.in.Env.Get(p.Param.Value)
}

// unescapeLit removes shell backslash escapes from a literal.
func unescapeLit(s string, quoted bool) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			next := s[i+1]
			if next == '\n' {
				i++
				continue
			}
			if !quoted || strings.IndexByte("$`\"\\", next) >= 0 {
				i++
				sb.WriteByte(s[i])
				continue
			}
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

// argsFromWords turns exec-form words into literal Args.
func (w *walker) argsFromWords(words []Word) []Arg {
	args := make([]Arg, len(words))
	for i, wd := range words {
		args[i] = Arg{Value: wd.Text, Lit: true, Pos: wd.Pos, End: wd.End}
	}
	return args
}
