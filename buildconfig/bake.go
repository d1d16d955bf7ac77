package buildconfig

import (
	"fmt"
	"go/token"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// bakeInvocation is one run of bake: a docker/bake-action step or a
// `docker buildx bake` command line.
type bakeInvocation struct {
	Kind     BuildKind // BakeAction or BuildxBake
	File     *File     // the workflow or script that runs bake
	Pos, End token.Pos // the step or command
	Job      *Job
	Step     *Step
	Builder  *Builder
	Env      map[string]Value // the environment bake sees: it sets variables
	Files    []Value          // -f / files:, in order; none means bake's defaults
	Targets  []Value          // the targets or groups named; none means "default"
	Set      []Value          // --set / set: overrides, target.key=value
	NoCache  Value            // --no-cache / no-cache: when given
	Push     bool             // --push / push: true
	Load     bool             // --load / load: true
	Dir      string           // repo-relative dir the bake files are relative to
}

// bakeDefaultFiles are the files bake reads when none is named, in the
// order it merges them. Bake also reads compose.yaml, docker-compose.yml
// and their variants first; compose files are not modelled here.
var bakeDefaultFiles = []string{"docker-bake.json", "docker-bake.hcl", "docker-bake.override.json", "docker-bake.override.hcl"}

// Limits that keep a hostile bake file from taking the loader down.
const (
	bakeMaxNesting  = 200     // brackets and braces
	bakeMaxMatrix   = 1024    // targets one matrix expands to
	bakeMaxCalls    = 200_000 // function calls in one evaluation of the files
	bakeMaxFuncNest = 32      // user functions calling user functions
	bakeMaxValue    = 1 << 20 // bytes in the value of a variable or function
)

// bakeRecover turns a panic while reading bake files into a ParseErr; the
// fuzz target turns it off to see the panic.
var bakeRecover = true

// bakeFile reads a bake file found in the repository on its own: as
// `docker buildx bake` run in its directory would, with the other default
// bake files of that directory merged in. It adds one build, of unknown
// builder, per target of the "default" group, or per target when there is
// no such group (but the bases other targets inherit from). The default
// files of a directory are read together once, for whichever of them
// comes first; the others add nothing.
func (l *loader) bakeFile(f *File) {
	dir := path.Dir(f.Rel)
	files := []*File{f}
	if slices.Contains(bakeDefaultFiles, path.Base(f.Rel)) {
		for _, b := range l.repo.Builds {
			if b.Job == nil && b.Step == nil && b.File != nil && b.File.Kind == Bake &&
				path.Dir(b.File.Rel) == dir && slices.Contains(bakeDefaultFiles, path.Base(b.File.Rel)) {
				return // read with the first default file of the directory
			}
		}
		files = files[:0]
		for _, name := range bakeDefaultFiles {
			if name == path.Base(f.Rel) {
				files = append(files, f)
			} else if g := l.open(path.Join(dir, name), Bake); g != nil {
				files = append(files, g)
			}
		}
	}
	p := newBakeProject(l, nil)
	defer p.recover(f)
	for _, g := range files {
		p.parse(g)
	}
	var names []string
	if p.groups["default"] != nil {
		names = []string{"default"}
	} else {
		names = p.concrete()
	}
	for _, r := range p.choose(names, nil) {
		b := p.build(r, dir)
		b.Kind = BuildxBake
		b.File = r.def.file
		b.Pos, b.End = r.def.pos, r.def.end
		b.Builder = &Builder{}
		l.add(b)
	}
}

// bakeBuilds resolves a bake invocation into the builds of the targets it
// builds, after inherits, matrices, file merging and --set overrides. The
// caller adds them (l.add). Each build is placed at the invocation; the
// values written in a bake file keep their positions there.
func (l *loader) bakeBuilds(inv *bakeInvocation) []*Build {
	p := newBakeProject(l, inv.Env)
	errFile := inv.File
	defer p.recover(errFile)
	dir := path.Clean(inv.Dir)
	if inv.Dir == "" {
		dir = "."
	}
	if len(inv.Files) == 0 {
		for _, name := range bakeDefaultFiles {
			if f := l.open(path.Join(dir, name), Bake); f != nil {
				p.parse(f)
			}
		}
	}
	for _, v := range inv.Files {
		name := strings.TrimPrefix(v.Text, "cwd://")
		switch {
		case v.Dynamic, name == "", name == "-", strings.Contains(name, "://"), path.IsAbs(name):
			p.incomplete = true
			continue
		case isComposeFile(name):
			p.incomplete = true // compose files are not modelled
			continue
		}
		rel := path.Join(dir, name)
		if rel == ".." || strings.HasPrefix(rel, "../") {
			p.incomplete = true
			continue
		}
		f := l.open(rel, Bake)
		if f == nil {
			p.incomplete = true
			continue
		}
		p.parse(f)
	}
	if len(p.parsed) == 0 {
		return nil
	}

	var names []string
	var from []Value
	for _, t := range inv.Targets {
		name := t.Text
		if t.Dynamic {
			name = dynamicToGlob(name)
		}
		if name == "" {
			continue
		}
		names = append(names, name)
		from = append(from, t)
	}
	if len(names) == 0 {
		if p.groups["default"] == nil && p.targets["default"] == nil {
			if !p.incomplete {
				p.errorf(errFile, inv.Pos, "bake: no target named and no \"default\" group or target in the bake files")
			}
			return nil
		}
		names = []string{"default"}
		from = []Value{{Pos: inv.Pos}}
	}
	var overrides []bakeOverride
	for _, s := range inv.Set {
		if o, ok := parseBakeSet(s); ok {
			overrides = append(overrides, o)
		} else if !s.Dynamic {
			// A dynamic one (${{ matrix.overrides }}) is unknown, not wrong.
			p.errorf(errFile, orPos(s.Pos, inv.Pos), "bake: --set %q is not target.key=value", s.Text)
		}
	}
	p.invFile = errFile
	var builds []*Build
	chosen, guessed := p.chooseGuessed(names, from)
	for _, r := range chosen {
		r.attrs = applyBakeOverrides(r.name, r.attrs, overrides)
		b := p.build(r, dir)
		b.Guessed = guessed[r]
		b.Kind = inv.Kind
		b.File = inv.File
		b.Pos, b.End = inv.Pos, inv.End
		b.Job, b.Step, b.Builder, b.Env = inv.Job, inv.Step, inv.Builder, inv.Env
		if inv.NoCache.IsSet() && inv.NoCache.Text != "false" {
			b.NoCache = inv.NoCache
		}
		b.Push = b.Push || inv.Push
		b.Load = b.Load || inv.Load
		builds = append(builds, b)
	}
	return builds
}

func isComposeFile(name string) bool {
	base := path.Base(name)
	return strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".yaml")
}

