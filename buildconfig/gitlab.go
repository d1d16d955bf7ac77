package buildconfig

import (
	"bytes"
	"errors"
	"go/token"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"mvdan.cc/sh/v3/syntax"

	"github.com/cachelint/cachelint/dockerfile"
)

// gitlabKeywords are the top-level keys of a GitLab CI file that are not
// jobs.
var gitlabKeywords = map[string]bool{
	"default": true, "include": true, "stages": true, "variables": true, "workflow": true,
	"image": true, "services": true, "cache": true, "before_script": true, "after_script": true,
	"types": true, "spec": true,
}

// gitlabDefaults are the job keywords that default: gives the jobs that do
// not set them; all but tags are also deprecated top-level keywords that
// do the same.
var gitlabDefaults = []string{"image", "services", "before_script", "after_script", "tags"}

// gitlabBudget bounds the YAML values one GitLab file and its includes
// expand to (aliases, merge keys, extends), against alias bombs.
const gitlabBudget = 200_000

// gval is a YAML value of a GitLab file after aliases and merge keys are
// resolved: a mapping as a gmap, anything else as its node.
type gval struct {
	f    *File
	node *yaml.Node // the value's node (never an alias)
	key  *yaml.Node // the key it is the value of; nil for list items
	m    *gmap      // set when node is a mapping
}

// gmap is a mapping with its keys in order.
type gmap struct {
	keys []string
	vals map[string]*gval
}

func newGmap() *gmap { return &gmap{vals: map[string]*gval{}} }

func (m *gmap) get(k string) *gval {
	if m == nil {
		return nil
	}
	return m.vals[k]
}

func (m *gmap) set(k string, v *gval) {
	if _, ok := m.vals[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.vals[k] = v
}

func (m *gmap) del(k string) {
	if _, ok := m.vals[k]; ok {
		delete(m.vals, k)
		m.keys = slices.DeleteFunc(m.keys, func(x string) bool { return x == k })
	}
}

// gitlabLoad is the state of loading one GitLab CI file.
type gitlabLoad struct {
	l         *loader
	budget    int
	overrun   bool
	included  map[string]bool
	top       *gmap
	jobs      map[string]*gmap // resolved jobs (extends applied), by name
	resolving map[string]bool
	sh        *syntax.Parser
}

// gitlab finds the builds of a GitLab CI file: the jobs' before_script,
// script and after_script lines, with the job's variables, image and
// services. Local includes are read and merged under the file; templates
// (hidden jobs) are used through extends and !reference.
func (l *loader) gitlab(f *File) {
	g := &gitlabLoad{l: l, budget: gitlabBudget, included: map[string]bool{f.Rel: true},
		jobs: map[string]*gmap{}, resolving: map[string]bool{}}
	g.top = g.load(f, 0)
	if g.top == nil {
		return
	}
	// the deprecated top-level image:, services:, before_script: ... are
	// defaults too, below default:
	defaults := newGmap()
	for _, k := range gitlabDefaults {
		if v := g.top.get(k); v != nil && k != "tags" {
			defaults.set(k, v)
		}
	}
	if d := g.top.get("default"); d != nil && d.m != nil {
		g.merge(defaults, d.m)
	}
	globalVars := g.variables(g.top.get("variables"))
	workflowTriggers := g.triggers(g.top.get("workflow").mapping())
	for _, name := range g.top.keys {
		v := g.top.vals[name]
		if gitlabKeywords[name] || strings.HasPrefix(name, ".") || v.m == nil {
			continue
		}
		job := g.job(name)
		if job == nil {
			continue
		}
		job = g.clone(job) // the defaults go into this job only
		g.build(name, v, job, defaults, globalVars, workflowTriggers)
		if g.overrun {
			break
		}
	}
}

// load parses a GitLab file and the local files it includes, merged: the
// includes in order, then the file itself over them.
func (g *gitlabLoad) load(f *File, depth int) *gmap {
	root := g.parse(f)
	if root == nil {
		return nil
	}
	out := newGmap()
	if inc := root.get("include"); inc != nil && depth < 100 {
		for _, ref := range g.includes(inc) {
			rel := path.Clean(strings.TrimPrefix(ref.Text, "/"))
			if g.included[rel] {
				continue // included already, or an include cycle
			}
			g.included[rel] = true
			inf := g.l.open(rel, GitLab)
			if inf == nil {
				g.l.errorf(ref.file, ref.Pos, "included file %s not found", ref.Text)
				continue
			}
			if sub := g.load(inf, depth+1); sub != nil {
				g.merge(out, sub)
			}
		}
	}
	root.del("include")
	g.merge(out, root)
	return out
}

// fileValue is a value together with the file it is written in.
type fileValue struct {
	Value
	file *File
}

// includes lists the local files an include: names. Remote, project,
// template and component includes, and paths with wildcards or
// variables, are left out.
func (g *gitlabLoad) includes(v *gval) []fileValue {
	var out []fileValue
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		n = deref(n)
		if n == nil || depth > 10 {
			return
		}
		switch n.Kind {
		case yaml.ScalarNode:
			s := n.Value
			if s == "" || strings.Contains(s, "://") || strings.ContainsAny(s, "*$") {
				return
			}
			out = append(out, fileValue{g.value(v.f, n), v.f})
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "local" {
					walk(n.Content[i+1], depth+1)
				}
			}
		}
	}
	walk(v.node, 0)
	return out
}

