package config

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"

	"github.com/cachelint/cachelint/rules"
)

// File is a parsed configuration file.
type File struct {
	Path string // as read (absolute when found by the walk)
	Dir  string // its directory: per-path globs are relative to it
	Selection
	FailLevel    rules.Severity
	HasFailLevel bool
	PerPath      []PerPath
	Tools        []rules.ExtraTool
}

// PerPath is an entry of per-path: a selection for the files its globs
// match.
type PerPath struct {
	Paths []string // doublestar globs relative to the file's directory
	Line  int
	Selection
}

// Error is a mistake in a configuration file, at a line and column, under
// a key (dotted for nested keys: per-path.ignore, tools.cache-dirs).
type Error struct {
	File      string
	Line, Col int
	Key       string
	Msg       string
}

func (e *Error) Error() string {
	pos := e.File
	if e.Line > 0 {
		pos += ":" + strconv.Itoa(e.Line)
		if e.Col > 0 {
			pos += ":" + strconv.Itoa(e.Col)
		}
	}
	if e.Key == "" {
		return pos + ": " + e.Msg
	}
	return pos + ": " + e.Key + ": " + e.Msg
}

// topKeys and the keys of nested mappings, in the order messages list them.
var (
	topKeys     = []string{"select", "extend-select", "ignore", "severity", "fail-level", "per-path", "tools"}
	perPathKeys = []string{"paths", "select", "extend-select", "ignore", "severity"}
	toolKeys    = []string{"name", "command", "cache-dirs"}
)

type parser struct {
	file string
	errs []*Error
}

