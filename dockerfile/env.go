package dockerfile

import (
	"maps"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// Env is the set of build-time variables (ARG and ENV) in effect at an
// instruction. An Env is never changed once an instruction refers to it.
type Env struct {
	vars map[string]Var
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
	if e == nil {
		return Var{}, false
	}
	v, ok := e.vars[name]
	return v, ok
}

// Get returns a variable's value when it is declared and known. It makes Env
// a shell.EnvGetter for BuildKit's word expansion.
func (e *Env) Get(name string) (string, bool) {
	v, ok := e.Lookup(name)
	return v.Value, ok && v.Known
}

// Keys lists the declared variables with known values, sorted.
func (e *Env) Keys() []string {
	if e == nil {
		return nil
	}
	keys := make([]string, 0, len(e.vars))
	for k, v := range e.vars {
		if v.Known {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// with returns a copy of e with name set to v.
func (e *Env) with(name string, v Var) *Env {
	n := &Env{vars: make(map[string]Var, 1+len(e.varsOrNil()))}
	maps.Copy(n.vars, e.varsOrNil())
	n.vars[name] = v
	return n
}

func (e *Env) varsOrNil() map[string]Var {
	if e == nil {
		return nil
	}
	return e.vars
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
