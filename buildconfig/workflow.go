package buildconfig

import (
	"fmt"
	"go/token"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/cachelint/cachelint/dockerfile"
)

// workflow finds the builds of a GitHub Actions workflow: the
// docker/build-push-action and docker/bake-action steps of its jobs and
// the docker, buildx and buildctl commands of their run: steps, each with
// the job it runs in and the builder chosen before it (the default docker
// driver until a docker/setup-buildx-action step sets one up).
//
// The file is read as go.yaml.in/yaml/v3 nodes, whose line and column
// (counted in characters) are turned into byte offsets of the file, so
// every value keeps where it is written: a plain or quoted scalar spans
// its text (inside the quotes), and a block scalar (| or >) is mapped line
// by line to where each line is written, below its header.
func (l *loader) workflow(f *File) {
	w := newWorkflowParser(l, f)
	root, ok := w.parse()
	if !ok || root == nil {
		return
	}
	if root.Kind != yaml.MappingNode {
		l.errorf(f, w.pos(root), "a workflow is a mapping (on:, jobs: ...), not %s", kindName(root))
		return
	}
	var jobs *yaml.Node
	for _, p := range w.pairs(root) {
		switch p.k.Value {
		case "on":
			w.triggers = w.events(p.v)
			w.filters = w.refFilters(p.v)
		case "env":
			w.env = w.envMap(p.v)
		case "defaults":
			w.shell, w.dir = w.runDefaults(p.v)
		case "jobs":
			jobs = deref(p.v)
		}
	}
	if jobs == nil {
		return
	}
	if jobs.Kind != yaml.MappingNode {
		if !isNull(jobs) {
			l.errorf(f, w.pos(jobs), "jobs: is a mapping of job ids to jobs, not %s", kindName(jobs))
		}
		return
	}
	for _, p := range w.pairs(jobs) {
		w.job(p.k, p.v)
	}
}

// wfParser is the state of reading one workflow.
type wfParser struct {
	l     *loader
	f     *File
	lines []int // byte offset of each line's start, lines as YAML counts them
	bom   int   // length of a byte-order mark, which YAML does not count as a column

	triggers   []string
	filters    map[string]RefFilter
	env        map[string]Value // the workflow's env:
	shell, dir Value            // the workflow's defaults.run

	checked map[*yaml.Node]bool // mappings already checked for duplicate keys
}

func newWorkflowParser(l *loader, f *File) *wfParser {
	w := &wfParser{l: l, f: f, lines: []int{0}, checked: map[*yaml.Node]bool{}}
	src := f.Src
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		w.bom = 3
	}
	// YAML breaks lines at LF, CR LF, a lone CR, NEL, LS and PS.
	for i := 0; i < len(src); i++ {
		switch {
		case src[i] == '\n':
			w.lines = append(w.lines, i+1)
		case src[i] == '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			w.lines = append(w.lines, i+1)
		case src[i] == 0xC2 && i+1 < len(src) && src[i+1] == 0x85:
			i++
			w.lines = append(w.lines, i+1)
		case src[i] == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9):
			i += 2
			w.lines = append(w.lines, i+1)
		}
	}
	return w
}

// yamlErrLine finds the line in go.yaml.in/yaml/v3's error messages.
var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse reads the file's first YAML document; ok is false when it is not
// valid YAML (the error is recorded at the line YAML names). The root is
// nil for an empty document.
func (w *wfParser) parse() (root *yaml.Node, ok bool) {
	var doc yaml.Node
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("yaml: %v", r)
			}
		}()
		return yaml.Unmarshal(w.f.Src, &doc)
	}()
	if err != nil {
		msg := err.Error()
		pos := token.NoPos
		if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n >= 1 && n <= len(w.lines) {
				pos = w.f.Pos(w.lines[n-1])
			}
			msg = m[2]
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		w.l.errorf(w.f, pos, "invalid YAML: %s", msg)
		return nil, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, true
	}
	return deref(doc.Content[0]), true
}

// ---- positions

// offset is the byte offset of a YAML line and column (both from 1, the
// column counted in characters).
func (w *wfParser) offset(line, col int) int {
	if line < 1 || line > len(w.lines) {
		return 0
	}
	off := w.lines[line-1]
	if line == 1 {
		off += w.bom
	}
	end := len(w.f.Src)
	if line < len(w.lines) {
		end = w.lines[line]
	}
	for c := 1; c < col && off < end; c++ {
		_, size := utf8.DecodeRune(w.f.Src[off:end])
		off += size
	}
	return min(off, end)
}

// nodeOffset is where a node starts: its properties (anchor, tag) and
// then its text.
func (w *wfParser) nodeOffset(n *yaml.Node) int { return w.offset(n.Line, n.Column) }

