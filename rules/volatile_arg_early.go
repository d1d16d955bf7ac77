package rules

import (
	"fmt"
	"go/token"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// VolatileArgEarly flags a build argument whose value changes with every
// build, declared above expensive RUN steps that do not use it.
var VolatileArgEarly = &analysis.Analyzer{
	Name: "volatile_arg_early",
	Doc: `an ARG that changes with every build is declared before expensive steps

Why it matters for the cache: BuildKit adds every ARG that has a value to
the environment of each RUN that follows it in the stage (and in stages
built FROM that stage), and a RUN's cache key includes its environment. A
commit id, build date or CI build number is new on every build, so every
RUN below its ARG misses the cache on every build, whether it uses the
variable or not: the OS packages and the dependencies are installed again
each time.

Example:

    FROM golang:1.24
    ARG GIT_COMMIT
    LABEL org.opencontainers.image.revision=$GIT_COMMIT
    RUN apt-get update && apt-get install -y libpcap-dev
    COPY go.mod go.sum ./
    RUN go mod download
    COPY . .
    RUN go build -ldflags "-X main.commit=$GIT_COMMIT" -o /app .

Fix: declare the ARG just before the first step that uses it, below the
expensive steps that do not (move a LABEL or ENV that uses it along):

    FROM golang:1.24
    RUN apt-get update && apt-get install -y libpcap-dev
    COPY go.mod go.sum ./
    RUN go mod download
    COPY . .
    ARG GIT_COMMIT
    LABEL org.opencontainers.image.revision=$GIT_COMMIT
    RUN go build -ldflags "-X main.commit=$GIT_COMMIT" -o /app .

What changes with every build is read from the name, split into words at
underscores and camelCase: a commit (GIT_SHA, GIT_COMMIT, COMMIT_SHA,
SOURCE_COMMIT, VCS_REF, REVISION, SHORT_SHA, CI_COMMIT_SHA, GITHUB_SHA),
a build time (BUILD_DATE, BUILD_TIME, BUILD_TIMESTAMP, TIMESTAMP, DATE), a
CI counter (BUILD_NUMBER, BUILD_ID, RUN_ID, CI_PIPELINE_ID, CI_JOB_ID,
GITHUB_RUN_NUMBER) or a cache buster (CACHEBUST, CACHE_BUST). A commit word
qualified by something other than the project (NODE_SHA, GOLANG_COMMIT,
BASE_IMAGE_SHA, CHROMIUM_REVISION) names a pinned dependency and is not
reported. VERSION, APP_VERSION and RELEASE are not reported: they change
only on a release, and without the build's CI configuration cachelint
cannot tell when they are set per build. SOURCE_DATE_EPOCH is meant to be
read by every step and is not reported either. An ARG without a default
counts: these names are the ones CI passes with --build-arg (if nothing
passes it, it has no value and costs nothing). An ARG with a literal
default counts too, for the same reason. An ENV counts when its name is one
of these and its value comes from an ARG (ENV GIT_SHA=$REF); an ENV that
copies a reported ARG (ENV GIT_SHA=$GIT_SHA) moves with it and is not
reported on its own. A global ARG (before the first FROM) is in no RUN's
environment until a stage declares it again, and is reported there.

Expensive steps are OS package installs (apt-get, apk, dnf, yum, zypper),
dependency installs (npm ci, pip install -r, go mod download, bundle,
composer, cargo fetch ...) and compiles (go build, gcc, cargo build, make,
mvn, gradle, npm run build ...). Only the steps above the first RUN that
reads the variable are reported: that RUN and everything after it are
rebuilt anyway. A RUN reads the variable when its text names it, and may
read it when it runs the project's own build scripts, which can read any
variable of their environment: make, cmake, mvn, gradle, cargo build,
dotnet build, npm run, ./build.sh, python setup.py and the like. Those end
the search, so an ARG meant for a Makefile is not reported. Steps after a
copy of the whole context (COPY . ., or a RUN that bind-mounts it) run
again on every commit anyway, so a commit id costs them nothing and they
are not counted for one; a build time or build number still counts there,
since it also changes when the same commit is built again. A cache buster
that no RUN names is taken to target the first RUN after it, which is how
it is used to force a step to run again. When the ARG has to move into a
stage built FROM its own and other stages are built FROM that stage too,
the help says to declare it in each of them that uses it (moved into one,
it would be gone from the others).

Sources:
- https://docs.docker.com/reference/dockerfile/#impact-on-build-caching
- https://docs.docker.com/build/cache/invalidation/
- https://github.com/moby/buildkit/blob/master/frontend/dockerfile/dockerfile2llb/convert.go (dispatchArg adds each ARG with a value to the state's environment)`,
	URL:      docURL("volatile-arg-early"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runVolatileArgEarly,
}

// volatileKinds describe, for messages, what a volatile variable holds.
const (
	volatileCommit    = "a commit id"
	volatileTime      = "a build time"
	volatileCounter   = "a CI build number"
	volatileCacheBust = "a cache buster"
)

// volatileDecl is an ARG or ENV that declares a volatile variable.
type volatileDecl struct {
	idx      int // index in the chain
	in       *dockerfile.Instruction
	kind     string // ARG or ENV
	name     string
	key      string // as written
	what     string // one of the volatile* constants
	single   bool   // the instruction declares nothing else
	names    map[string]bool
	explicit bool // some RUN of the chain names the variable
}

func runVolatileArgEarly(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	lex := f.Lex()
	reported := map[token.Pos]bool{}
	// Later stages first: a stage built FROM another one sees more of
	// what happens to the variables declared in its ancestors.
	for _, s := range slices.Backward(f.Stages) {
		checkVolatileArgs(pass, f, lex, stageChain(s), reported)
	}
	return nil, nil
}

// checkVolatileArgs walks a chain of instructions (a stage preceded by the
// stages it is built FROM) and reports each declaration of a variable
// whose name says it changes with every build, with expensive steps
// between it and the first RUN that reads one of them.
func checkVolatileArgs(pass *analysis.Pass, f *dockerfile.File, lex *shell.Lex, chain []*dockerfile.Instruction, reported map[token.Pos]bool) {
	for _, v := range findVolatileArgs(f, lex, chain, volatileByName) {
		if reported[keyPos(v.decl)] {
			continue
		}
		reported[keyPos(v.decl)] = true
		reportVolatileArg(pass, f, chain, v)
	}
}

// volatileNamer says what a variable an ARG or ENV (kind) declares holds
// when its value changes with every build (one of the volatile*
// constants), or "" when it does not.
type volatileNamer func(kind, name string) string

// volatileByName is CL011's namer: the name says what the variable holds
// (see volatileKind).
func volatileByName(_, name string) string { return volatileKind(name) }

// volatileArg is a volatile declaration with the expensive steps below it
// that do not use it: first is the first expensive command, barrier the
// chain index of the first RUN that reads a volatile variable.
type volatileArg struct {
	decl    *volatileDecl
	wasted  []*dockerfile.Instruction
	first   *dockerfile.Command
	barrier int
}

// findVolatileArgs walks a chain of instructions (a stage preceded by the
// stages it is built FROM), finds the declarations of the variables what
// calls volatile and the first RUN that reads one of them, and returns
// each declaration with expensive steps between it and that RUN. CL011
// names the variables by their names; CL115 by the values CI passes.
func findVolatileArgs(f *dockerfile.File, lex *shell.Lex, chain []*dockerfile.Instruction, what volatileNamer) []volatileArg {
	var decls []*volatileDecl
	inScope := map[string]*volatileDecl{} // volatile names, own and derived
	barrier := len(chain)                 // first RUN that reads a volatile variable
	firstRunAfter := map[*volatileDecl]bool{}
	for idx, in := range chain {
		if in.Run != nil && len(inScope) > 0 {
			if runReadsVolatile(f, in, inScope, firstRunAfter) {
				barrier = idx
				break
			}
			for _, d := range decls {
				firstRunAfter[d] = true
			}
			continue
		}
		for _, d := range volatileDeclarations(lex, in, inScope, what) {
			d.idx = idx
			decls = append(decls, d)
			inScope[d.name] = d
			d.explicit = slices.ContainsFunc(chain[idx+1:], func(r *dockerfile.Instruction) bool {
				return r.Run != nil && mentions(f, r, d.name)
			})
		}
	}
	// A step after a copy of the whole context runs again on every commit
	// anyway: a commit id costs it nothing more.
	contextAt := make([]bool, len(chain))
	for i, in := range chain {
		contextAt[i] = i > 0 && contextAt[i-1] || slices.ContainsFunc(wholeContextCopies(in), func(c contextCopy) bool { return !c.exact })
	}
	var out []volatileArg
	for _, d := range decls {
		var wasted []*dockerfile.Instruction
		var first *dockerfile.Command
		for i, in := range chain[d.idx+1 : barrier] {
			if in.Run == nil || d.what == volatileCommit && contextAt[d.idx+1+i] {
				continue
			}
			for _, c := range in.Run.Commands {
				if classifyCommand(in, c).expensive {
					if first == nil {
						first = c
					}
					wasted = append(wasted, in)
					break
				}
			}
		}
		if len(wasted) > 0 {
			out = append(out, volatileArg{decl: d, wasted: wasted, first: first, barrier: barrier})
		}
	}
	return out
}

// runReadsVolatile reports whether a RUN reads one of the volatile
// variables in scope: it names one, it runs something that may read any
// variable, it cannot be analysed, or it is the first RUN after a cache
// buster that no RUN names.
func runReadsVolatile(f *dockerfile.File, in *dockerfile.Instruction, inScope map[string]*volatileDecl, seenRun map[*volatileDecl]bool) bool {
	for name, d := range inScope {
		if mentions(f, in, name) {
			return true
		}
		if d.what == volatileCacheBust && !d.explicit && !seenRun[d] {
			return true
		}
	}
	if len(in.Run.Commands) == 0 {
		return true // not shell cachelint can read (PowerShell, cmd), or empty
	}
	for _, c := range in.Run.Commands {
		if classifyCommand(in, c).readsEnv {
			return true
		}
	}
	return false
}

// volatileDeclarations returns the variables an ARG or ENV declares that
// what calls volatile, and adds to inScope the variables it derives from
// ones already in scope (ENV GIT_SHA=$GIT_SHA, ARG SHORT=${GIT_SHA:0:7}).
func volatileDeclarations(lex *shell.Lex, in *dockerfile.Instruction, inScope map[string]*volatileDecl, what volatileNamer) []*volatileDecl {
	type pair struct {
		key, value string
		hasValue   bool
	}
	var kind string
	var pairs []pair
	switch c := in.Command.(type) {
	case *instructions.ArgCommand:
		kind = "ARG"
		for _, kv := range c.Args {
			p := pair{key: kv.Key}
			if kv.Value != nil {
				p.value, p.hasValue = *kv.Value, true
			}
			pairs = append(pairs, p)
		}
	case *instructions.EnvCommand:
		kind = "ENV"
		for _, kv := range c.Env {
			pairs = append(pairs, pair{key: kv.Key, value: kv.Value, hasValue: true})
		}
	default:
		return nil
	}
	var out []*volatileDecl
	for _, p := range pairs {
		name := variableName(lex, p.key)
		refs := referencedVars(p.value)
		if from := derivedFrom(refs, inScope); from != nil {
			inScope[name] = from // moves with the variable it copies
			if from.names == nil {
				from.names = map[string]bool{}
			}
			from.names[name] = true
			continue
		}
		if _, ok := inScope[name]; ok {
			if kind == "ENV" {
				delete(inScope, name) // a fixed value replaces the volatile one
			}
			continue
		}
		w := what(kind, name)
		if w == "" {
			continue
		}
		if kind == "ENV" && !copiesArg(in, p.value) {
			continue // a value written in the Dockerfile changes only with it
		}
		out = append(out, &volatileDecl{in: in, kind: kind, name: name, key: p.key, what: w, single: len(pairs) == 1})
	}
	return out
}

// copiesArg reports whether an ENV value is one ARG of the stage, as in
// ENV GIT_SHA=$REF or ENV GIT_SHA="${REF}".
func copiesArg(in *dockerfile.Instruction, value string) bool {
	v := unquote(strings.TrimSpace(value))
	refs := referencedVars(v)
	if len(refs) != 1 || v != "$"+refs[0] && v != "${"+refs[0]+"}" {
		return false
	}
	arg, ok := in.Env.Lookup(refs[0])
	return ok && arg.Arg
}

func derivedFrom(refs []string, inScope map[string]*volatileDecl) *volatileDecl {
	for _, r := range refs {
		if d := inScope[r]; d != nil {
			return d
		}
	}
	return nil
}

func keyPos(d *volatileDecl) token.Pos {
	pos, _ := keyPosition(d.in, d.key)
	return pos
}

func reportVolatileArg(pass *analysis.Pass, f *dockerfile.File, chain []*dockerfile.Instruction, v volatileArg) {
	d, wasted, first := v.decl, v.wasted, v.first
	pos, end := keyPosition(d.in, d.key)
	firstRun := wasted[0]
	more := ""
	switch n := len(wasted) - 1; n {
	case 0:
		more = "that step, which does not use it"
	case 1:
		more = "that step and one more expensive one, neither of which uses it"
	default:
		more = fmt.Sprintf("that step and %d more expensive ones, none of which uses it", n)
	}
	msg := fmt.Sprintf("%s %s changes with every build (%s) and is declared before `%s` on line %d: "+
		"it is in the environment of every later RUN, so each build re-runs %s",
		d.kind, d.name, d.what, commandText(f, firstRun, first), f.Tok.Line(first.Pos), more)
	pass.Report(analysis.Diagnostic{
		Pos:            pos,
		End:            end,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{volatileArgFix(f, chain, v)},
	})
}

// volatileArgFix is the fix of a volatile declaration: where to move it
// (the help), and the edits that move it when it declares nothing else
// and nothing above the expensive steps uses it.
func volatileArgFix(f *dockerfile.File, chain []*dockerfile.Instruction, v volatileArg) analysis.SuggestedFix {
	d, wasted, barrier := v.decl, v.wasted, v.barrier
	last := wasted[len(wasted)-1]
	lastIdx := slices.Index(chain, last)
	// Uses of the variable above the last expensive step move with it.
	var along []*dockerfile.Instruction
	for _, in := range chain[d.idx+1 : lastIdx] {
		if in.Run == nil && mentionsAny(f, in, d) {
			along = append(along, in)
		}
	}
	// Where it goes: its first use below the expensive steps, or the RUN
	// that reads it, or just below the last expensive step.
	target := -1
	for i := lastIdx + 1; i < len(chain) && i <= barrier; i++ {
		if i == barrier || mentionsAny(f, chain[i], d) {
			target = i
			break
		}
	}
	decl := fmt.Sprintf("`%s %s`", d.kind, d.name)
	if len(along) > 0 {
		var parts []string
		for _, in := range along {
			parts = append(parts, fmt.Sprintf("the %s on line %d", in.Keyword, in.StartLine))
		}
		verb := "uses"
		if len(along) > 1 {
			verb = "use"
		}
		decl += fmt.Sprintf(" (with %s that %s it)", strings.Join(parts, " and "), verb)
	}
	var help string
	switch {
	case target >= 0 && chain[target].Run != nil && target == barrier && mentionsAny(f, chain[target], d):
		help = fmt.Sprintf("move %s down to just before line %d%s, the first RUN that uses it", decl, chain[target].StartLine, inStage(d, chain[target]))
	case target >= 0 && target == barrier:
		help = fmt.Sprintf("move %s down below the expensive steps, to just before line %d%s", decl, chain[target].StartLine, inStage(d, chain[target]))
	case target >= 0:
		help = fmt.Sprintf("move %s down below the expensive steps, to just before its first use on line %d%s", decl, chain[target].StartLine, inStage(d, chain[target]))
	default:
		help = fmt.Sprintf("move %s down below the expensive steps, after line %d%s", decl, last.EndLine, inStage(d, last))
		if len(along) == 0 && !hasChildStage(f, d.in.Stage) {
			help += ", or remove it if nothing uses it"
		}
	}
	// Moved into a stage built FROM its own, the ARG leaves the other
	// stages built FROM it: each that uses it must declare it.
	dest := last
	if target >= 0 {
		dest = chain[target]
	}
	if dest.Stage != d.in.Stage && dest.Stage != nil && d.in.Stage != nil && otherDescendants(f, d.in.Stage, dest.Stage) {
		stage := d.in.Stage.Name
		if stage == "" {
			stage = fmt.Sprintf("%d", d.in.Stage.Index)
		}
		where := fmt.Sprintf("after line %d%s", last.EndLine, inStage(d, last))
		if target >= 0 {
			where = fmt.Sprintf("just before line %d%s", chain[target].StartLine, inStage(d, chain[target]))
		}
		help = fmt.Sprintf("move %s out of stage %s into each stage built FROM it that uses it, below the expensive steps (such as %s)",
			decl, stage, where)
	}
	fix := analysis.SuggestedFix{Message: help}
	if len(along) == 0 && d.single {
		next := target
		if next < 0 && lastIdx+1 < len(chain) {
			next = lastIdx + 1
		}
		if next >= 0 && chain[next].Stage == d.in.Stage {
			fix.TextEdits = moveInstruction(f, d.in, chain[next], chain[next-1])
		}
	}
	return fix
}

// otherDescendants reports whether a stage other than dest and the stages
// dest is built FROM is built FROM s, directly or through other stages.
func otherDescendants(f *dockerfile.File, s, dest *dockerfile.Stage) bool {
	onPath := map[*dockerfile.Stage]bool{}
	for st := dest; st != nil; st = st.BaseStage {
		onPath[st] = true
	}
	for _, c := range f.Stages {
		if onPath[c] {
			continue
		}
		for st := c.BaseStage; st != nil; st = st.BaseStage {
			if st == s {
				return true
			}
		}
	}
	return false
}

// hasChildStage reports whether some stage is built FROM s.
func hasChildStage(f *dockerfile.File, s *dockerfile.Stage) bool {
	return slices.ContainsFunc(f.Stages, func(c *dockerfile.Stage) bool { return c.BaseStage == s })
}

// inStage names the stage of in when it is not the stage of the
// declaration: the ARG then has to move to that stage.
func inStage(d *volatileDecl, in *dockerfile.Instruction) string {
	if in.Stage == d.in.Stage || in.Stage == nil {
		return ""
	}
	if in.Stage.Name != "" {
		return " in stage " + in.Stage.Name
	}
	return fmt.Sprintf(" in stage %d", in.Stage.Index)
}

// moveInstruction returns the edits that move the lines of in to just
// before the instruction before, and the comment lines right above it that
// follow prev, the instruction before it.
func moveInstruction(f *dockerfile.File, in, before, prev *dockerfile.Instruction) []analysis.TextEdit {
	start := f.Tok.LineStart(in.StartLine)
	end := token.Pos(f.Tok.Base() + f.Tok.Size())
	if in.EndLine < f.Tok.LineCount() {
		end = f.Tok.LineStart(in.EndLine + 1)
	}
	line := before.StartLine
	for line-1 > max(in.EndLine, prev.EndLine) && strings.HasPrefix(strings.TrimSpace(f.Line(line-1)), "#") {
		line--
	}
	at := f.Tok.LineStart(line)
	text := f.Src[f.Tok.Offset(start):f.Tok.Offset(end)]
	if len(text) == 0 || text[len(text)-1] != '\n' {
		return nil
	}
	return []analysis.TextEdit{
		{Pos: start, End: end},
		{Pos: at, End: at, NewText: slices.Clone(text)},
	}
}

// mentionsAny reports whether an instruction names the declared variable
// or one derived from it.
func mentionsAny(f *dockerfile.File, in *dockerfile.Instruction, d *volatileDecl) bool {
	if mentions(f, in, d.name) {
		return true
	}
	for n := range d.names {
		if mentions(f, in, n) {
			return true
		}
	}
	return false
}

// mentions reports whether the text of an instruction after its keyword
// names a variable as a whole word: $NAME, ${NAME}, %NAME%, $env:NAME,
// os.environ["NAME"], make NAME=... Any mention counts, so that a step
// that might read the variable is never called one that does not.
func mentions(f *dockerfile.File, in *dockerfile.Instruction, name string) bool {
	if name == "" {
		return false
	}
	start, end := f.Tok.Offset(in.Pos)+len(in.Keyword), f.Tok.Offset(in.End)
	s := string(f.Src[min(start, end):end])
	for i := 0; ; {
		j := strings.Index(s[i:], name)
		if j < 0 {
			return false
		}
		j += i
		k := j + len(name)
		if (j == 0 || !isNameByte(s[j-1])) && (k == len(s) || !isNameByte(s[k])) {
			return true
		}
		i = j + 1
	}
}

// referencedVars lists the variables a Dockerfile word refers to with $NAME
// or ${NAME...}.
func referencedVars(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			continue
		}
		j := i + 1
		if s[j] == '{' {
			j++
		}
		k := j
		for k < len(s) && isNameByte(s[k]) {
			k++
		}
		if k > j {
			out = append(out, s[j:k])
		}
	}
	return out
}