func orPos(p, q token.Pos) token.Pos {
	if p.IsValid() {
		return p
	}
	return q
}

var ghExprRe = regexp.MustCompile(`\$\{\{.*?\}\}|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*`)

// dynamicToGlob turns the unknown parts of a target name, such as
// ${{ matrix.target }}, into * so that the name matches the targets it may
// be.
func dynamicToGlob(s string) string {
	return ghExprRe.ReplaceAllString(s, "*")
}

// bakeProject is the merged content of the bake files of one invocation,
// evaluated on demand.
type bakeProject struct {
	l          *loader
	env        map[string]Value
	dynEnv     map[string]string // variables set from a dynamic environment value: its text
	files      map[string]*File  // by the name the HCL parser knows them by
	parsed     []*File
	incomplete bool  // a bake file was dynamic, missing or unreadable
	invFile    *File // where errors about the invocation go

	vars        map[string]*bakeVar
	funcs       map[string]*bakeFunc
	groups      map[string]*bakeGroup
	targets     map[string]*bakeDef
	targetOrder []string

	ctx       *hcl.EvalContext
	inherited map[string]*bakeAttrs // targets resolved as parents
	resolving map[string]bool
	expanded  map[string][]*bakeResolved
	calls     int
	depth     int
	tooLong   bool
}

type bakeVar struct {
	name  string
	def   hcl.Expression // default, nil when none
	file  *File
	state int // 0 to do, 1 in progress, 2 done
}

type bakeFunc struct {
	name     string
	params   []string
	variadic string
	result   hcl.Expression
	seen     bool
}

type bakeGroup struct {
	name    string
	targets []hcl.Expression // the targets attribute of each definition
}

type bakeDef struct {
	name     string
	file     *File
	pos, end token.Pos
	bodies   []hcl.Attributes // one per definition, in file order
}

// attr returns the last definition of an attribute of the target.
func (d *bakeDef) attr(name string) *hcl.Attribute {
	for i := len(d.bodies) - 1; i >= 0; i-- {
		if a := d.bodies[i][name]; a != nil {
			return a
		}
	}
	return nil
}

// bakeResolved is one target as built: a target, or one entry of a
// target's matrix.
type bakeResolved struct {
	name  string
	def   *bakeDef
	attrs bakeAttrs
}

// bakeAttrs are the attributes of a target after inherits and merging.
type bakeAttrs map[string]*bakeVal

// bakeVal is the value of one attribute: a string (one), a list (items)
// or a map (args).
type bakeVal struct {
	one   Value
	items []bakeItem
	args  []BuildArg
}

// bakeItem is one entry of a list attribute. verbatim says that the text
// is written as is at Pos, so that offsets into it are positions too; obj
// is the cache entry when it is written as an object.
type bakeItem struct {
	v        Value
	verbatim bool
	obj      *CacheSpec
}

var bakeListAttrs = map[string]bool{
	"tags": true, "cache-from": true, "cache-to": true, "output": true, "platforms": true,
	"secret": true, "ssh": true, "attest": true, "no-cache-filter": true, "ulimits": true,
	"entitlements": true, "annotations": true, "extra-hosts": true,
}

var bakeMapAttrs = map[string]bool{"args": true, "labels": true, "contexts": true}

func newBakeProject(l *loader, env map[string]Value) *bakeProject {
	p := &bakeProject{
		l: l, env: env, dynEnv: map[string]string{}, files: map[string]*File{},
		vars: map[string]*bakeVar{}, funcs: map[string]*bakeFunc{}, groups: map[string]*bakeGroup{},
		targets: map[string]*bakeDef{}, inherited: map[string]*bakeAttrs{}, resolving: map[string]bool{},
		expanded: map[string][]*bakeResolved{},
	}
	p.ctx = &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: p.stdlib()}
	return p
}

func (p *bakeProject) recover(f *File) {
	if !bakeRecover {
		return
	}
	if r := recover(); r != nil {
		if f == nil && len(p.parsed) > 0 {
			f = p.parsed[0]
		}
		if f != nil {
			p.errorf(f, f.Pos(0), "bake: internal error reading the bake files: %v", r)
		}
	}
}

// errorf reports a problem once: the same bake file is read by every
// invocation that names it.
func (p *bakeProject) errorf(f *File, pos token.Pos, format string, args ...any) {
	if f == nil {
		return
	}
	if !pos.IsValid() {
		pos = f.Pos(0)
	}
	msg := fmt.Sprintf(format, args...)
	for _, e := range p.l.repo.Errors {
		if e.File == f && e.Pos == pos && e.Msg == msg {
			return
		}
	}
	p.l.errorf(f, pos, "%s", msg)
}

// diag reports the first error of diags.
func (p *bakeProject) diag(f *File, diags hcl.Diagnostics) {
	n := 0
	var first *hcl.Diagnostic
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			if first == nil {
				first = d
			}
			n++
		}
	}
	if first == nil {
		return
	}
	pos := f.Pos(0)
	if first.Subject != nil {
		if g := p.files[first.Subject.Filename]; g != nil {
			f, pos = g, g.Pos(first.Subject.Start.Byte)
		}
	}
	msg := first.Summary
	if first.Detail != "" {
		msg += ": " + first.Detail
	}
	if n > 1 {
		msg += fmt.Sprintf(" (and %d more errors)", n-1)
	}
	p.errorf(f, pos, "%s", msg)
}

