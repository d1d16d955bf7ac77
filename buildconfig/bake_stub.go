package buildconfig

import "go/token"

// This file stands in for the bake resolver (branch bc-bake, bake.go) so
// that the workflow parser builds and is tested before it is merged.
// DELETE IT when merging bc-bake: bake.go defines both names.

// bakeInvocation is a bake run: by docker/bake-action or docker buildx
// bake.
type bakeInvocation struct {
	Kind       BuildKind
	File       *File
	Pos, End   token.Pos
	Job        *Job
	Step       *Step
	Builder    *Builder
	Env        map[string]Value
	Files      []Value
	Targets    []Value
	Set        []Value
	NoCache    Value
	Push, Load bool
	Dir        string // repo-relative dir the bake files are relative to
}

// bakeBuilds resolves the targets a bake invocation builds; the stand-in
// finds none.
func (l *loader) bakeBuilds(*bakeInvocation) []*Build { return nil }