func (w *wfParser) pos(n *yaml.Node) token.Pos { return w.f.Pos(w.nodeOffset(n)) }

// scalarText is a scalar node's value and where each part of it is
// written.
type scalarText struct {
	text       string
	segs       []dockerfile.Segment // from the value's bytes to the file's
	start, end int                  // the value's span in the file
	outer      int                  // the end of the node, closing quote included
	verbatim   bool                 // the file holds the text exactly at start:end
}

// scalar maps a scalar node's value to the file.
func (w *wfParser) scalar(n *yaml.Node) scalarText {
	src := w.f.Src
	st := scalarText{text: n.Value}
	off := w.skipProperties(w.nodeOffset(n))
	from := off
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		// The content starts on the line after the header (| or > with
		// its indicators and a comment).
		from = w.nextLine(off)
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && off < len(src) && (src[off] == '"' || src[off] == '\''):
		from = off + 1
	}
	segs, end, ok := align(src, from, n.Value)
	switch {
	case ok:
		st.segs, st.end = segs, end
		st.start = segs[0].Offset
		st.verbatim = st.end-st.start == len(n.Value) && string(src[st.start:st.end]) == n.Value
		st.outer = st.end
		if from == off+1 && st.outer < len(src) && src[st.outer] == src[off] {
			st.outer++
		}
	case from == off+1: // a quoted scalar with escapes
		closing := quoteEnd(src, off)
		st.start, st.end, st.outer = from, max(from, closing), min(closing+1, len(src))
		st.segs = []dockerfile.Segment{{Index: 0, Offset: from}}
	default:
		st.start = from
		st.end = min(from+len(n.Value), len(src))
		st.outer = st.end
		st.segs = []dockerfile.Segment{{Index: 0, Offset: from}}
	}
	return st
}

// skipProperties moves past a node's anchor (&a) and tag (!!str) to its
// text.
func (w *wfParser) skipProperties(off int) int {
	src := w.f.Src
	for off < len(src) && (src[off] == '&' || src[off] == '!') {
		for off < len(src) && !isBlank(src[off]) {
			off++
		}
		for off < len(src) && isBlank(src[off]) {
			off++
		}
	}
	return off
}

// nextLine is the offset of the start of the line after the one holding
// off.
func (w *wfParser) nextLine(off int) int {
	i, found := slices.BinarySearch(w.lines, off)
	if found {
		i++
	}
	if i < len(w.lines) {
		return w.lines[i]
	}
	return len(w.f.Src)
}

// align finds the characters of a YAML value in the file from offset
// from on. The value differs from its source only by white space (the
// indentation of a block scalar, folded line breaks, the break of a
// chomped last line); every other character must be found, in order, with
// only blanks and line breaks skipped. segs maps the value to the file; end
// is the offset after its last character found.
func align(src []byte, from int, val string) (segs []dockerfile.Segment, end int, ok bool) {
	j := from
	for i := 0; i < len(val); i++ {
		c := val[i]
		if j < len(src) && src[j] == c {
			if len(segs) == 0 || segs[len(segs)-1].Offset+i-segs[len(segs)-1].Index != j {
				segs = append(segs, dockerfile.Segment{Index: i, Offset: j})
			}
			j++
			continue
		}
		if isBlank(c) {
			continue // folded or chomped white space, not in the file
		}
		k := j
		for k < len(src) && isBlank(src[k]) {
			k++
		}
		if k >= len(src) || src[k] != c {
			return nil, 0, false
		}
		j = k
		segs = append(segs, dockerfile.Segment{Index: i, Offset: j})
		j++
	}
	if len(segs) == 0 {
		segs = []dockerfile.Segment{{Index: 0, Offset: min(from, len(src))}}
	}
	// Trailing white space of the value (a block scalar's final line
	// break) is not part of its span.
	end = j
	for end > from && end > segs[len(segs)-1].Offset && isBlank(src[end-1]) {
		end--
	}
	return segs, max(end, segs[0].Offset), true
}

// quoteEnd is the offset of the closing quote of a quoted scalar opened at
// off, or the end of the file.
func quoteEnd(src []byte, off int) int {
	q := src[off]
	for i := off + 1; i < len(src); i++ {
		switch {
		case q == '"' && src[i] == '\\':
			i++
		case src[i] == q && q == '\'' && i+1 < len(src) && src[i+1] == '\'':
			i++
		case src[i] == q:
			return i
		}
	}
	return len(src)
}

