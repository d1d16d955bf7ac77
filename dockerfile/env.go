package dockerfile

import (
	"slices"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// Env is the set of build-time variables (ARG and ENV) in effect at an
// instruction. An Env is never changed once an instruction refers to it.
//
// Each instruction has its own Env, and a file may declare thousands of
// variables: copying the variables for each declaration would take memory
// and time quadratic in their number. So Envs share a store that keeps
// every value a variable has had, each numbered in order, and an Env sees
// the values numbered up to its own. A declaration on the newest Env of a
// store adds to it; one on an older Env (a stage built FROM an earlier
// stage that another stage continued too) starts a new store on top of it.
type Env struct {
	store *envStore
	seq   int // the values numbered up to seq are visible
}

type envStore struct {
	parent *Env // what the store starts from; nil for nothing
	vars   map[string][]version
	seq    int // the number of the newest value
}

type version struct {
	seq int
	v   Var
}

// Var is one variable. Known is false for an ARG declared without a default:
// its value comes from the build invocation and is unknown here.
type Var struct {
	Value string
	Known bool
	Arg   bool // declared by ARG rather than ENV
	Line  int  // line of the declaring instruction
}

// Lookup returns the variable and whether it is declared.
func (e *Env) Lookup(name string) (Var, bool) {
	for e != nil {
		vs := e.store.vars[name]
		// The last value numbered up to e.seq.
		i := sort.Search(len(vs), func(i int) bool { return vs[i].seq > e.seq })
		if i > 0 {
			return vs[i-1].v, true
		}
		e = e.store.parent
	}
	return Var{}, false
}

// Get returns a variable's value when it is declared and known. It makes Env
// a shell.EnvGetter for BuildKit's word expansion.
func (e *Env) Get(name string) (string, bool) {
	v, ok := e.Lookup(name)
	return v.Value, ok && v.Known
}

// Keys lists the declared variables with known values, sorted.
func (e *Env) Keys() []string {
	seen := map[string]bool{}
	var keys []string
	for s := e; s != nil; s = s.store.parent {
		for name := range s.store.vars {
			if seen[name] {
				continue
			}
			if v, ok := e.Lookup(name); ok {
				seen[name] = true
				if v.Known {
					keys = append(keys, name)
				}
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// with returns e with name set to v.
func (e *Env) with(name string, v Var) *Env {
	st := (*envStore)(nil)
	if e != nil && e.seq == e.store.seq {
		st = e.store // e is the newest: add to its store
	} else {
		st = &envStore{parent: e, vars: map[string][]version{}}
	}
	st.seq++
	st.vars[name] = append(st.vars[name], version{st.seq, v})
	return &Env{store: st, seq: st.seq}
}

// expand expands variables in word. ok is false when the word refers to a
// variable whose value is not known here, or cannot be expanded.
func expand(lex *shell.Lex, word string, env *Env) (string, bool) {
	if !needsLex(word) {
		return word, true
	}
	res, err := lex.ProcessWordWithMatches(word, env)
	if err != nil {
		return word, false
	}
	return res.Result, len(res.Unmatched) == 0
}

// needsLex reports whether word has anything BuildKit's lexer would change:
// variables, quotes or escapes.
func needsLex(word string) bool {
	return strings.ContainsAny(word, "$'\"\\`")
}