// parse reads a GitLab file's YAML into a gmap; nil (with the error
// recorded) when it is not YAML or not a mapping. A spec: header document
// is skipped.
func (g *gitlabLoad) parse(f *File) *gmap {
	dec := yaml.NewDecoder(bytes.NewReader(f.Src))
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			pos, msg := yamlErr(f, err)
			g.l.errorf(f, pos, "invalid YAML: %s", msg)
			return nil
		}
		docs = append(docs, &doc)
	}
	var root *gmap
	for _, doc := range docs {
		if len(doc.Content) == 0 {
			continue
		}
		n := deref(doc.Content[0])
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			continue
		}
		if n.Kind != yaml.MappingNode {
			g.l.errorf(f, g.nodePos(f, n), "a GitLab CI file is a mapping of jobs and keywords, not %s", kindName(n))
			return nil
		}
		m := g.toVal(f, n, nil, 0).m
		if m == nil {
			return nil
		}
		if len(m.keys) == 1 && m.keys[0] == "spec" && len(docs) > 1 {
			continue // the header of a file with inputs
		}
		if root == nil {
			root = m
		} else {
			g.merge(root, m)
		}
	}
	if root == nil {
		root = newGmap()
	}
	return root
}

// yamlLine finds the line number in a yaml error message.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// yamlErr returns where a YAML syntax error is and its message without
// the line. The YAML library counts lines from 1 for the scanner's errors
// but from 0 for the parser's, which point at the start of the construct
// left unfinished (an unclosed [ or {, a block mapping).
func yamlErr(f *File, err error) (token.Pos, string) {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return f.Pos(0), strings.TrimPrefix(msg, "yaml: ")
	}
	msg = msg[len(m[0]):]
	n, _ := strconv.Atoi(m[1])
	if strings.HasPrefix(msg, "did not find expected") || strings.HasPrefix(msg, "found duplicate %") ||
		strings.HasPrefix(msg, "found incompatible YAML") || strings.HasPrefix(msg, "found undefined tag handle") {
		n++
	}
	if n < 1 || n > f.Tok.LineCount() {
		return f.Pos(0), msg
	}
	return f.Tok.LineStart(n), msg
}

// toVal resolves a node: aliases followed, mappings turned into gmaps
// with their merge keys (<<) applied, the explicit keys winning.
func (g *gitlabLoad) toVal(f *File, n, key *yaml.Node, depth int) *gval {
	n = deref(n)
	g.budget--
	if n == nil || g.budget < 0 || depth > 200 {
		if g.budget < 0 && !g.overrun {
			g.overrun = true
			g.l.errorf(f, g.nodePos(f, n), "the file expands to too many values (aliases or extends)")
		}
		return nil
	}
	v := &gval{f: f, node: n, key: key}
	if n.Kind != yaml.MappingNode {
		return v
	}
	v.m = newGmap()
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style == 0 {
			switch m := deref(val); {
			case m == nil:
			case m.Kind == yaml.SequenceNode:
				merges = append(merges, m.Content...)
			default:
				merges = append(merges, m)
			}
			continue
		}
		if c := g.toVal(f, val, k, depth+1); c != nil {
			v.m.set(k.Value, c)
		}
	}
	for _, mn := range merges {
		mv := g.toVal(f, mn, nil, depth+1)
		if mv == nil || mv.m == nil {
			continue
		}
		for _, k := range mv.m.keys {
			if _, ok := v.m.vals[k]; !ok {
				v.m.set(k, mv.m.vals[k])
			}
		}
	}
	return v
}