// nodeEnd is the offset after a node's text.
func (w *wfParser) nodeEnd(n *yaml.Node) int {
	src := w.f.Src
	switch n.Kind {
	case yaml.ScalarNode:
		if isNull(n) && n.Value == "" {
			return w.nodeOffset(n)
		}
		return w.scalar(n).outer
	case yaml.AliasNode:
		return min(w.nodeOffset(n)+1+len(n.Value), len(src))
	case yaml.MappingNode, yaml.SequenceNode:
		end := w.skipProperties(w.nodeOffset(n))
		if n.Kind == yaml.MappingNode && len(n.Content) >= 2 {
			k, v := n.Content[len(n.Content)-2], n.Content[len(n.Content)-1]
			end = max(w.nodeEnd(k), w.nodeEnd(v))
		} else if len(n.Content) > 0 {
			end = w.nodeEnd(n.Content[len(n.Content)-1])
		}
		if n.Style&yaml.FlowStyle != 0 {
			closing := byte('}')
			if n.Kind == yaml.SequenceNode {
				closing = ']'
			}
			if len(n.Content) == 0 {
				end++
			}
			for j := end; j < len(src); j++ {
				if src[j] == closing {
					return j + 1
				}
				if !isBlank(src[j]) && src[j] != ',' {
					break
				}
			}
		}
		return min(end, len(src))
	}
	return w.nodeOffset(n)
}

// value is a scalar as a Value spanning its text. A node that is not a
// scalar is taken as written (a list where a string is wanted).
func (w *wfParser) value(n *yaml.Node) Value {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		start, end := w.nodeOffset(n), w.nodeEnd(n)
		t := string(w.f.Src[start:max(start, end)])
		return Value{Text: t, Pos: w.f.Pos(start), End: w.f.Pos(end), Dynamic: hasExpr(t)}
	}
	if isNull(n) && n.Value == "" {
		p := w.f.Pos(w.nodeOffset(n))
		return Value{Pos: p, End: p}
	}
	st := w.scalar(n)
	return Value{Text: n.Value, Pos: w.f.Pos(st.start), End: w.f.Pos(st.end), Dynamic: hasExpr(n.Value)}
}

// hasExpr reports whether a text holds a GitHub expression.
func hasExpr(s string) bool { return strings.Contains(s, "${{") }

// ---- structure

type nodePair struct{ k, v *yaml.Node }

// pairs lists a mapping's keys and values, the first of duplicated keys
// only (GitHub refuses a workflow with a duplicate key: it is recorded).
func (w *wfParser) pairs(n *yaml.Node) []nodePair {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	report := !w.checked[n]
	w.checked[n] = true
	out := make([]nodePair, 0, len(n.Content)/2)
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			continue
		}
		if first, dup := seen[k.Value]; dup {
			if report {
				w.l.errorf(w.f, w.pos(k), "duplicate key %q (first at line %d); the first is used", k.Value, first.Line)
			}
			continue
		}
		seen[k.Value] = k
		out = append(out, nodePair{k, v})
	}
	return out
}

// get returns the value of a key of a mapping, nil when it is missing.
func (w *wfParser) get(n *yaml.Node, key string) *yaml.Node {
	for _, p := range w.pairs(n) {
		if p.k.Value == key {
			return deref(p.v)
		}
	}
	return nil
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null" && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
}

// events lists the events of on: (a name, a list of names or a mapping
// keyed by event).
func (w *wfParser) events(n *yaml.Node) []string {
	n = deref(n)
	var out []string
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value != "" {
			out = append(out, n.Value)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c = deref(c); c.Kind == yaml.ScalarNode && c.Value != "" {
				out = append(out, c.Value)
			}
		}
	case yaml.MappingNode:
		for _, p := range w.pairs(n) {
			out = append(out, p.k.Value)
		}
	}
	return out
}

// refFilters reads the branches and tags filters of the events of on:
// written as a mapping.
func (w *wfParser) refFilters(n *yaml.Node) map[string]RefFilter {
	var out map[string]RefFilter
	for _, p := range w.pairs(n) {
		var f RefFilter
		set := false
		for _, fp := range w.pairs(p.v) {
			var list *[]string
			switch fp.k.Value {
			case "branches":
				list = &f.Branches
			case "branches-ignore":
				list = &f.BranchesIgnore
			case "tags":
				list = &f.Tags
			case "tags-ignore":
				list = &f.TagsIgnore
			default:
				continue
			}
			set = true
			switch v := deref(fp.v); v.Kind {
			case yaml.ScalarNode:
				*list = append(*list, v.Value)
			case yaml.SequenceNode:
				for _, c := range v.Content {
					if c = deref(c); c.Kind == yaml.ScalarNode {
						*list = append(*list, c.Value)
					}
				}
			}
		}
		if set {
			if out == nil {
				out = map[string]RefFilter{}
			}
			out[p.k.Value] = f
		}
	}
	return out
}