// pos returns where a range is.
func (p *bakeProject) pos(r hcl.Range) (*File, token.Pos, token.Pos) {
	f := p.files[r.Filename]
	if f == nil {
		return nil, token.NoPos, token.NoPos
	}
	return f, f.Pos(r.Start.Byte), f.Pos(r.End.Byte)
}

// src returns the text of a range.
func (p *bakeProject) src(r hcl.Range) string {
	f := p.files[r.Filename]
	if f == nil || r.Start.Byte < 0 || r.End.Byte > len(f.Src) || r.Start.Byte > r.End.Byte {
		return ""
	}
	return string(f.Src[r.Start.Byte:r.End.Byte])
}

var bakeSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "target", LabelNames: []string{"name"}},
	{Type: "group", LabelNames: []string{"name"}},
	{Type: "function", LabelNames: []string{"name"}},
}}

var (
	bakeVarSchema   = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "default"}, {Name: "description"}, {Name: "type"}}}
	bakeFuncSchema  = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "params"}, {Name: "variadic_params"}, {Name: "result"}}}
	bakeGroupSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "targets"}, {Name: "description"}}}
)

// parse reads one bake file into the project. A file that does not parse
// is reported and left out.
func (p *bakeProject) parse(f *File) {
	if slices.Contains(p.parsed, f) {
		return
	}
	p.files[f.Rel] = f
	if off, ok := bakeNestingOK(f.Src); !ok {
		p.errorf(f, f.Pos(off), "brackets nest more than %d deep", bakeMaxNesting)
		p.incomplete = true
		return
	}
	var hf *hcl.File
	var diags hcl.Diagnostics
	if isJSONBake(f) {
		hf, diags = hcljson.Parse(f.Src, f.Rel)
	} else {
		hf, diags = hclsyntax.ParseConfig(f.Src, f.Rel, hcl.InitialPos)
	}
	if diags.HasErrors() || hf == nil || hf.Body == nil {
		p.diag(f, diags)
		p.incomplete = true
		return
	}
	p.parsed = append(p.parsed, f)
	content, remain, diags := hf.Body.PartialContent(bakeSchema)
	p.diag(f, diags)
	if remain != nil {
		attrs, _ := remain.JustAttributes()
		for _, a := range sortedAttrs(attrs) {
			p.variable(a.Name, f).def = a.Expr
		}
	}
	for _, blk := range content.Blocks {
		if len(blk.Labels) != 1 {
			continue
		}
		name := blk.Labels[0]
		switch blk.Type {
		case "variable":
			c, _, d := blk.Body.PartialContent(bakeVarSchema)
			p.diag(f, d)
			v := p.variable(name, f)
			if a := c.Attributes["default"]; a != nil {
				v.def = a.Expr
			}
		case "function":
			c, _, d := blk.Body.PartialContent(bakeFuncSchema)
			p.diag(f, d)
			p.function(name, c.Attributes)
		case "group":
			c, _, d := blk.Body.PartialContent(bakeGroupSchema)
			p.diag(f, d)
			g := p.groups[name]
			if g == nil {
				g = &bakeGroup{name: name}
				p.groups[name] = g
			}
			if a := c.Attributes["targets"]; a != nil {
				g.targets = append(g.targets, a.Expr)
			}
		case "target":
			attrs, d := blk.Body.JustAttributes()
			p.diag(f, d)
			t := p.targets[name]
			if t == nil {
				t = &bakeDef{name: name, file: f, pos: f.Pos(blk.DefRange.Start.Byte), end: f.Pos(blk.DefRange.End.Byte)}
				if b, ok := blk.Body.(*hclsyntax.Body); ok {
					t.end = f.Pos(b.SrcRange.End.Byte)
				} else if len(blk.LabelRanges) > 0 {
					t.pos = f.Pos(blk.LabelRanges[0].Start.Byte) // JSON: the target's key
				}
				p.targets[name] = t
				p.targetOrder = append(p.targetOrder, name)
			}
			t.bodies = append(t.bodies, attrs)
		}
	}
}

func isJSONBake(f *File) bool {
	if strings.HasSuffix(f.Rel, ".json") {
		return true
	}
	if strings.HasSuffix(f.Rel, ".hcl") {
		return false
	}
	s := strings.TrimLeft(string(f.Src[:min(len(f.Src), 256)]), " \t\r\n\ufeff")
	return strings.HasPrefix(s, "{")
}

// bakeNestingOK reports whether brackets nest at most bakeMaxNesting deep,
// and if not, the offset where they go deeper: the parsers recurse.
func bakeNestingOK(src []byte) (int, bool) {
	depth := 0
	for i, c := range src {
		switch c {
		case '(', '[', '{':
			depth++
			if depth > bakeMaxNesting {
				return i, false
			}
		case ')', ']', '}':
			depth = max(depth-1, 0)
		}
	}
	return 0, true
}

func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (p *bakeProject) variable(name string, f *File) *bakeVar {
	v := p.vars[name]
	if v == nil {
		v = &bakeVar{name: name}
		p.vars[name] = v
	}
	v.file = f
	return v
}

// resolveVar gives a variable its value in the root context: the
// environment's when it sets the variable, else its default, else unknown.
func (p *bakeProject) resolveVar(name string) {
	v := p.vars[name]
	if v == nil || v.state == 2 {
		return
	}
	if v.state == 1 {
		if v.def != nil {
			_, pos, _ := p.pos(v.def.Range())
			p.errorf(v.file, pos, "bake variable %s depends on itself", name)
		}
		return
	}
	v.state = 1
	val := cty.DynamicVal
	var def cty.Value
	if v.def != nil {
		def, _ = p.eval(v.def, p.ctx)
	}
	if e, ok := p.env[name]; ok {
		if e.Dynamic {
			p.dynEnv[name] = e.Text
		} else {
			val = typedEnv(e.Text, def)
		}
	} else if v.def != nil {
		val = def
	}
	if tooBig(val) {
		_, pos, _ := p.pos(v.def.Range())
		p.errorf(v.file, pos, "bake variable %s: its value is larger than %d bytes; it is left unknown", name, bakeMaxValue)
		val = cty.DynamicVal
	}
	p.ctx.Variables[name] = val
	v.state = 2
}