func (v *gval) mapping() *gmap {
	if v == nil {
		return nil
	}
	return v.m
}

// merge merges src into dst the way GitLab merges includes and extends:
// mappings deep, anything else (lists included) replaced. src is not
// changed and shares nothing that a later merge changes.
func (g *gitlabLoad) merge(dst, src *gmap) {
	for _, k := range src.keys {
		sv := src.vals[k]
		dv := dst.vals[k]
		if dv != nil && dv.m != nil && sv.m != nil {
			nv := &gval{f: sv.f, node: sv.node, key: sv.key, m: g.clone(dv.m)}
			g.merge(nv.m, sv.m)
			dst.set(k, nv)
			continue
		}
		if sv.m != nil {
			sv = &gval{f: sv.f, node: sv.node, key: sv.key, m: g.clone(sv.m)}
		}
		dst.set(k, sv)
	}
}

func (g *gitlabLoad) clone(m *gmap) *gmap {
	out := newGmap()
	g.budget -= len(m.keys)
	if g.budget < 0 {
		return out
	}
	for _, k := range m.keys {
		v := m.vals[k]
		if v.m != nil {
			v = &gval{f: v.f, node: v.node, key: v.key, m: g.clone(v.m)}
		}
		out.set(k, v)
	}
	return out
}

// job returns a job or template with its extends applied: the templates it
// extends merged in order, then its own keys over them; nil when it is not
// defined or its extends loop.
func (g *gitlabLoad) job(name string) *gmap {
	if j, ok := g.jobs[name]; ok {
		return j
	}
	v := g.top.get(name)
	if v == nil || v.m == nil {
		return nil
	}
	if g.resolving[name] {
		g.l.errorf(v.f, g.keyPos(v), "extends of %s loop back to it", name)
		return nil
	}
	g.resolving[name] = true
	defer delete(g.resolving, name)
	out := newGmap()
	if ext := v.m.get("extends"); ext != nil {
		for _, n := range scalarList(ext.node) {
			base := g.top.get(n.Value)
			if base == nil || base.m == nil {
				g.l.errorf(ext.f, g.nodePos(ext.f, n), "extends names %s, which is not defined", n.Value)
				continue
			}
			if bj := g.job(n.Value); bj != nil {
				g.merge(out, bj)
			}
		}
	}
	g.merge(out, v.m)
	out.del("extends")
	g.jobs[name] = out
	return out
}

// scalarList returns a scalar, or the scalars of a list.
func scalarList(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []*yaml.Node{n}
	}
	var out []*yaml.Node
	if n.Kind == yaml.SequenceNode {
		for _, c := range n.Content {
			if c = deref(c); c != nil && c.Kind == yaml.ScalarNode {
				out = append(out, c)
			}
		}
	}
	return out
}