// envMap reads an env: mapping (an expression in its place gives none).
func (w *wfParser) envMap(n *yaml.Node) map[string]Value {
	env := map[string]Value{}
	for _, p := range w.pairs(n) {
		if v := deref(p.v); v.Kind == yaml.ScalarNode {
			env[p.k.Value] = w.value(v)
		}
	}
	return env
}

// runDefaults reads defaults.run.shell and working-directory.
func (w *wfParser) runDefaults(n *yaml.Node) (shell, dir Value) {
	run := w.get(n, "run")
	if s := w.get(run, "shell"); s != nil && s.Kind == yaml.ScalarNode {
		shell = w.value(s)
	}
	if d := w.get(run, "working-directory"); d != nil && d.Kind == yaml.ScalarNode {
		dir = w.value(d)
	}
	return shell, dir
}

// ---- jobs

// job reads one job and the builds of its steps. A job that calls a
// reusable workflow (uses: at job level) has no steps of its own.
func (w *wfParser) job(key, n *yaml.Node) {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		w.l.errorf(w.f, w.pos(n), "job %q is a mapping (runs-on:, steps: ...), not %s", key.Value, kindName(n))
		return
	}
	if w.get(n, "uses") != nil {
		return
	}
	j := &Job{Name: key.Value, File: w.f, Pos: w.pos(key), Triggers: slices.Clone(w.triggers), Filters: maps.Clone(w.filters)}
	if cond := w.get(n, "if"); cond != nil && cond.Kind == yaml.ScalarNode {
		j.If = w.value(cond)
	}
	if name := w.get(n, "name"); name != nil && name.Kind == yaml.ScalarNode && name.Value != "" && !hasExpr(name.Value) {
		j.Name = name.Value
	}
	j.Env = maps.Clone(w.env)
	if j.Env == nil {
		j.Env = map[string]Value{}
	}
	maps.Copy(j.Env, w.envMap(w.get(n, "env")))
	matrix := w.matrix(j, w.get(w.get(n, "strategy"), "matrix"))
	if ro := w.get(n, "runs-on"); ro != nil {
		j.Runner = w.value(ro)
		j.Hosted = w.hosted(ro, matrix)
	}
	shell, dir := w.shell, w.dir
	if d := w.get(n, "defaults"); d != nil {
		s, wd := w.runDefaults(d)
		if s.IsSet() {
			shell = s
		}
		if wd.IsSet() {
			dir = wd
		}
	}
	steps := w.get(n, "steps")
	if steps == nil || isNull(steps) {
		return
	}
	if steps.Kind != yaml.SequenceNode {
		w.l.errorf(w.f, w.pos(steps), "steps: of job %q is a list, not %s", key.Value, kindName(steps))
		return
	}
	js := &jobState{w: w, job: j, shell: shell, dir: dir, builder: &Builder{Driver: "docker", Default: true},
		ids: map[string]*Builder{}, names: map[string]*Builder{}, matrix: matrix}
	for i, sn := range steps.Content {
		if m := deref(sn); m.Kind != yaml.MappingNode {
			w.l.errorf(w.f, w.pos(sn), "step %d of job %q is a mapping (uses: or run: ...), not %s", i+1, key.Value, kindName(m))
			continue
		}
		js.step(i, sn)
	}
}

// matrix records the axes of a job's matrix (the keys but include and
// exclude, and the keys of the include entries) and returns the values
// written for each axis. An axis that has one literal value in every
// entry (architectures: [linux/amd64]) is not recorded: it does not tell
// the entries apart.
func (w *wfParser) matrix(j *Job, n *yaml.Node) map[string][]*yaml.Node {
	vals := w.matrixValues(j, n)
	j.Matrix = slices.DeleteFunc(j.Matrix, func(axis string) bool {
		return w.constantAxis(n, axis)
	})
	return vals
}

// constantAxis reports whether a matrix axis has the same literal value
// in every entry: a list of one value that the include entries do not
// change, or, in a matrix made of include entries only, the same value
// in each of them.
func (w *wfParser) constantAxis(n *yaml.Node, axis string) bool {
	value := ""
	set := false
	same := func(v *yaml.Node) bool {
		if v = deref(v); v == nil || v.Kind != yaml.ScalarNode || hasExpr(v.Value) || set && v.Value != value {
			return false
		}
		value, set = v.Value, true
		return true
	}
	base, isBase := false, false
	var include *yaml.Node
	for _, p := range w.pairs(n) {
		switch p.k.Value {
		case "exclude":
		case "include":
			include = deref(p.v)
		default:
			base = true
			if p.k.Value != axis {
				continue
			}
			isBase = true
			v := deref(p.v)
			if v.Kind != yaml.SequenceNode || len(v.Content) != 1 || !same(v.Content[0]) {
				return false
			}
		}
	}
	if include == nil {
		return set
	}
	if include.Kind != yaml.SequenceNode || base && !isBase {
		// Include entries add a key of their own to some entries only.
		return false
	}
	for _, e := range include.Content {
		found := false
		for _, ep := range w.pairs(e) {
			if ep.k.Value == axis {
				found = true
				if !same(ep.v) {
					return false
				}
			}
		}
		if !found && !isBase {
			return false // this entry has no value for the axis
		}
	}
	return set
}

