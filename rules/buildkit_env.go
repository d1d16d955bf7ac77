package rules

import (
	"maps"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// bkEnv is a set of variables as BuildKit keeps them in a build state:
// values by name, and the names in the order each was last set, the order
// in which BuildKit looks for a "did you mean" name. It is a
// shell.EnvGetter for BuildKit's lexer.
type bkEnv struct {
	vars map[string]bkVar
	n    int // values set so far
}

type bkVar struct {
	value string
	seq   int // when it was last set
}

func newBKEnv() *bkEnv { return &bkEnv{vars: map[string]bkVar{}} }

// Get returns a variable's value.
func (e *bkEnv) Get(name string) (string, bool) {
	v, ok := e.vars[name]
	return v.value, ok
}

// Keys returns the names, the earliest set first.
func (e *bkEnv) Keys() []string {
	keys := slices.Collect(maps.Keys(e.vars))
	slices.SortFunc(keys, func(a, b string) int { return e.vars[a].seq - e.vars[b].seq })
	return keys
}

func (e *bkEnv) set(name, value string) {
	e.n++
	e.vars[name] = bkVar{value, e.n}
}

func (e *bkEnv) clone() *bkEnv {
	return &bkEnv{vars: maps.Clone(e.vars), n: e.n}
}

// platformArgs are the ARGs BuildKit defines in the global scope: the
// build and target platforms (the same here) and the target stage, the
// last one.
func platformArgs(p ocispecs.Platform, target string) *bkEnv {
	if target == "" {
		target = "default"
	}
	e := &bkEnv{vars: make(map[string]bkVar, 16)}
	for _, kv := range [...][2]string{
		{"BUILDPLATFORM", platforms.Format(p)},
		{"BUILDOS", p.OS},
		{"BUILDOSVERSION", p.OSVersion},
		{"BUILDARCH", p.Architecture},
		{"BUILDVARIANT", p.Variant},
		{"TARGETPLATFORM", platforms.FormatAll(p)},
		{"TARGETOS", p.OS},
		{"TARGETOSVERSION", p.OSVersion},
		{"TARGETARCH", p.Architecture},
		{"TARGETVARIANT", p.Variant},
		{"TARGETSTAGE", target},
	} {
		e.set(kv[0], kv[1])
	}
	return e
}

// nonEnvArgs are the ARGs BuildKit does not put in the environment.
var nonEnvArgs = map[string]bool{"BUILDKIT_SBOM_SCAN_CONTEXT": true, "BUILDKIT_SBOM_SCAN_STAGE": true}

// processWord is BuildKit's lexer on a word, without it when the word has
// nothing the lexer would change (variables, quotes, escapes).
func (cv *conversion) processWord(word string, env shell.EnvGetter) (string, map[string]struct{}, error) {
	if !strings.ContainsAny(word, "$'\"\\`") {
		return word, nil, nil
	}
	return cv.lex.ProcessWord(word, env)
}

// processWordWithMatches is processWord with the variables found.
func (cv *conversion) processWordWithMatches(word string, env shell.EnvGetter) (shell.ProcessWordResult, error) {
	if !strings.ContainsAny(word, "$'\"\\`") {
		return shell.ProcessWordResult{Result: word}, nil
	}
	return cv.lex.ProcessWordWithMatches(word, env)
}