// tooBig reports whether a value holds more than bakeMaxValue bytes of
// strings and elements: values that double at each step of a chain of
// variables or function calls would otherwise exhaust memory.
func tooBig(v cty.Value) bool {
	n := 0
	var walk func(v cty.Value) bool
	walk = func(v cty.Value) bool {
		if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
			return false
		}
		t := v.Type()
		switch {
		case t == cty.String:
			n += len(v.AsString())
		case t.IsListType() || t.IsTupleType() || t.IsSetType() || t.IsMapType() || t.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				n++
				if walk(e) {
					return true
				}
			}
		default:
			n++
		}
		return n > bakeMaxValue
	}
	return walk(v)
}

// typedEnv is the value of a variable set from the environment: of the
// type of its default when that is a bool or a number.
func typedEnv(s string, def cty.Value) cty.Value {
	if def != cty.NilVal && def.IsKnown() && !def.IsNull() {
		switch def.Type() {
		case cty.Bool, cty.Number:
			if v, err := convert.Convert(cty.StringVal(s), def.Type()); err == nil {
				return v
			}
		}
	}
	return cty.StringVal(s)
}

// resolveDeps resolves the variables an expression refers to, directly or
// through the user functions it calls.
func (p *bakeProject) resolveDeps(e hcl.Expression) {
	for _, t := range e.Variables() {
		p.resolveVar(t.RootName())
	}
	for _, name := range calledFuncs(e) {
		p.resolveFuncDeps(name)
	}
}

func (p *bakeProject) resolveFuncDeps(name string) {
	f := p.funcs[name]
	if f == nil || f.seen || f.result == nil {
		return
	}
	f.seen = true
	for _, t := range f.result.Variables() {
		if n := t.RootName(); !slices.Contains(f.params, n) && n != f.variadic {
			p.resolveVar(n)
		}
	}
	for _, n := range calledFuncs(f.result) {
		p.resolveFuncDeps(n)
	}
}

func calledFuncs(e hcl.Expression) []string {
	n, ok := e.(hclsyntax.Node)
	if !ok {
		return nil
	}
	var names []string
	_ = hclsyntax.VisitAll(n, func(n hclsyntax.Node) hcl.Diagnostics {
		if c, ok := n.(*hclsyntax.FunctionCallExpr); ok {
			names = append(names, c.Name)
		}
		return nil
	})
	return names
}

// eval evaluates an expression; ok is false when it fails or is not wholly
// known. A failure (an unknown function, a variable nothing sets) is not
// an error: the value is dynamic.
func (p *bakeProject) eval(e hcl.Expression, ctx *hcl.EvalContext) (cty.Value, bool) {
	p.resolveDeps(e)
	v, diags := e.Value(ctx)
	if p.calls > bakeMaxCalls && !p.tooLong {
		p.tooLong = true
		if f, pos, _ := p.pos(e.Range()); f != nil {
			p.errorf(f, pos, "evaluation stopped after %d function calls; what follows is left unknown", bakeMaxCalls)
		}
	}
	if diags.HasErrors() || v == cty.NilVal {
		return cty.DynamicVal, false
	}
	return v, v.IsWhollyKnown()
}

// value evaluates a string attribute. A known value has its text; an
// unknown one the source, with the known parts of a template filled in.
// verbatim says the text is exactly what is written at Pos.
func (p *bakeProject) value(e hcl.Expression, ctx *hcl.EvalContext) (v Value, verbatim, null bool) {
	val, ok := p.eval(e, ctx)
	if ok && val.IsNull() {
		return Value{}, false, true
	}
	rng := e.Range()
	_, v.Pos, v.End = p.pos(rng)
	src := p.src(rng)
	if ok {
		if s, ok := ctyString(val); ok {
			v.Text = s
			if inner, quoted := hclUnquote(src); quoted && inner == s {
				v.Pos, v.End = v.Pos+1, v.End-1
				verbatim = true
			}
			return v, verbatim, false
		}
	}
	v.Dynamic = true
	v.Text = p.partial(e, ctx)
	if inner, quoted := hclUnquote(src); quoted && inner == v.Text {
		v.Pos, v.End = v.Pos+1, v.End-1
		verbatim = true
	}
	return v, verbatim, false
}

// hclUnquote returns what is between the quotes of a one-line string
// literal.
func hclUnquote(src string) (string, bool) {
	if len(src) >= 2 && src[0] == '"' && src[len(src)-1] == '"' && !strings.ContainsAny(src[1:len(src)-1], "\n\\") {
		return src[1 : len(src)-1], true
	}
	return "", false
}

func isListLike(v cty.Value) bool {
	t := v.Type()
	return t.IsListType() || t.IsTupleType() || t.IsSetType()
}

func isMapLike(v cty.Value) bool {
	t := v.Type()
	return t.IsObjectType() || t.IsMapType()
}