// matrixValues records the axes of a job's matrix and returns the values
// written for each axis.
func (w *wfParser) matrixValues(j *Job, n *yaml.Node) map[string][]*yaml.Node {
	vals := map[string][]*yaml.Node{}
	if n == nil || n.Kind != yaml.MappingNode {
		return vals
	}
	addAxis := func(name string) {
		if !slices.Contains(j.Matrix, name) {
			j.Matrix = append(j.Matrix, name)
		}
	}
	for _, p := range w.pairs(n) {
		switch p.k.Value {
		case "exclude":
		case "include":
			inc := deref(p.v)
			if inc.Kind != yaml.SequenceNode {
				continue
			}
			for _, e := range inc.Content {
				for _, ep := range w.pairs(e) {
					addAxis(ep.k.Value)
					vals[ep.k.Value] = append(vals[ep.k.Value], deref(ep.v))
				}
			}
		default:
			addAxis(p.k.Value)
			if v := deref(p.v); v.Kind == yaml.SequenceNode {
				for _, c := range v.Content {
					vals[p.k.Value] = append(vals[p.k.Value], deref(c))
				}
			} else {
				vals[p.k.Value] = append(vals[p.k.Value], v) // an expression
			}
		}
	}
	return vals
}

// matrixRef matches an expression that is a matrix value and nothing else.
var matrixRef = regexp.MustCompile(`^\$\{\{\s*matrix\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}$`)

// hosted reports whether runs-on names GitHub-hosted runners only: a
// label (or list of labels) of GitHub's images, or a matrix value each of
// whose values is one.
func (w *wfParser) hosted(n *yaml.Node, matrix map[string][]*yaml.Node) bool {
	n = deref(n)
	switch n.Kind {
	case yaml.ScalarNode:
		if m := matrixRef.FindStringSubmatch(strings.TrimSpace(n.Value)); m != nil {
			vs := matrix[m[1]]
			if len(vs) == 0 {
				return false
			}
			for _, v := range vs {
				if v == nil || v.Kind == yaml.ScalarNode && hasExpr(v.Value) || !w.hosted(v, nil) {
					return false
				}
			}
			return true
		}
		return isHostedLabel(n.Value)
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			return false
		}
		for _, c := range n.Content {
			if c = deref(c); c.Kind != yaml.ScalarNode || !isHostedLabel(c.Value) {
				return false
			}
		}
		return true
	}
	return false // a runner group, labels by mapping: unknown
}

// isHostedLabel reports whether a runs-on label names a GitHub-hosted
// runner image (ubuntu-latest, windows-2022, macos-14, ubuntu-24.04-arm,
// larger runners named after them).
func isHostedLabel(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(s, "ubuntu-") || strings.HasPrefix(s, "windows-") || strings.HasPrefix(s, "macos-")
}

// ---- steps

// jobState follows a job's steps in order: the builder later steps use.
type jobState struct {
	w          *wfParser
	job        *Job
	shell, dir Value // defaults.run
	builder    *Builder
	containerd bool                    // the Docker daemon set up uses the containerd image store
	ids        map[string]*Builder     // setup-buildx steps by id
	names      map[string]*Builder     // and by the name: input
	matrix     map[string][]*yaml.Node // the values written for each matrix axis
}

// The actions a workflow's builds depend on.
const (
	actionBuildPush   = "docker/build-push-action"
	actionBake        = "docker/bake-action"
	actionSetupBuildx = "docker/setup-buildx-action"
	actionSetupDocker = "docker/setup-docker-action"
	actionOldBuildx   = "crazy-max/ghaction-docker-buildx" // setup-buildx-action's predecessor
)