// volatileKind says what a variable named name holds when the name says
// it changes with every build, or "".
func volatileKind(name string) string {
	var words []string
	for _, w := range nameWords(name) {
		if split, ok := compoundWords[w]; ok {
			words = append(words, split...)
		} else {
			words = append(words, w)
		}
	}
	n := len(words)
	if n == 0 {
		return ""
	}
	for i, w := range words {
		if strings.HasPrefix(w, "cachebust") || w == "cacheburst" ||
			w == "cache" && i+1 < n && strings.HasPrefix(words[i+1], "bust") {
			return volatileCacheBust
		}
	}
	last := words[n-1]
	if n >= 2 && counterWords[last] && counterSubjects[words[n-2]] {
		return volatileCounter
	}
	qualifiers := words[:n-1]
	allIn := func(set map[string]bool) bool {
		return !slices.ContainsFunc(qualifiers, func(w string) bool { return !set[w] })
	}
	if timeWords[last] && allIn(timeQualifiers) && (n > 1 || last != "time") {
		return volatileTime
	}
	// The commit word may be followed by "short", "id" or "long".
	for n > 1 && commitTrailers[words[n-1]] {
		n--
	}
	last, qualifiers = words[n-1], words[:n-1]
	if !commitWords[last] && !slices.ContainsFunc(qualifiers, func(w string) bool { return commitWords[w] }) {
		return ""
	}
	rest := append(slices.Clone(qualifiers), last)
	if !slices.ContainsFunc(rest, func(w string) bool { return !commitWords[w] && !commitQualifiers[w] }) {
		if (last == "ref" || last == "hash") && !slices.ContainsFunc(qualifiers, func(w string) bool { return vcsWords[w] }) {
			return ""
		}
		return volatileCommit
	}
	return ""
}

