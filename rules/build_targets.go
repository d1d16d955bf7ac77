package rules

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/cachelint/cachelint/buildconfig"
	"github.com/cachelint/cachelint/dockerfile"
)

// This file answers, for a build of the build configuration, "does the
// target depend on other stages that run expensive steps?": the question
// behind the rules on cache export modes (CL101 mode=max, CL102 inline
// cache).
//
// A cache exported in min mode (the default, and the only mode of the
// inline cache) holds the layers of the image the build produces: those of
// the target stage and of the stages it is built FROM. A stage the target
// only reads files from (COPY --from, RUN --mount from=), and the stages
// that one is built on, are not in the image and not in the cache. When
// such a side stage runs an expensive step (an OS package or dependency
// install, a compile: classifyCommand), a fresh CI builder runs it again
// whenever the image's own layers do not all match.

// sideWork is an expensive step that a build's target needs but that a
// min-mode cache does not hold.
type sideWork struct {
	File   *dockerfile.File
	Target *dockerfile.Stage // the stage the build builds
	// Via is the instruction of the target's chain (the target and the
	// stages it is built FROM) that reads the side stages: a COPY --from
	// or a RUN --mount from=. Nil when it cannot be told (a --from given
	// by a variable).
	Via  *dockerfile.Instruction
	From *dockerfile.Stage // the stage Via reads from
	// Stage runs Step: From, or a stage From is built on or reads from.
	Stage *dockerfile.Stage
	Step  *dockerfile.Instruction // the first expensive RUN of the side stages, in file order
	Cmd   *dockerfile.Command     // the expensive command of Step
	Steps int                     // how many expensive RUNs the side stages have
}

// targetSideWork reports the expensive steps of the stages a build's
// target depends on without being built FROM them. ok is false when the
// Dockerfile or the target is not known, or when no such stage runs an
// expensive step: single-stage and FROM-linear Dockerfiles, and side
// stages that only copy files or fetch a binary.
//
// With a repository, side stages whose layers the build imports from the
// cache of another build are left out: the per-stage cache pattern, where
// one build pushes target `builder` with its own (inline or registry)
// cache and the final build lists that cache in its cache-from.
func targetSideWork(repo *buildconfig.Repo, b *buildconfig.Build) (sideWork, bool) {
	target := b.Stage()
	if target == nil {
		return sideWork{}, false
	}
	return stageSideWork(b.Stages, target, func(s *dockerfile.Stage) bool { return importsStageCache(repo, b, s) })
}