// step reads one step and what it builds or sets up. A step written as
// an alias (- *build) is where the alias is; its inputs are where the
// anchored step writes them.
func (js *jobState) step(i int, n *yaml.Node) {
	w := js.w
	st := &Step{Index: i, Pos: w.pos(n), End: w.f.Pos(w.nodeEnd(n))}
	n = deref(n)
	var id, shell, dir Value
	var run *yaml.Node
	for _, p := range w.pairs(n) {
		v := deref(p.v)
		switch p.k.Value {
		case "name":
			if v.Kind == yaml.ScalarNode {
				st.Name = v.Value
			}
		case "id":
			id = w.value(v)
		case "uses":
			if v.Kind == yaml.ScalarNode {
				st.Uses, st.Version = splitUses(v.Value)
			}
		case "run":
			if v.Kind == yaml.ScalarNode {
				run = v
				st.Run = w.value(v)
			}
		case "with":
			st.With = map[string]Value{}
			if v.Kind == yaml.MappingNode {
				for _, wp := range w.pairs(v) {
					st.With[wp.k.Value] = w.value(wp.v)
				}
			} else if !isNull(v) {
				w.l.errorf(w.f, w.pos(v), "with: is a mapping of inputs, not %s", kindName(v))
			}
		case "env":
			st.Env = w.envMap(v)
		case "shell":
			shell = w.value(v)
		case "working-directory":
			dir = w.value(v)
		}
	}
	js.job.Steps = append(js.job.Steps, st)

	env := maps.Clone(js.job.Env)
	maps.Copy(env, st.Env)
	switch strings.ToLower(st.Uses) {
	case actionSetupBuildx, actionOldBuildx:
		js.setupBuildx(st, id)
	case actionSetupDocker:
		if containerdSnapshotter.MatchString(input(st, "daemon-config").Text) {
			js.containerd = true
			if js.builder.Default {
				js.builder = &Builder{Driver: "docker", Default: true, ContainerdStore: true}
			}
		}
	case actionBuildPush:
		js.buildPush(st, env)
	case actionBake:
		js.bake(st, env)
	}
	if run != nil && st.Uses == "" {
		if !shell.IsSet() {
			shell = js.shell
		}
		if !dir.IsSet() {
			dir = js.dir
		}
		if !isShell(shell) {
			return
		}
		sc := &shellContext{Job: js.job, Step: st, Env: env, Builder: js.builder, Dir: workDir(expanded(dir, env))}
		script := w.scalar(run)
		w.l.scanScript(w.f, run.Value, script.segs, sc)
		if sc.Builder != nil {
			js.builder = sc.Builder // a script may switch builders for the steps after it
		}
	}
}

// containerdSnapshotter matches a Docker daemon configuration that turns
// the containerd image store on.
var containerdSnapshotter = regexp.MustCompile(`"containerd-snapshotter"\s*:\s*true`)