// build makes the Job of a job definition and scans its scripts.
func (g *gitlabLoad) build(name string, def *gval, job *gmap, defaults *gmap, globalVars map[string]Value, workflowTriggers []string) {
	inheritDefaults, inheritVars := inheritance(job.get("inherit").mapping())
	for _, k := range defaults.keys {
		if job.get(k) == nil && inheritDefaults(k) {
			job.set(k, defaults.vals[k])
		}
	}
	j := &Job{Name: name, File: def.f, Pos: g.keyPos(def), Env: map[string]Value{}}
	for k, v := range globalVars {
		if inheritVars(k) {
			j.Env[k] = v
		}
	}
	for k, v := range g.variables(job.get("variables")) {
		j.Env[k] = v
	}
	if img := job.get("image"); img != nil {
		j.Image = g.imageName(img)
	}
	if svcs := job.get("services"); svcs != nil {
		if n := deref(svcs.node); n != nil && n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				s := g.imageName(&gval{f: svcs.f, node: deref(c)})
				if !s.IsSet() {
					continue
				}
				j.Services = append(j.Services, s)
				if strings.Contains(strings.ToLower(s.Text), "dind") {
					j.Hosted = true
				}
			}
		}
	}
	if tags := job.get("tags"); tags != nil {
		j.Runner = g.joined(tags)
	}
	j.Triggers = g.triggers(job)
	if slices.Equal(workflowTriggers, []string{"schedule"}) {
		j.Triggers = workflowTriggers
	}
	j.Matrix = g.matrix(job.get("parallel").mapping())

	// before_script and script run in one shell, after_script in another.
	var main []scriptLine
	for _, k := range []string{"before_script", "script"} {
		if v := job.get(k); v != nil {
			main = g.scriptLines(main, v.f, v.node, 0)
		}
	}
	g.scan(j, main)
	if v := job.get("after_script"); v != nil {
		g.scan(j, g.scriptLines(nil, v.f, v.node, 0))
	}
}

// inheritance reads a job's inherit: which defaults and which global
// variables it takes.
func inheritance(m *gmap) (defaults, vars func(string) bool) {
	pick := func(v *gval) func(string) bool {
		if v == nil {
			return func(string) bool { return true }
		}
		n := deref(v.node)
		if n != nil && n.Kind == yaml.ScalarNode {
			off := n.Value == "false"
			return func(string) bool { return !off }
		}
		var names []string
		for _, s := range scalarList(n) {
			names = append(names, s.Value)
		}
		return func(k string) bool { return slices.Contains(names, k) }
	}
	return pick(m.get("default")), pick(m.get("variables"))
}

// variables reads a variables: mapping: NAME: value or NAME: {value: ...}.
// A value that refers to other variables is dynamic, unless expand: false.
func (g *gitlabLoad) variables(v *gval) map[string]Value {
	out := map[string]Value{}
	if v == nil || v.m == nil {
		return out
	}
	for _, k := range v.m.keys {
		x := v.m.vals[k]
		n := x.node
		expand := true
		if x.m != nil {
			if e := x.m.get("expand"); e != nil && e.node.Value == "false" {
				expand = false
			}
			val := x.m.get("value")
			if val == nil {
				out[k] = Value{}
				continue
			}
			x, n = val, val.node
		}
		if n.Kind != yaml.ScalarNode {
			continue
		}
		val := g.value(x.f, n)
		val.Dynamic = expand && strings.Contains(val.Text, "$")
		out[k] = val
	}
	return out
}

// imageName reads an image: or a services: entry: a string or {name: }.
func (g *gitlabLoad) imageName(v *gval) Value {
	n := deref(v.node)
	if n == nil {
		return Value{}
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "name" {
				n = deref(n.Content[i+1])
				break
			}
		}
	}
	if n == nil || n.Kind != yaml.ScalarNode {
		return Value{}
	}
	val := g.value(v.f, n)
	val.Dynamic = strings.Contains(val.Text, "$")
	return val
}

// joined reads a scalar or a list of scalars (tags:) as one value, the
// entries separated by commas, spanning them all.
func (g *gitlabLoad) joined(v *gval) Value {
	ns := scalarList(v.node)
	if len(ns) == 0 {
		return Value{}
	}
	var texts []string
	out := Value{}
	for i, n := range ns {
		x := g.value(v.f, n)
		texts = append(texts, x.Text)
		if i == 0 {
			out.Pos = x.Pos
		}
		out.End = x.End
		out.Dynamic = out.Dynamic || strings.Contains(x.Text, "$")
	}
	out.Text = strings.Join(texts, ",")
	return out
}

// scheduleIf matches a rules: if: that selects scheduled pipelines.
var scheduleIf = regexp.MustCompile(`CI_PIPELINE_SOURCE\s*(==|=~)\s*["'/]?\^?schedule`)