// stageSideWork is targetSideWork for a stage of a Dockerfile; covered,
// when not nil, says which side stages are cached otherwise.
func stageSideWork(f *dockerfile.File, target *dockerfile.Stage, covered func(*dockerfile.Stage) bool) (sideWork, bool) {
	// The exported chain: the target and the stages it is built FROM.
	exported := map[*dockerfile.Stage]bool{}
	var chain []*dockerfile.Stage
	for s := target; s != nil && !exported[s]; s = s.BaseStage {
		exported[s] = true
		chain = append(chain, s)
	}
	// The side stages the target needs, each with the stage the chain
	// reads that leads to it.
	entry := map[*dockerfile.Stage]*dockerfile.Stage{}
	var queue []*dockerfile.Stage
	reach := func(s, from *dockerfile.Stage) {
		if _, seen := entry[s]; seen || exported[s] {
			return
		}
		entry[s] = from
		queue = append(queue, s)
	}
	for i := len(chain) - 1; i >= 0; i-- { // oldest first: the earliest edge wins
		for _, src := range chain[i].CopiesFrom {
			reach(src, src)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s.BaseStage != nil {
			reach(s.BaseStage, entry[s])
		}
		for _, src := range s.CopiesFrom {
			reach(src, entry[s])
		}
	}
	w := sideWork{File: f, Target: target}
	for _, s := range f.Stages {
		if _, side := entry[s]; !side {
			continue
		}
		if covered != nil && covered(s) {
			continue
		}
		for _, in := range s.Instructions {
			c := expensiveCommand(in)
			if c == nil {
				continue
			}
			w.Steps++
			if w.Step == nil {
				w.Stage, w.Step, w.Cmd, w.From = s, in, c, entry[s]
			}
		}
	}
	if w.Step == nil {
		return sideWork{}, false
	}
	w.Via = readerOf(f, chain, w.From)
	return w, true
}

// importsStageCache reports whether a build imports a cache that holds
// the layers of a stage: the cache another build of the same Dockerfile
// exports, whose target is that stage or is built FROM it.
func importsStageCache(repo *buildconfig.Repo, b *buildconfig.Build, s *dockerfile.Stage) bool {
	if repo == nil || len(b.CacheFrom) == 0 {
		return false
	}
	for _, o := range repo.Builds {
		if o == b || o.Stages != b.Stages {
			continue
		}
		holds := false
		for t := o.Stage(); t != nil && !holds; t = t.BaseStage {
			holds = t == s
		}
		if holds && importsCacheOf(b, o) {
			return true
		}
	}
	return false
}

// importsCacheOf reports whether a build's cache-from may read a cache
// another build exports: the same location, or, for the inline cache,
// one of the images it writes.
func importsCacheOf(b, o *buildconfig.Build) bool {
	var inlineRefs []buildconfig.Value
	if exportsInline(o) {
		inlineRefs = imageRefs(o)
	}
	for _, from := range b.CacheFrom {
		fromRef, isRef := refOf(from)
		for _, r := range inlineRefs {
			if isRef && refsMayMatch(fromRef, r) {
				return true
			}
		}
		for _, to := range o.CacheTo {
			if to.Type == "" || to.Type == "inline" || to.Type != from.Type {
				continue
			}
			if toRef, ok := refOf(to); ok && isRef {
				if refsMayMatch(fromRef, toRef) {
					return true
				}
				continue
			}
			if from.Location() == to.Location() || from.Dynamic || to.Dynamic {
				return true
			}
		}
	}
	return false
}

// expensiveCommand returns the first expensive command of a RUN, nil when
// it has none.
func expensiveCommand(in *dockerfile.Instruction) *dockerfile.Command {
	if in.Run == nil {
		return nil
	}
	for _, c := range in.Run.Commands {
		if classifyCommand(in, c).expensive && !versionCheck(c) {
			return c
		}
	}
	return nil
}

// versionCheck reports whether a command runs an installed program by its
// path with flags alone (/usr/bin/runc --version): a check of what was
// built, not a project script.
func versionCheck(c *dockerfile.Command) bool {
	argv := c.Argv()
	if len(argv) < 2 || !strings.HasPrefix(argv[0], "/") || !strings.HasSuffix(path.Dir(argv[0]), "/bin") {
		return false
	}
	for _, a := range argv[1:] {
		if !strings.HasPrefix(a, "-") && a != "version" {
			return false
		}
	}
	return true
}

// readerOf finds the first instruction of a chain of stages (target
// first) that reads files from stage src.
func readerOf(f *dockerfile.File, chain []*dockerfile.Stage, src *dockerfile.Stage) *dockerfile.Instruction {
	for i := len(chain) - 1; i >= 0; i-- {
		for _, in := range chain[i].Instructions {
			if in.Copy != nil && in.Copy.From != "" && namesStage(f, in.Copy.From, src) {
				return in
			}
			if in.Run == nil {
				continue
			}
			for _, m := range in.Run.Mounts {
				if m.From != "" && namesStage(f, m.From, src) {
					return in
				}
			}
		}
	}
	return nil
}

// namesStage reports whether a --from value names a stage: by its AS name
// or by its index.
func namesStage(f *dockerfile.File, from string, s *dockerfile.Stage) bool {
	if strings.EqualFold(from, s.Name) && s.Name != "" {
		return true
	}
	i, err := strconv.Atoi(from)
	return err == nil && i == s.Index && i < len(f.Stages)
}

// targetText names the target stage for a message: "target `app`", or
// "the last stage" / "stage 2" when it has no name.
func (w sideWork) targetText() string {
	switch {
	case w.Target.Name != "":
		return "target `" + w.Target.Name + "`"
	case w.Target.Index == len(w.File.Stages)-1:
		return "the last stage"
	}
	return fmt.Sprintf("stage %d", w.Target.Index)
}

// stepText is the expensive step in short, "`npm ci` (line 5)", with its
// stage when that is not the one the target reads ("`npm ci` (line 5, in
// stage `deps`)").
func (w sideWork) stepText() string {
	where := fmt.Sprintf("line %d", w.Step.StartLine)
	if w.Stage != w.From {
		where += ", in stage `" + stageName(w.Stage) + "`"
	}
	s := fmt.Sprintf("`%s` (%s)", commandWords(w.Cmd), where)
	if w.Steps > 1 {
		s += fmt.Sprintf(" and %d more expensive step", w.Steps-1)
		if w.Steps > 2 {
			s += "s"
		}
	}
	return s
}

// Describe says in a phrase how the target depends on the side work, for
// a message: "target `app` of web/Dockerfile copies from stage `build`
// (line 14), which runs `go build` (line 9)".
func (w sideWork) Describe(dockerfilePath string) string {
	reads := "depends on"
	line := ""
	if w.Via != nil {
		line = fmt.Sprintf(" (line %d)", w.Via.StartLine)
		reads = "copies from"
		if w.Via.Copy == nil {
			reads = "mounts"
		}
	}
	df := dockerfilePath
	if df == "" {
		df = "the Dockerfile"
	}
	if w.Via != nil && w.Via.Stage != nil && w.Via.Stage != w.Target {
		// The copy is in a stage the target is built FROM.
		return fmt.Sprintf("%s of %s builds on stage `%s`, which %s stage `%s`%s, which runs %s",
			w.targetText(), df, stageName(w.Via.Stage), reads, stageName(w.From), line, w.stepText())
	}
	return fmt.Sprintf("%s of %s %s stage `%s`%s, which runs %s", w.targetText(), df, reads, stageName(w.From), line, w.stepText())
}

// commandWords is a command in a few words: its program and subcommand
// ("npm ci", "go build", "apt-get install", "make", "go mod download",
// "npm run build").
func commandWords(c *dockerfile.Command) string {
	argv := c.Argv()
	if len(argv) == 0 {
		return ""
	}
	name := argv[0]
	if !strings.HasPrefix(name, "./") {
		name = path.Base(name)
	}
	words := []string{name}
	rest := argv[1:]
	for len(words) < 3 {
		sub, more := subcommand(rest)
		if sub == "" || len(sub) > 30 || strings.ContainsAny(sub, "/$=*") {
			break
		}
		words = append(words, sub)
		if !oneOf(sub, "mod", "run", "run-script", "exec", "workspace", "dependency") {
			break
		}
		rest = more
	}
	return strings.Join(words, " ")
}