var (
	// compoundWords split one-word names: BUILDDATE, gitsha, VCSREF.
	compoundWords = map[string][]string{
		"builddate": {"build", "date"}, "buildtime": {"build", "time"}, "buildtimestamp": {"build", "timestamp"},
		"builddatetime": {"build", "datetime"}, "buildnumber": {"build", "number"}, "buildnum": {"build", "num"},
		"buildid": {"build", "id"}, "gitsha": {"git", "sha"}, "gitcommit": {"git", "commit"},
		"gitrev": {"git", "rev"}, "gitrevision": {"git", "revision"}, "githash": {"git", "hash"},
		"gitref": {"git", "ref"}, "commitsha": {"commit", "sha"}, "commithash": {"commit", "hash"},
		"commitid": {"commit", "id"}, "vcsref": {"vcs", "ref"}, "shortsha": {"short", "sha"},
		"runid": {"run", "id"}, "runnumber": {"run", "number"}, "pipelineid": {"pipeline", "id"},
	}
	counterWords    = map[string]bool{"number": true, "num": true, "id": true, "no": true, "counter": true, "attempt": true}
	counterSubjects = map[string]bool{"build": true, "run": true, "pipeline": true, "job": true, "workflow": true}
	timeWords       = map[string]bool{"date": true, "time": true, "timestamp": true, "datetime": true, "created": true}
	timeQualifiers  = map[string]bool{"build": true, "image": true, "current": true, "now": true, "ci": true}
	commitWords     = map[string]bool{"sha": true, "sha1": true, "commit": true, "revision": true, "rev": true, "ref": true, "hash": true}
	commitTrailers  = map[string]bool{"short": true, "id": true, "long": true, "full": true}
	// commitQualifiers are the words that make a commit word the
	// project's own commit rather than a pinned dependency's.
	commitQualifiers = map[string]bool{
		"git": true, "vcs": true, "source": true, "src": true, "scm": true, "ci": true, "build": true,
		"github": true, "gitlab": true, "bitbucket": true, "head": true, "app": true, "project": true,
		"product": true, "repo": true, "repository": true, "short": true, "long": true, "full": true,
		"last": true, "current": true, "release": true,
	}
	// vcsWords make REF and HASH name a commit.
	vcsWords = map[string]bool{"git": true, "vcs": true, "source": true, "src": true, "scm": true, "commit": true, "head": true}
)