func (p *parser) errorf(n *yaml.Node, key, format string, a ...any) {
	e := &Error{File: p.file, Key: key, Msg: fmt.Sprintf(format, a...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse reads a configuration file's content; name is the file's path
// as messages show it. The error joins an *Error for each mistake.
func Parse(name string, data []byte) (*File, error) {
	p := &parser{file: name}
	f := &File{Path: name, Dir: filepath.Dir(name)}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		e := &Error{File: name, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Msg = m[2]
		}
		return nil, e
	}
	if len(doc.Content) == 0 {
		return f, nil // empty file: the defaults
	}
	root := deref(doc.Content[0])
	if isNull(root) {
		return f, nil
	}
	if root.Kind != yaml.MappingNode {
		p.errorf(root, "", "want a mapping of keys (%s)", strings.Join(topKeys, ", "))
		return nil, p.err()
	}
	p.mapping(root, "", topKeys, func(key string, v *yaml.Node) {
		switch key {
		case "select", "extend-select", "ignore", "severity":
			p.selection(&f.Selection, key, "", v)
		case "fail-level":
			if lv, ok := p.severity(v, key); ok {
				f.FailLevel, f.HasFailLevel = lv, true
			}
		case "per-path":
			p.perPath(f, v)
		case "tools":
			p.tools(f, v)
		}
	})
	if len(p.errs) > 0 {
		return nil, p.err()
	}
	return f, nil
}

// err joins the errors, sorted by position.
func (p *parser) err() error {
	slices.SortStableFunc(p.errs, func(x, y *Error) int {
		return cmp.Or(cmp.Compare(x.Line, y.Line), cmp.Compare(x.Col, y.Col))
	})
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// mapping calls fn for each key of a mapping node, reporting unknown and
// repeated keys; prefix names the enclosing key for messages. A key whose
// value is null is left out, as if it were not there.
func (p *parser) mapping(n *yaml.Node, prefix string, known []string, fn func(key string, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		name := prefix + k.Value
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, prefix+"?", "a key must be a plain word")
			continue
		}
		if !contains(known, k.Value) {
			msg := fmt.Sprintf("unknown key (want %s)", strings.Join(known, ", "))
			if alt := strings.ReplaceAll(strings.ToLower(k.Value), "_", "-"); alt != k.Value && contains(known, alt) {
				msg = fmt.Sprintf("unknown key: did you mean %s?", alt)
			}
			p.errorf(k, name, "%s", msg)
			continue
		}
		if line, dup := seen[k.Value]; dup {
			p.errorf(k, name, "given twice (first on line %d)", line)
			continue
		}
		seen[k.Value] = k.Line
		if isNull(v) {
			continue
		}
		fn(k.Value, v)
	}
}

// selection reads one of select, extend-select, ignore and severity into s.
func (p *parser) selection(s *Selection, key, prefix string, v *yaml.Node) {
	name := prefix + key
	switch key {
	case "select":
		s.Select, s.HasSelect = p.selectors(v, name), true
	case "extend-select":
		s.ExtendSelect = p.selectors(v, name)
	case "ignore":
		s.Ignore = p.selectors(v, name)
	case "severity":
		if v.Kind != yaml.MappingNode {
			p.errorf(v, name, "want a mapping of rules to severities, e.g. {CL003: warning, CL017: off}")
			return
		}
		seen := map[string]int{}
		for i := 0; i+1 < len(v.Content); i += 2 {
			sk, sv := deref(v.Content[i]), deref(v.Content[i+1])
			if sk.Kind != yaml.ScalarNode {
				p.errorf(sk, name, "a key must be a rule code, name, prefix or tag")
				continue
			}
			sel, err := ParseSelector(sk.Value)
			if err != nil {
				p.errorf(sk, name, "%v", err)
				continue
			}
			if line, dup := seen[strings.ToLower(sel.Text)]; dup {
				p.errorf(sk, name+"."+sk.Value, "given twice (first on line %d)", line)
				continue
			}
			seen[strings.ToLower(sel.Text)] = sk.Line
			lv, ok := p.severity(sv, name+"."+sk.Value)
			if !ok {
				continue
			}
			s.Severity = append(s.Severity, SeverityEntry{Selector: sel, Level: lv, Line: sk.Line})
		}
	}
}

// severity reads a severity: error, warning, info or off (none).
func (p *parser) severity(v *yaml.Node, key string) (rules.Severity, bool) {
	if v.Kind != yaml.ScalarNode || isNull(v) {
		p.errorf(v, key, "want error, warning, info or off")
		return rules.SeverityNone, false
	}
	lv, err := rules.ParseSeverity(v.Value)
	if err != nil {
		p.errorf(v, key, "unknown severity %q (want error, warning, info or off)", v.Value)
		return rules.SeverityNone, false
	}
	return lv, true
}

// stringList reads a list of strings.
func (p *parser) stringList(v *yaml.Node, key, example string) ([]string, bool) {
	if v.Kind != yaml.SequenceNode {
		p.errorf(v, key, "want a list, e.g. %s", example)
		return nil, false
	}
	out := make([]string, 0, len(v.Content))
	ok := true
	for _, item := range v.Content {
		item = deref(item)
		if item.Kind != yaml.ScalarNode || isNull(item) {
			p.errorf(item, key, "want a string in the list")
			ok = false
			continue
		}
		out = append(out, item.Value)
	}
	if !ok {
		return nil, false
	}
	return out, true
}

// selectors reads a list of rule selectors.
func (p *parser) selectors(v *yaml.Node, key string) []Selector {
	if v.Kind != yaml.SequenceNode {
		p.errorf(v, key, "want a list of rule codes, names, prefixes or tags, e.g. [CL001, cache]")
		return nil
	}
	out := []Selector{}
	for _, item := range v.Content {
		item = deref(item)
		if item.Kind != yaml.ScalarNode || isNull(item) {
			p.errorf(item, key, "want a rule code, name, prefix or tag")
			continue
		}
		s, err := ParseSelector(item.Value)
		if err != nil {
			p.errorf(item, key, "%v", err)
			continue
		}
		out = append(out, s)
	}
	return out
}

func (p *parser) perPath(f *File, v *yaml.Node) {
	if v.Kind != yaml.SequenceNode {
		p.errorf(v, "per-path", "want a list of entries, each with paths and what changes for them")
		return
	}
	for _, item := range v.Content {
		item = deref(item)
		if item.Kind != yaml.MappingNode {
			p.errorf(item, "per-path", "want an entry with paths (%s)", strings.Join(perPathKeys, ", "))
			continue
		}
		e := PerPath{Line: item.Line}
		hasPaths := false
		p.mapping(item, "per-path.", perPathKeys, func(key string, v *yaml.Node) {
			if key != "paths" {
				p.selection(&e.Selection, key, "per-path.", v)
				return
			}
			hasPaths = true
			globs, ok := p.stringList(v, "per-path.paths", `["examples/**"]`)
			if ok && len(globs) == 0 {
				p.errorf(v, "per-path.paths", "empty list: an entry needs at least one glob")
			}
			for i, g := range globs {
				n := deref(v.Content[i])
				switch clean := strings.TrimPrefix(g, "./"); {
				case clean == "":
					p.errorf(n, "per-path.paths", "empty glob")
				case strings.HasPrefix(clean, "/"):
					p.errorf(n, "per-path.paths", "%q is absolute: globs are relative to the configuration file's directory", g)
				case !doublestar.ValidatePattern(clean):
					p.errorf(n, "per-path.paths", "%q is not a valid glob", g)
				default:
					e.Paths = append(e.Paths, clean)
				}
			}
		})
		if !hasPaths {
			p.errorf(item, "per-path", "entry has no paths")
		}
		f.PerPath = append(f.PerPath, e)
	}
}

func (p *parser) tools(f *File, v *yaml.Node) {
	if v.Kind != yaml.SequenceNode {
		p.errorf(v, "tools", "want a list of tools, each with name, command and cache-dirs")
		return
	}
	for _, item := range v.Content {
		item = deref(item)
		if item.Kind != yaml.MappingNode {
			p.errorf(item, "tools", "want a tool with %s", strings.Join(toolKeys, ", "))
			continue
		}
		var t rules.ExtraTool
		has := map[string]bool{}
		before := len(p.errs)
		p.mapping(item, "tools.", toolKeys, func(key string, v *yaml.Node) {
			has[key] = true
			switch key {
			case "name":
				if v.Kind != yaml.ScalarNode || strings.TrimSpace(v.Value) == "" {
					p.errorf(v, "tools.name", "want the tool's name")
					return
				}
				t.Name = v.Value
			case "command":
				var ok bool
				if t.Command, ok = p.stringList(v, "tools.command", `["./scripts/install-deps"]`); !ok {
					return
				}
				for i, a := range t.Command {
					if a == "" {
						p.errorf(deref(v.Content[i]), "tools.command", "empty argument")
					}
				}
				if len(t.Command) == 0 {
					p.errorf(v, "tools.command", "empty list: want the program and any arguments that follow it")
				}
			case "cache-dirs":
				dirs, ok := p.stringList(v, "tools.cache-dirs", `["/root/.cache/my-installer"]`)
				if !ok {
					return
				}
				for i, d := range dirs {
					if err := rules.CheckExtraTool(rules.ExtraTool{Name: "x", Command: []string{"x"}, CacheDirs: []string{d}}); err != nil {
						p.errorf(deref(v.Content[i]), "tools.cache-dirs", "%q is neither absolute nor under ~/", d)
						continue
					}
					t.CacheDirs = append(t.CacheDirs, d)
				}
				if len(dirs) == 0 {
					p.errorf(v, "tools.cache-dirs", "empty list: want the directories the tool keeps its cache in")
				}
			}
		})
		for _, k := range toolKeys {
			if !has[k] {
				p.errorf(item, "tools", "tool has no %s", k)
			}
		}
		if len(p.errs) == before {
			f.Tools = append(f.Tools, t)
		}
	}
}

// deref follows YAML aliases (*anchor) to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