// triggers tells what runs a job from its rules: or only:: "schedule"
// when only scheduled pipelines do; "push" and "schedule" when scheduled
// pipelines are one of the cases; else "push".
func (g *gitlabLoad) triggers(job *gmap) []string {
	schedule, other := false, false
	if r := job.get("rules"); r != nil {
		if n := deref(r.node); n != nil && n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				rule := g.toVal(r.f, c, nil, 0).mapping()
				if rule == nil {
					continue
				}
				if w := rule.get("when"); w != nil && w.node.Value == "never" {
					continue
				}
				if cond := rule.get("if"); cond != nil && scheduleIf.MatchString(cond.node.Value) {
					schedule = true
				} else {
					other = true
				}
			}
		}
	}
	if o := job.get("only"); o != nil {
		refs := o.node
		if o.m != nil {
			refs = nil
			if r := o.m.get("refs"); r != nil {
				refs = r.node
			}
		}
		ns := scalarList(refs)
		for _, n := range ns {
			if n.Value == "schedules" {
				schedule = true
			} else {
				other = true
			}
		}
		if len(ns) == 0 {
			other = true
		}
	}
	switch {
	case schedule && !other:
		return []string{"schedule"}
	case schedule:
		return []string{"push", "schedule"}
	}
	return []string{"push"}
}

// matrix lists the variables of parallel: matrix:, in order, once each.
func (g *gitlabLoad) matrix(par *gmap) []string {
	mv := par.get("matrix")
	if mv == nil {
		return nil
	}
	n := deref(mv.node)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	var axes []string
	for _, c := range n.Content {
		c = deref(c)
		if c == nil || c.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(c.Content); i += 2 {
			if k := c.Content[i].Value; !slices.Contains(axes, k) {
				axes = append(axes, k)
			}
		}
	}
	return axes
}

// scriptLine is one entry of a script list, with where it is written.
type scriptLine struct {
	f    *File
	text string
	segs []dockerfile.Segment // Index into text
}

// scriptLines appends the lines of a script: value: a string, a list of
// strings, nested lists, and !reference [job, key] entries.
func (g *gitlabLoad) scriptLines(out []scriptLine, f *File, n *yaml.Node, depth int) []scriptLine {
	n = deref(n)
	if n == nil || depth > 10 {
		return out
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return out
		}
		segs := g.align(f, n)
		return append(out, scriptLine{f: f, text: n.Value, segs: segs})
	case yaml.SequenceNode:
		if n.Tag == "!reference" {
			return g.reference(out, f, n, depth)
		}
		for _, c := range n.Content {
			out = g.scriptLines(out, f, c, depth+1)
		}
	}
	return out
}

// reference appends the lines that a !reference [job, key, ...] names.
func (g *gitlabLoad) reference(out []scriptLine, f *File, n *yaml.Node, depth int) []scriptLine {
	path := scalarList(n)
	if len(path) < 2 {
		return out
	}
	m := g.job(path[0].Value)
	var v *gval
	for _, p := range path[1:] {
		if m == nil {
			v = nil
			break
		}
		v = m.get(p.Value)
		m = v.mapping()
	}
	if v == nil {
		g.l.errorf(f, g.nodePos(f, n), "!reference names %s, which is not defined", refPath(path))
		return out
	}
	return g.scriptLines(out, v.f, v.node, depth+1)
}