func ctyString(v cty.Value) (string, bool) {
	if !v.IsWhollyKnown() || v.IsNull() {
		return "", false
	}
	if !v.Type().IsPrimitiveType() {
		return "", false
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || s.IsNull() || !s.IsKnown() {
		return "", false
	}
	return s.AsString(), true
}

// partial is the text of an expression that is not wholly known: a
// template keeps its literal parts and the parts that evaluate; an unknown
// part is kept as ${source}, or as the environment's text for a variable
// the workflow sets to an expression.
func (p *bakeProject) partial(e hcl.Expression, ctx *hcl.EvalContext) string {
	switch x := e.(type) {
	case *hclsyntax.TemplateExpr:
		var b strings.Builder
		for _, part := range x.Parts {
			if lit, ok := part.(*hclsyntax.LiteralValueExpr); ok {
				if s, ok := ctyString(lit.Val); ok {
					b.WriteString(s)
					continue
				}
			}
			b.WriteString(p.part(part, ctx))
		}
		return b.String()
	case *hclsyntax.TemplateWrapExpr:
		return p.part(x.Wrapped, ctx)
	case *hclsyntax.ScopeTraversalExpr:
		if t, ok := p.dynEnv[x.Traversal.RootName()]; ok && len(x.Traversal) == 1 && p.ctx.Variables[x.Traversal.RootName()] == cty.DynamicVal {
			return t
		}
	}
	src := p.src(e.Range())
	if inner, ok := hclUnquote(src); ok {
		return inner
	}
	return src
}

func (p *bakeProject) part(e hcl.Expression, ctx *hcl.EvalContext) string {
	if v, ok := p.eval(e, ctx); ok {
		if s, ok := ctyString(v); ok {
			return s
		}
	}
	if x, ok := e.(*hclsyntax.ScopeTraversalExpr); ok && len(x.Traversal) == 1 {
		if t, ok := p.dynEnv[x.Traversal.RootName()]; ok {
			return t
		}
	}
	return "${" + p.src(e.Range()) + "}"
}

// items evaluates a list attribute, each element with its own position
// when the list is written out.
func (p *bakeProject) items(e hcl.Expression, ctx *hcl.EvalContext, cache bool) []bakeItem {
	if elems, diags := hcl.ExprList(e); !diags.HasErrors() {
		var out []bakeItem
		for _, el := range elems {
			if cache {
				if pairs, d := hcl.ExprMap(el); !d.HasErrors() {
					out = append(out, p.cacheObject(el, pairs, ctx))
					continue
				}
			}
			v, verbatim, null := p.value(el, ctx)
			if !null && (v.Text != "" || v.Dynamic) {
				out = append(out, bakeItem{v: v, verbatim: verbatim})
			}
		}
		return out
	}
	val, ok := p.eval(e, ctx)
	if ok && val.IsNull() {
		return nil
	}
	if ok && isListLike(val) {
		var out []bakeItem
		_, pos, end := p.pos(e.Range())
		for it := val.ElementIterator(); it.Next(); {
			_, el := it.Element()
			if el.IsNull() {
				continue
			}
			if s, ok := ctyString(el); ok {
				if s != "" { // bake drops empty entries
					out = append(out, bakeItem{v: Value{Text: s, Pos: pos, End: end}})
				}
			} else if cache && isMapLike(el) {
				out = append(out, cacheObjectValue(el, pos, end))
			} else {
				out = append(out, bakeItem{v: Value{Text: p.src(e.Range()), Pos: pos, End: end, Dynamic: true}})
			}
		}
		return out
	}
	if cache {
		if pairs, d := hcl.ExprMap(e); !d.HasErrors() {
			return []bakeItem{p.cacheObject(e, pairs, ctx)}
		}
	}
	// A single string stands for a list of one.
	v, verbatim, null := p.value(e, ctx)
	if null {
		return nil
	}
	return []bakeItem{{v: v, verbatim: verbatim}}
}

// cacheObject is a cache entry written as an object, {type = "registry",
// ref = "..."}: its text is the CSV form, each attribute at its value.
func (p *bakeProject) cacheObject(e hcl.Expression, pairs []hcl.KeyValuePair, ctx *hcl.EvalContext) bakeItem {
	whole := Value{}
	_, whole.Pos, whole.End = p.pos(e.Range())
	var attrs []Attr
	var csv []string
	for _, kv := range pairs {
		key, ok := p.key(kv.Key, ctx)
		if !ok {
			whole.Dynamic = true
			continue
		}
		v, _, null := p.value(kv.Value, ctx)
		if null {
			continue
		}
		whole.Dynamic = whole.Dynamic || v.Dynamic
		// As parseCacheSpec does, the attribute spans key and value.
		_, v.Pos, _ = p.pos(kv.Key.Range())
		key = strings.ToLower(key)
		attrs = append(attrs, Attr{Key: key, Value: v})
		csv = append(csv, key+"="+v.Text)
	}
	whole.Text = strings.Join(csv, ",")
	spec := parseCacheSpec(whole)
	spec.Value = whole
	spec.Attrs = attrs
	return bakeItem{v: whole, obj: spec}
}

func cacheObjectValue(v cty.Value, pos, end token.Pos) bakeItem {
	whole := Value{Pos: pos, End: end}
	var attrs []Attr
	var csv []string
	m := v.AsValueMap()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if i := slices.Index(keys, "type"); i > 0 {
		keys = append(append([]string{"type"}, keys[:i]...), keys[i+1:]...)
	}
	for _, k := range keys {
		s, ok := ctyString(m[k])
		if !ok {
			continue
		}
		attrs = append(attrs, Attr{Key: k, Value: Value{Text: s, Pos: pos, End: end}})
		csv = append(csv, k+"="+s)
	}
	whole.Text = strings.Join(csv, ",")
	spec := parseCacheSpec(whole)
	spec.Value = whole
	spec.Attrs = attrs
	return bakeItem{v: whole, obj: spec}
}

func (p *bakeProject) key(e hcl.Expression, ctx *hcl.EvalContext) (string, bool) {
	if k := hcl.ExprAsKeyword(e); k != "" {
		return k, true
	}
	v, ok := p.eval(e, ctx)
	if !ok {
		return "", false
	}
	return ctyString(v)
}

// args evaluates a map attribute (args, labels, contexts).
func (p *bakeProject) args(e hcl.Expression, ctx *hcl.EvalContext) []BuildArg {
	var out []BuildArg
	if pairs, diags := hcl.ExprMap(e); !diags.HasErrors() {
		for _, kv := range pairs {
			key, ok := p.key(kv.Key, ctx)
			if !ok {
				continue
			}
			v, _, null := p.value(kv.Value, ctx)
			a := BuildArg{Name: key, Value: v, HasValue: !null}
			_, a.Pos, _ = p.pos(kv.Key.Range())
			_, _, a.End = p.pos(kv.Value.Range())
			out = append(out, a)
		}
		return out
	}
	val, ok := p.eval(e, ctx)
	if !ok || val.IsNull() || !isMapLike(val) {
		return nil
	}
	_, pos, end := p.pos(e.Range())
	m := val.AsValueMap()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s, ok := ctyString(m[k])
		out = append(out, BuildArg{Name: k, Value: Value{Text: s, Pos: pos, End: end}, HasValue: ok, Pos: pos, End: end})
	}
	return out
}