// splitUses splits uses: into the action and its version (after the last
// @); a docker:// image or a local action has no version.
func splitUses(s string) (action, version string) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "docker://") || strings.HasPrefix(s, "./") {
		return s, ""
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// isShell reports whether a step's shell is one the script scanner reads:
// bash or sh (also as a custom command, bash -e {0}); an expression is
// taken as one.
func isShell(v Value) bool {
	t := strings.TrimSpace(v.Text)
	if t == "" || v.Dynamic {
		return true
	}
	base := path.Base(strings.Fields(t)[0])
	return base == "bash" || base == "sh"
}

// workDir is a working-directory as a directory of the repository ("" for
// its root, and when it is unknown or outside it).
func workDir(v Value) string {
	t := strings.TrimSpace(v.Text)
	for _, p := range []string{"$GITHUB_WORKSPACE", "${GITHUB_WORKSPACE}"} {
		if rest, ok := strings.CutPrefix(t, p); ok {
			t = "." + rest
		}
	}
	if t == "" || hasExpr(t) || strings.Contains(t, "$") || path.IsAbs(t) {
		return ""
	}
	t = path.Clean(t)
	if t == "." || t == ".." || strings.HasPrefix(t, "../") {
		return ""
	}
	return t
}

// input returns an action input by name (inputs are case-insensitive).
func input(st *Step, name string) Value {
	if v, ok := st.With[name]; ok {
		return v
	}
	for k, v := range st.With {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return Value{}
}

// boolInput reports whether a boolean input is on: true, or an
// expression (which may be).
func boolInput(v Value) bool {
	t := strings.TrimSpace(v.Text)
	return strings.EqualFold(t, "true") || v.Dynamic
}

// setupBuildx records the builder a docker/setup-buildx-action step
// creates; it is the one the later steps use unless use: is false.
func (js *jobState) setupBuildx(st *Step, id Value) {
	b := &Builder{Driver: "docker-container", Pos: st.Pos}
	if d := input(st, "driver"); strings.TrimSpace(d.Text) != "" {
		b.Driver = strings.TrimSpace(d.Text)
		if d.Dynamic {
			b.Driver = ""
		}
	}
	for _, o := range js.w.l.splitList(input(st, "driver-opts"), false) {
		if img, ok := strings.CutPrefix(strings.TrimSpace(o.Text), "image="); ok {
			b.Image = img
		}
	}
	if input(st, "endpoint").Text != "" || b.Driver == "remote" || b.Driver == "cloud" {
		b.KeepState = true
	}
	if b.Driver == "docker" {
		b.ContainerdStore = js.containerd
	}
	if id.Text != "" {
		js.ids[id.Text] = b
	}
	if name := input(st, "name"); name.Text != "" && !name.Dynamic {
		js.names[name.Text] = b
	}
	if use := strings.TrimSpace(input(st, "use").Text); !strings.EqualFold(use, "false") {
		js.builder = b
	}
}

// stepOutputName matches ${{ steps.<id>.outputs.name }}, the name of the
// builder a setup-buildx-action step created.
var stepOutputName = regexp.MustCompile(`^\$\{\{\s*steps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.name\s*\}\}$`)

// builderFor is the builder an action step builds on: the current one, or
// the one its builder: input names.
func (js *jobState) builderFor(st *Step) *Builder {
	v := input(st, "builder")
	t := strings.TrimSpace(v.Text)
	switch t {
	case "":
		return js.builder
	case "default":
		return &Builder{Driver: "docker", Pos: v.Pos, ContainerdStore: js.containerd}
	}
	if m := stepOutputName.FindStringSubmatch(t); m != nil {
		if b, ok := js.ids[m[1]]; ok {
			return b
		}
	}
	if b, ok := js.names[t]; ok {
		return b
	}
	return &Builder{Pos: v.Pos} // another builder, whose driver is not known here
}

// buildPush records the build of a docker/build-push-action step.
func (js *jobState) buildPush(st *Step, env map[string]Value) {
	l := js.w.l
	name := st.Name
	if name == "" {
		name = "build-push-action"
	}
	b := &Build{Kind: BuildPushAction, File: js.w.f, Pos: st.Pos, End: st.End, Name: name, Job: js.job, Step: st,
		Builder: js.builderFor(st), Env: env}
	// Without context: the action builds the Git context of the commit,
	// which is the repository: linked as ".", Context left unset.
	if v := trimValue(input(st, "context")); v.Text != "" {
		b.Context = v
	}
	if v := trimValue(input(st, "file")); v.Text != "" {
		b.Dockerfile = v
	}
	if v := trimValue(input(st, "target")); v.Text != "" {
		b.Target = v
	}
	b.Tags = l.splitList(input(st, "tags"), true)
	b.Push = boolInput(input(st, "push"))
	b.Load = boolInput(input(st, "load"))
	b.Outputs = l.splitList(input(st, "outputs"), false)
	for _, o := range b.Outputs {
		if pushesImage(o) {
			b.Push = true
		}
	}
	b.Platforms = l.splitList(input(st, "platforms"), true)
	for _, v := range l.splitList(input(st, "cache-from"), false) {
		b.CacheFrom = append(b.CacheFrom, parseCacheSpec(v))
	}
	for _, v := range l.splitList(input(st, "cache-to"), false) {
		b.CacheTo = append(b.CacheTo, parseCacheSpec(v))
	}
	if v := input(st, "no-cache"); boolInput(v) {
		b.NoCache = trimValue(v)
	}
	b.NoCacheFilters = l.splitList(input(st, "no-cache-filters"), true)
	for _, v := range l.splitList(input(st, "build-args"), false) {
		b.BuildArgs = append(b.BuildArgs, parseBuildArg(v, hasExpr))
	}
	b.Secrets = append(b.Secrets, l.splitList(input(st, "secrets"), false)...)
	b.Secrets = append(b.Secrets, l.splitList(input(st, "secret-files"), false)...)
	b.Secrets = append(b.Secrets, l.splitList(input(st, "secret-envs"), true)...)
	if v := trimValue(input(st, "provenance")); v.Text != "" {
		b.Provenance = v
	}
	l.add(b)
}

// pushesImage reports whether an output pushes the image (type=registry,
// or type=image with push=true).
func pushesImage(o Value) bool {
	typ, push := "", false
	for _, kv := range splitCSV(o) {
		k, v, _ := strings.Cut(kv.Text, "=")
		switch strings.TrimSpace(k) {
		case "type":
			typ = strings.TrimSpace(v)
		case "push":
			push = strings.TrimSpace(v) == "true"
		}
	}
	return typ == "registry" || typ == "image" && push
}

// bake hands a docker/bake-action step to the bake resolver.
func (js *jobState) bake(st *Step, env map[string]Value) {
	l := js.w.l
	inv := &bakeInvocation{Kind: BakeAction, File: js.w.f, Pos: st.Pos, End: st.End, Job: js.job, Step: st,
		Builder: js.builderFor(st), Env: env,
		Files:   l.splitList(input(st, "files"), true),
		Targets: js.matrixTargets(l.splitList(input(st, "targets"), true)),
		Set:     l.splitList(input(st, "set"), false),
		Push:    boolInput(input(st, "push")),
		Load:    boolInput(input(st, "load")),
		Dir:     bakeDir(expanded(input(st, "workdir"), env), expanded(input(st, "source"), env)),
	}
	if v := input(st, "no-cache"); boolInput(v) {
		inv.NoCache = trimValue(v)
	}
	if onBakeInvocation != nil {
		onBakeInvocation(inv)
	}
	if bakeSourceElsewhere(expanded(input(st, "source"), env)) {
		// The bake files and Dockerfiles are those of another
		// repository, or of a place known only at run time.
		return
	}
	before := len(l.repo.Builds)
	for _, b := range l.bakeBuilds(inv) {
		if !slices.Contains(l.repo.Builds[before:], b) {
			l.add(b)
		}
	}
}

// matrixTargets replaces a target written as a matrix value alone
// (${{ matrix.target }}) by the values the matrix gives it, when they are
// all written out: the entries build each of them.
func (js *jobState) matrixTargets(targets []Value) []Value {
	var out []Value
	for _, t := range targets {
		m := matrixRef.FindStringSubmatch(strings.TrimSpace(t.Text))
		if m == nil || !literalValues(js.matrix[m[1]]) {
			out = append(out, t)
			continue
		}
		for _, v := range js.matrix[m[1]] {
			if !slices.ContainsFunc(out, func(o Value) bool { return o.Text == v.Value && !o.Dynamic }) {
				out = append(out, Value{Text: v.Value, Pos: t.Pos, End: t.End})
			}
		}
	}
	return out
}

// literalValues reports whether matrix values are all written out as
// plain scalars.
func literalValues(vs []*yaml.Node) bool {
	if len(vs) == 0 {
		return false
	}
	for _, v := range vs {
		if v == nil || v.Kind != yaml.ScalarNode || v.Value == "" || hasExpr(v.Value) {
			return false
		}
	}
	return true
}

// onBakeInvocation, when set (by tests), sees each bake-action invocation
// before the bake resolver does.
var onBakeInvocation func(*bakeInvocation)

// expanded is a value with the variables expandPath answers replaced,
// when it answers them all.
func expanded(v Value, env map[string]Value) Value {
	if t, ok := expandPath(v.Text, env); ok && v.Dynamic {
		v.Text, v.Dynamic = t, false
	}
	return v
}

// bakeSourceElsewhere reports whether bake-action's source is not this
// repository: a Git or HTTP URL, or an expression or variable whose
// value is not known here (${{ matrix.source }}).
func bakeSourceElsewhere(source Value) bool {
	s := strings.TrimSpace(source.Text)
	if _, ok := thisRepoSource(s); ok || s == "" || strings.HasPrefix(s, "{{defaultContext}}") {
		return false
	}
	return source.Dynamic || isRemote(s) || strings.Contains(s, "$")
}

// thisRepoURL matches a Git URL of the workflow's own repository, at any
// ref: ${{ github.server_url }}/${{ github.repository }}.git#v1.2:subdir.
var thisRepoURL = regexp.MustCompile(`^\$\{\{\s*github\.server_url\s*\}\}/\$\{\{\s*github\.repository\s*\}\}(?:\.git)?(?:#[^:]*)?(?::(.*))?$`)

// thisRepoSource reports whether a bake-action source is the workflow's
// own repository at some ref, and the subdirectory it names.
func thisRepoSource(s string) (string, bool) {
	m := thisRepoURL.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// bakeDir is the directory of the repository bake-action reads its files
// from: its source when that is a directory of the repository, under its
// workdir, else the workdir ("." for the root). A source of the form
// "{{defaultContext}}:subdir" is the repository's subdirectory subdir.
func bakeDir(workdir, source Value) string {
	dir := workDir(workdir)
	if dir == "" {
		dir = "."
	}
	s := strings.TrimSpace(source.Text)
	if sub, ok := strings.CutPrefix(s, "{{defaultContext}}:"); ok {
		s = sub
	} else if sub, ok := thisRepoSource(s); ok {
		s, source.Dynamic = sub, false
	}
	if s == "" || source.Dynamic || isRemote(s) || strings.Contains(s, "{{") || strings.Contains(s, "$") || path.IsAbs(s) {
		return dir
	}
	r := path.Clean(path.Join(dir, s))
	if r == ".." || strings.HasPrefix(r, "../") {
		return dir
	}
	return r
}