func refPath(ns []*yaml.Node) string {
	var s []string
	for _, n := range ns {
		s = append(s, n.Value)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// scan runs the lines of one shell of a job through scanScript, a run of
// lines from one file at a time.
func (g *gitlabLoad) scan(j *Job, lines []scriptLine) {
	// A line the shell cannot parse (PowerShell on a Windows runner)
	// would hide the builds of the whole script: it is left out.
	if g.sh == nil {
		g.sh = syntax.NewParser(syntax.Variant(syntax.LangBash))
	}
	lines = slices.DeleteFunc(lines, func(ln scriptLine) bool {
		_, err := g.sh.Parse(strings.NewReader(ln.text), "")
		return err != nil
	})
	for len(lines) > 0 {
		f := lines[0].f
		var b segBuilder
		k := 0
		for ; k < len(lines) && lines[k].f == f; k++ {
			ln := lines[k]
			if k > 0 {
				b.add([]byte{'\n'}, b.offset(len(b.buf)-1)+1)
			}
			for i, sg := range ln.segs {
				end := len(ln.text)
				if i+1 < len(ln.segs) {
					end = ln.segs[i+1].Index
				}
				b.add([]byte(ln.text[sg.Index:end]), sg.Offset)
			}
		}
		if len(b.buf) > 0 {
			b.add([]byte{'\n'}, b.offset(len(b.buf)-1)+1)
		}
		first := len(g.l.repo.Builds)
		g.l.scanScript(f, string(b.buf), b.segs, &shellContext{Job: j, Env: j.Env})
		for _, bd := range g.l.repo.Builds[first:] {
			if bd.Job == j && bd.Name == bd.Kind.String() {
				bd.Name = j.Name
			}
		}
		lines = lines[k:]
	}
}

// offset returns the byte offset of a node's line and column (columns
// count characters).
func (g *gitlabLoad) offset(f *File, line, col int) int {
	if line < 1 || line > f.Tok.LineCount() {
		return 0
	}
	off := f.Tok.Offset(f.Tok.LineStart(line))
	for c := 1; c < col && off < len(f.Src) && f.Src[off] != '\n'; c++ {
		_, size := utf8.DecodeRune(f.Src[off:])
		off += size
	}
	return off
}

func (g *gitlabLoad) nodePos(f *File, n *yaml.Node) token.Pos {
	if n == nil {
		return f.Pos(0)
	}
	return f.Pos(g.offset(f, n.Line, n.Column))
}

func (g *gitlabLoad) keyPos(v *gval) token.Pos {
	if v.key != nil {
		return g.nodePos(v.f, v.key)
	}
	return g.nodePos(v.f, v.node)
}

// value turns a scalar into a Value with its position: Pos at its first
// character, End past its last, when it is written as it reads.
func (g *gitlabLoad) value(f *File, n *yaml.Node) Value {
	segs := g.align(f, n)
	v := Value{Text: n.Value, Pos: f.Pos(segs[0].Offset)}
	last := segs[len(segs)-1]
	v.End = f.Pos(last.Offset + len(n.Value) - last.Index)
	if len(n.Value) == 0 {
		v.End = v.Pos
	}
	return v
}

// align maps a scalar's value to the file: where each run of its text is
// written. Block scalars lose their indentation and quoted ones their
// quotes and escapes; folded line breaks become spaces. The source is
// walked beside the value, skipping what YAML drops (indentation, line
// breaks, quotes, backslashes); a character the source does not have
// (an escape) is mapped where the walk is.
func (g *gitlabLoad) align(f *File, n *yaml.Node) []dockerfile.Segment {
	src := f.Src
	start := g.offset(f, n.Line, n.Column)
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		if i := bytes.IndexByte(src[start:], '\n'); i >= 0 {
			start += i + 1
		} else {
			start = len(src)
		}
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		start = min(start+1, len(src))
	}
	v := n.Value
	segs := []dockerfile.Segment{{Index: 0, Offset: start}}
	addSeg := func(i, off int) {
		if last := &segs[len(segs)-1]; last.Index == i {
			last.Offset = off
			return
		}
		segs = append(segs, dockerfile.Segment{Index: i, Offset: off})
	}
	j := start
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || n.Style == 0 {
		// skip the indentation before the first character
		for j < len(src) && j-start < 1<<16 && len(v) > 0 && src[j] != v[0] && (src[j] == ' ' || src[j] == '\t') {
			j++
		}
		addSeg(0, j)
	}
	for i := 0; i < len(v) && j < len(src); {
		if v[i] == src[j] {
			i++
			j++
			continue
		}
		k := j
		for k < len(src) && src[k] != v[i] && yamlDropped(src[k]) {
			k++
		}
		if k < len(src) && src[k] == v[i] {
			addSeg(i, k)
			j = k
			continue
		}
		// a character the source does not have as such
		addSeg(i, j)
		i++
		j++
		if i < len(v) {
			addSeg(i, j)
		}
	}
	return segs
}

func yamlDropped(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\\', '"', '\'':
		return true
	}
	return false
}