// attrValue evaluates one target attribute.
func (p *bakeProject) attrValue(name string, e hcl.Expression, ctx *hcl.EvalContext) *bakeVal {
	switch {
	case bakeListAttrs[name]:
		return &bakeVal{items: p.items(e, ctx, name == "cache-from" || name == "cache-to")}
	case bakeMapAttrs[name]:
		return &bakeVal{args: p.args(e, ctx)}
	}
	v, _, null := p.value(e, ctx)
	if null {
		return nil
	}
	return &bakeVal{one: v}
}

// merge lays src over dst: maps merge by key, other attributes replace.
func (a bakeAttrs) merge(name string, v *bakeVal) {
	if v == nil {
		delete(a, name)
		return
	}
	old := a[name]
	if !bakeMapAttrs[name] || old == nil {
		a[name] = v
		return
	}
	merged := &bakeVal{args: slices.Clone(old.args)}
	for _, arg := range v.args {
		i := slices.IndexFunc(merged.args, func(b BuildArg) bool { return b.Name == arg.Name })
		switch {
		case !arg.HasValue && i >= 0:
			merged.args = slices.Delete(merged.args, i, i+1)
		case !arg.HasValue:
		case i >= 0:
			merged.args[i] = arg
		default:
			merged.args = append(merged.args, arg)
		}
	}
	a[name] = merged
}

func (a bakeAttrs) clone() bakeAttrs {
	out := make(bakeAttrs, len(a))
	for k, v := range a {
		out[k] = v
	}
	return out
}

var bakeSkipAttrs = map[string]bool{"inherits": true, "matrix": true, "name": true, "description": true}

// resolve returns the attributes of a target in a context: those of the
// targets it inherits from, in order, then its own over them.
func (p *bakeProject) resolve(d *bakeDef, ctx *hcl.EvalContext) bakeAttrs {
	out := bakeAttrs{}
	p.resolving[d.name] = true
	defer delete(p.resolving, d.name)
	if a := d.attr("inherits"); a != nil {
		for _, it := range p.items(a.Expr, ctx, false) {
			parent := it.v.Text
			switch {
			case it.v.Dynamic:
			case p.resolving[parent]:
				p.errorf(p.files[a.Expr.Range().Filename], it.v.Pos, "bake target %q inherits from %q, which inherits from it", d.name, parent)
			case p.targets[parent] != nil:
				for k, v := range p.parent(parent) {
					out.merge(k, v)
				}
			case strings.HasPrefix(parent, "docker-metadata-action") || p.incomplete:
				// Written by docker/metadata-action at run time, or in a
				// bake file that was not read.
			default:
				p.errorf(p.files[a.Expr.Range().Filename], it.v.Pos, "bake target %q inherits from %q, which no bake file defines", d.name, parent)
			}
		}
	}
	for _, body := range d.bodies {
		for _, a := range sortedAttrs(body) {
			if bakeSkipAttrs[a.Name] {
				continue
			}
			out.merge(a.Name, p.attrValue(a.Name, a.Expr, ctx))
		}
	}
	return out
}

// parent returns a target's attributes as another target inherits them:
// evaluated in the root context.
func (p *bakeProject) parent(name string) bakeAttrs {
	if a := p.inherited[name]; a != nil {
		return *a
	}
	a := p.resolve(p.targets[name], p.ctx)
	p.inherited[name] = &a
	return a
}

// expand returns the targets a definition stands for: one, or one per
// entry of its matrix.
func (p *bakeProject) expand(d *bakeDef) []*bakeResolved {
	if r, ok := p.expanded[d.name]; ok {
		return r
	}
	p.expanded[d.name] = nil // a group naming it again while it expands
	var out []*bakeResolved
	m := d.attr("matrix")
	if m == nil {
		out = []*bakeResolved{{name: d.name, def: d, attrs: p.resolve(d, p.ctx)}}
		p.expanded[d.name] = out
		return out
	}
	type axis struct {
		name string
		vals []cty.Value
	}
	var axes []axis
	known := true
	if pairs, diags := hcl.ExprMap(m.Expr); !diags.HasErrors() {
		for _, kv := range pairs {
			k, ok := p.key(kv.Key, p.ctx)
			if !ok {
				known = false
				continue
			}
			v, ok := p.eval(kv.Value, p.ctx)
			if !ok || v.IsNull() || !isListLike(v) {
				known = false
				axes = append(axes, axis{name: k})
				continue
			}
			axes = append(axes, axis{name: k, vals: v.AsValueSlice()})
		}
	} else if v, ok := p.eval(m.Expr, p.ctx); ok && !v.IsNull() && isMapLike(v) {
		vm := v.AsValueMap()
		keys := make([]string, 0, len(vm))
		for k := range vm {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			x := vm[k]
			if x.IsNull() || !isListLike(x) {
				known = false
				axes = append(axes, axis{name: k})
				continue
			}
			axes = append(axes, axis{name: k, vals: x.AsValueSlice()})
		}
	} else {
		known = false
	}
	combos := []map[string]cty.Value{{}}
	if !known {
		for _, a := range axes {
			combos[0][a.name] = cty.DynamicVal
		}
	} else {
		for _, a := range axes {
			var next []map[string]cty.Value
			for _, c := range combos {
				for _, v := range a.vals {
					n := make(map[string]cty.Value, len(c)+1)
					for k, x := range c {
						n[k] = x
					}
					n[a.name] = v
					next = append(next, n)
				}
				if len(next) > bakeMaxMatrix {
					break
				}
			}
			combos = next
			if len(combos) > bakeMaxMatrix {
				combos = combos[:bakeMaxMatrix]
				_, pos, _ := p.pos(m.Expr.Range())
				p.errorf(p.files[m.Expr.Range().Filename], pos, "bake target %q: the matrix expands to more than %d targets; the rest are left out", d.name, bakeMaxMatrix)
				break
			}
		}
	}
	nameAttr := d.attr("name")
	for _, c := range combos {
		ctx := p.ctx.NewChild()
		ctx.Variables = c
		name := d.name
		if nameAttr != nil {
			if v, _, null := p.value(nameAttr.Expr, ctx); !null {
				name = v.Text
			}
		}
		out = append(out, &bakeResolved{name: name, def: d, attrs: p.resolve(d, ctx)})
	}
	p.expanded[d.name] = out
	return out
}

// choose resolves target and group names into targets, each once, in
// order. from holds the values naming them, for errors; nil for names
// that come from a bake file.
func (p *bakeProject) choose(names []string, from []Value) []*bakeResolved {
	out, _ := p.chooseGuessed(names, from)
	return out
}

// chooseGuessed is choose, and tells the targets that only a dynamic name
// (${{ matrix.target }}, turned into a pattern) matched: the invocation
// may build them or not.
func (p *bakeProject) chooseGuessed(names []string, from []Value) ([]*bakeResolved, map[*bakeResolved]bool) {
	var out []*bakeResolved
	seen := map[*bakeResolved]bool{}
	guessed := map[*bakeResolved]bool{}
	sure := map[*bakeResolved]bool{}
	add := func(rs []*bakeResolved, dynamic bool) {
		for _, r := range rs {
			if dynamic {
				guessed[r] = true
			} else {
				sure[r] = true
			}
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	for i, name := range names {
		var at Value
		if i < len(from) {
			at = from[i]
		}
		add(p.lookup(name, at, nil), at.Dynamic)
	}
	for r := range sure {
		delete(guessed, r)
	}
	return out, guessed
}

// lookup resolves one name: a group (its targets, groups in groups), a
// target, a name a matrix generates, or a pattern.
func (p *bakeProject) lookup(name string, at Value, stack []string) []*bakeResolved {
	if g := p.groups[name]; g != nil && !slices.Contains(stack, name) {
		stack = append(stack, name)
		var out []*bakeResolved
		for _, e := range g.targets {
			for _, it := range p.items(e, p.ctx, false) {
				member := it.v.Text
				if it.v.Dynamic {
					continue
				}
				f := p.files[e.Range().Filename]
				switch {
				case member == name && p.targets[member] != nil:
					out = append(out, p.expand(p.targets[member])...)
				case slices.Contains(stack, member) && p.targets[member] == nil:
					p.errorf(f, it.v.Pos, "bake group %q includes group %q, which includes it", name, member)
				default:
					out = append(out, p.lookup(member, Value{Text: member, Pos: it.v.Pos, End: it.v.End}, stack)...)
				}
			}
		}
		return out
	}
	if d := p.targets[name]; d != nil {
		return p.expand(d)
	}
	if strings.ContainsAny(name, "*?[") {
		var out []*bakeResolved
		for _, t := range p.concrete() {
			if ok, _ := path.Match(name, t); ok {
				out = append(out, p.expand(p.targets[t])...)
			}
		}
		return out
	}
	for _, t := range p.targetOrder {
		if p.targets[t].attr("matrix") == nil {
			continue
		}
		for _, r := range p.expand(p.targets[t]) {
			if r.name == name {
				return []*bakeResolved{r}
			}
		}
	}
	if p.incomplete || strings.HasPrefix(name, "docker-metadata-action") {
		return nil
	}
	if len(stack) > 0 {
		if f := p.fileAt(at.Pos); f != nil {
			p.errorf(f, at.Pos, "bake group %q names %q, which is no target or group", stack[len(stack)-1], name)
		}
		return nil
	}
	p.errorf(p.invFile, at.Pos, "bake: no target or group %q in the bake files", name)
	return nil
}

// concrete returns the targets that no other target inherits from: when a
// bake file is read on its own without a default group, or a pattern
// names its targets, the targets that serve as bases (_common) are left
// out: what they set is in the targets that inherit it.
func (p *bakeProject) concrete() []string {
	bases := map[string]bool{}
	for _, name := range p.targetOrder {
		if a := p.targets[name].attr("inherits"); a != nil {
			for _, it := range p.items(a.Expr, p.ctx, false) {
				if it.v.Text != name {
					bases[it.v.Text] = true
				}
			}
		}
	}
	var out []string
	for _, name := range p.targetOrder {
		if !bases[name] {
			out = append(out, name)
		}
	}
	return out
}

func (p *bakeProject) fileAt(pos token.Pos) *File {
	for _, f := range p.parsed {
		if f.Tok != nil && int(pos) >= f.Tok.Base() && int(pos) <= f.Tok.Base()+f.Tok.Size() {
			return f
		}
	}
	return nil
}

// bakeOverride is one --set: pattern.key=value.
type bakeOverride struct {
	pattern, key string
	val          Value
	verbatim     bool
	append       bool
}

// parseBakeSet parses a --set value. The unknown parts of the pattern
// become wildcards.
func parseBakeSet(s Value) (bakeOverride, bool) {
	var o bakeOverride
	text := s.Text
	lhs, rhs, hasValue := strings.Cut(text, "=")
	off := len(lhs) + 1
	if strings.HasSuffix(lhs, "+") {
		o.append = true
		lhs = lhs[:len(lhs)-1]
	}
	lhs = strings.TrimSpace(lhs)
	if s.Dynamic {
		lhs = dynamicToGlob(lhs)
	}
	pattern, key, ok := strings.Cut(lhs, ".")
	if !ok || pattern == "" || key == "" {
		return o, false
	}
	o.pattern, o.key = pattern, key
	verbatim := s.Pos.IsValid() && int(s.End-s.Pos) == len(text)
	if !hasValue {
		o.val = Value{Text: "true", Pos: s.Pos, End: s.End}
		return o, true
	}
	o.val = Value{Text: rhs, Pos: s.Pos, End: s.End, Dynamic: s.Dynamic && strings.Contains(rhs, "$")}
	if verbatim {
		o.val.Pos = s.Pos + token.Pos(off)
		o.verbatim = true
	}
	return o, true
}

var bakeSetKeys = map[string]string{"platform": "platforms", "secrets": "secret", "outputs": "output", "tag": "tags"}

// applyBakeOverrides lays the --set overrides that match a target over its
// attributes: the first for a list key replaces the list, later ones (and
// +=) add to it.
func applyBakeOverrides(name string, a bakeAttrs, overrides []bakeOverride) bakeAttrs {
	if len(overrides) == 0 {
		return a
	}
	a = a.clone()
	replaced := map[string]bool{}
	for _, o := range overrides {
		if ok, _ := path.Match(o.pattern, name); !ok {
			continue
		}
		key := o.key
		if k, ok := bakeSetKeys[key]; ok {
			key = k
		}
		if m, sub, ok := strings.Cut(key, "."); ok && bakeMapAttrs[m] {
			a.merge(m, &bakeVal{args: []BuildArg{{Name: sub, Value: o.val, HasValue: true, Pos: o.val.Pos, End: o.val.End}}})
			continue
		}
		if !bakeListAttrs[key] {
			a[key] = &bakeVal{one: o.val}
			continue
		}
		var items []bakeItem
		if key == "platforms" && !o.val.Dynamic {
			items = splitOverride(o.val, o.verbatim)
		} else {
			items = []bakeItem{{v: o.val, verbatim: o.verbatim}}
		}
		old := a[key]
		if old != nil && (o.append || replaced[key]) {
			items = append(slices.Clone(old.items), items...)
		}
		replaced[key] = true
		a[key] = &bakeVal{items: items}
	}
	return a
}

// splitOverride splits a comma-separated --set value.
func splitOverride(v Value, verbatim bool) []bakeItem {
	var out []bakeItem
	off := 0
	for _, part := range strings.Split(v.Text, ",") {
		it := bakeItem{v: Value{Text: part, Pos: v.Pos, End: v.End}, verbatim: verbatim}
		if verbatim {
			it.v.Pos, it.v.End = v.Pos+token.Pos(off), v.Pos+token.Pos(off+len(part))
		}
		off += len(part) + 1
		if part != "" {
			out = append(out, it)
		}
	}
	return out
}

// build makes the Build of a resolved target. dir is the repo-relative
// directory its paths are relative to.
func (p *bakeProject) build(r *bakeResolved, dir string) *Build {
	a := r.attrs
	b := &Build{Name: r.name, BakeTarget: r.name, dir: dir}
	one := func(k string) Value {
		if v := a[k]; v != nil {
			return v.one
		}
		return Value{}
	}
	list := func(k string) []Value {
		var out []Value
		if v := a[k]; v != nil {
			for _, it := range v.items {
				out = append(out, it.v)
			}
		}
		return out
	}
	b.Context = one("context")
	b.Dockerfile = one("dockerfile")
	inline := one("dockerfile-inline")
	if inline.IsSet() {
		// The Dockerfile is in the bake file: there is no file to link.
		b.Dockerfile = inline
		b.Dockerfile.Dynamic = true
	}
	b.Target = one("target")
	b.Tags = list("tags")
	b.Outputs = list("output")
	b.Platforms = list("platforms")
	b.Secrets = list("secret")
	b.NoCacheFilters = list("no-cache-filter")
	b.CacheFrom = cacheSpecs(a["cache-from"])
	b.CacheTo = cacheSpecs(a["cache-to"])
	if v := a["args"]; v != nil {
		for _, arg := range v.args {
			if arg.HasValue { // null leaves the ARG to its default
				b.BuildArgs = append(b.BuildArgs, arg)
			}
		}
	}
	if nc := one("no-cache"); nc.IsSet() && (nc.Dynamic || nc.Text == "true" || nc.Text == "1") {
		b.NoCache = nc
	}
	for _, at := range list("attest") {
		if strings.Contains(at.Text, "type=provenance") {
			b.Provenance = at
		}
	}
	for _, o := range b.Outputs {
		t := strings.ReplaceAll(o.Text, " ", "")
		if strings.Contains(t, "type=registry") || strings.Contains(t, "push=true") {
			b.Push = true
		}
		if strings.Contains(t, "type=docker") {
			b.Load = true
		}
	}
	if pv := one("push"); pv.Text == "true" {
		b.Push = true
	}
	if lv := one("load"); lv.Text == "true" {
		b.Load = true
	}
	b.ContextDir, b.DockerfilePath = bakePaths(dir, b.Context, b.Dockerfile)
	return b
}

func cacheSpecs(v *bakeVal) []*CacheSpec {
	if v == nil {
		return nil
	}
	var out []*CacheSpec
	for _, it := range v.items {
		if it.obj != nil {
			c := *it.obj
			out = append(out, &c)
			continue
		}
		if it.v.Text == "" {
			continue
		}
		c := parseCacheSpec(it.v)
		if !it.verbatim {
			// The text is not written as is: every part points at the whole.
			for i := range c.Attrs {
				c.Attrs[i].Value.Pos, c.Attrs[i].Value.End = it.v.Pos, it.v.End
			}
		}
		out = append(out, c)
	}
	return out
}

// bakePaths resolves a target's context and Dockerfile against the
// repository root: bake takes the context relative to where it runs and
// the Dockerfile relative to the context. "" when dynamic, remote or
// outside the repository.
func bakePaths(dir string, ctx, df Value) (ctxDir, dfPath string) {
	c := ctx.Text
	if !ctx.IsSet() || c == "" {
		c = "."
	}
	if !ctx.Dynamic && !isRemoteContext(c) && !path.IsAbs(c) {
		ctxDir = inRepo(path.Join(dir, strings.TrimPrefix(c, "cwd://")))
	}
	switch {
	case df.Dynamic || df.Text == "-" || path.IsAbs(df.Text):
	case strings.HasPrefix(df.Text, "cwd://"):
		dfPath = inRepo(path.Join(dir, strings.TrimPrefix(df.Text, "cwd://")))
	case ctxDir != "":
		name := df.Text
		if name == "" {
			name = "Dockerfile"
		}
		dfPath = inRepo(path.Join(ctxDir, name))
	}
	return ctxDir, dfPath
}

func inRepo(p string) string {
	if p == ".." || strings.HasPrefix(p, "../") {
		return ""
	}
	return p
}

func isRemoteContext(c string) bool {
	return strings.Contains(c, "://") || strings.HasPrefix(c, "git@") || strings.HasPrefix(c, "github.com/") ||
		strings.HasPrefix(c, "target:") || strings.HasPrefix(c, "docker-image:") ||
		strings.HasSuffix(c, ".git") || strings.Contains(c, ".git#")
}
