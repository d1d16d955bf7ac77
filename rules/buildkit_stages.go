package rules

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/util/suggest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/cachelint/cachelint/dockerfile"
)

// The stages as BuildKit's conversion sees them: their FROM checks, the
// base images BuildKit resolves, the stages COPY --from and RUN --mount
// depend on, and the ONBUILD triggers a stage runs.

// bkStage is a stage in BuildKit's conversion, or an image that COPY
// --from or RUN --mount names (s is nil then).
type bkStage struct {
	s        *dockerfile.Stage
	name     string // for messages: the AS name, or stage-N
	baseName string // the FROM argument, the global ARGs expanded
	base     *bkStage
	platform *ocispecs.Platform
	commands []*bkCommand
	deps     []*bkStage // the stages and images its commands read
	resolved bool
	// dispatched is set once the conversion has started on the stage: a
	// COPY --from or RUN --mount of a stage not yet dispatched fails.
	dispatched bool
	onBuildSet bool // the base's ONBUILD triggers are in commands
	state      *bkState
}

// bkCommand is an instruction of a stage, or an ONBUILD trigger of its
// base stage (in is nil then).
type bkCommand struct {
	in      *dockerfile.Instruction
	node    *parser.Node // the instruction's, or the trigger's placed at the FROM
	cmd     instructions.Command
	sources []*bkStage // COPY --from: its stage; RUN: one per --mount
}

// loc is where BuildKit reports the command.
func (c *bkCommand) loc() []parser.Range { return c.node.Location() }

// silentLinter lets BuildKit's instruction parser run without reporting:
// with no linter it panics on a "# check=" comment above the instruction.
var silentLinter = linter.New(&linter.Config{})

// checkStageNames is BuildKit's ReservedStageName and DuplicateStageName.
func (cv *conversion) checkStageNames() {
	seen := map[string]bool{}
	for _, s := range cv.f.Stages {
		st := fromOf(s)
		if st.Name == "" {
			continue
		}
		if st.Name == "context" || st.Name == "scratch" {
			cv.lint.Run(&linter.RuleReservedStageName, st.Location, linter.RuleReservedStageName.Format(st.Name))
		}
		if seen[st.Name] {
			cv.lint.Run(&linter.RuleDuplicateStageName, st.Location, linter.RuleDuplicateStageName.Format(st.Name))
		}
		seen[st.Name] = true
	}
}

// checkCasing is BuildKit's ConsistentInstructionCasing: the keywords of
// the stages (not the ARGs before the first FROM) against their majority.
func (cv *conversion) checkCasing() {
	lower, upper := 0, 0
	count := func(in *dockerfile.Instruction) {
		switch keywordCase(in.Node.Value) {
		case 'l':
			lower++
		case 'u':
			upper++
		}
	}
	for _, s := range cv.f.Stages {
		count(s.From)
		for _, in := range s.Instructions {
			count(in)
		}
	}
	want, wantCase := "uppercase", byte('u')
	if lower > upper {
		want, wantCase = "lowercase", 'l'
	}
	check := func(in *dockerfile.Instruction) {
		if keywordCase(in.Node.Value) != wantCase {
			cv.lint.Run(&linter.RuleConsistentInstructionCasing, in.Node.Location(),
				linter.RuleConsistentInstructionCasing.Format(in.Node.Value, want))
		}
	}
	for _, s := range cv.f.Stages {
		check(s.From)
		for _, in := range s.Instructions {
			check(in)
		}
	}
}

// keywordCase is 'l' for a keyword in lower case, 'u' for one in upper
// case, 0 for one in mixed case (keywords are ASCII letters).
func keywordCase(kw string) byte {
	c := byte(0)
	for i := 0; i < len(kw); i++ {
		k := byte('u')
		if 'a' <= kw[i] && kw[i] <= 'z' {
			k = 'l'
		}
		if c != 0 && c != k {
			return 0
		}
		c = k
	}
	return c
}

// fromOf is BuildKit's parsed FROM of a stage.
func fromOf(s *dockerfile.Stage) *instructions.Stage {
	return s.From.Command.(*instructions.Stage)
}

// globalArgs sets the global scope: the platform ARGs, then the ARGs
// before the first FROM with their defaults expanded. Before that, it runs
// BuildKit's InvalidDefaultArgInFrom, which checks each base image name
// with those defaults (and gives up, silently, where the expansion fails).
func (cv *conversion) globalArgs() error {
	target := fromOf(cv.f.Stages[len(cv.f.Stages)-1]).Name
	cv.global = platformArgs(cv.platform, target)
	cv.metaArgs = map[string]bool{}
	var err error
	for _, in := range cv.f.MetaArgs {
		for _, kv := range in.Command.(*instructions.ArgCommand).Args {
			cv.metaArgs[kv.Key] = true
			if kv.Value == nil || err != nil {
				continue
			}
			var v string
			if v, _, err = cv.processWord(*kv.Value, cv.global); err == nil {
				cv.global.set(kv.Key, v)
			} else {
				err = parser.WithLocation(err, in.Node.Location())
			}
		}
	}
	if err != nil {
		return err
	}
	for _, s := range cv.f.Stages {
		st := fromOf(s)
		name, _, err := cv.processWord(st.BaseName, cv.global)
		if err != nil {
			break
		}
		if cv.badReference(name) != nil {
			cv.lint.Run(&linter.RuleInvalidDefaultArgInFrom, st.Location, linter.RuleInvalidDefaultArgInFrom.Format(st.BaseName))
		}
	}
	// A global SOURCE_DATE_EPOCH is a time in seconds, "context" or the
	// name of a stage to take the time from.
	if v, _ := cv.global.Get("SOURCE_DATE_EPOCH"); v != "" && v != "context" {
		_, err := strconv.ParseInt(v, 10, 64)
		if err != nil && !slices.ContainsFunc(cv.f.Stages, func(s *dockerfile.Stage) bool { return strings.EqualFold(fromOf(s).Name, v) }) {
			return fmt.Errorf("invalid SOURCE_DATE_EPOCH: %s", v)
		}
	}
	return nil
}

// addStages expands each FROM with the global ARGs as BuildKit does,
// checking the variables it uses (UndefinedArgInFrom) and its --platform
// (RedundantTargetPlatform, FromPlatformFlagConstDisallowed), and links
// each stage to the earlier stage it is built on.
func (cv *conversion) addStages() error {
	cv.byName = map[string]*bkStage{}
	for i, s := range cv.f.Stages {
		st := fromOf(s)
		lint := cv.linterFor(st.Comments)
		m, err := cv.processWordWithMatches(st.BaseName, cv.global)
		cv.undefinedFromArgs(m.Unmatched, st.Location, lint)
		if err != nil {
			return parser.WithLocation(err, st.Location)
		}
		if m.Result == "" {
			return parser.WithLocation(fmt.Errorf("base name (%s) should not be blank", st.BaseName), st.Location)
		}
		bs := &bkStage{s: s, name: st.Name, baseName: m.Result}
		if bs.name == "" {
			bs.name = "stage-" + strconv.Itoa(i)
		}
		if st.Platform != "" {
			p, err := cv.fromPlatform(st, lint)
			if err != nil {
				return err
			}
			bs.platform = &p
		}
		cv.addStage(bs)
	}
	return nil
}

// fromPlatform expands and parses the --platform of a FROM.
func (cv *conversion) fromPlatform(st *instructions.Stage, lint *linter.Linter) (ocispecs.Platform, error) {
	m, err := cv.processWordWithMatches(st.Platform, cv.global)
	cv.undefinedFromArgs(m.Unmatched, st.Location, lint)
	if len(m.Matched) == 1 && len(m.Unmatched) == 0 {
		if _, ok := m.Matched["TARGETPLATFORM"]; ok {
			if v, _ := cv.global.Get("TARGETPLATFORM"); v == m.Result {
				lint.Run(&linter.RuleRedundantTargetPlatform, st.Location, linter.RuleRedundantTargetPlatform.Format(st.Platform))
			}
		}
	}
	if len(m.Matched) == 0 && len(m.Unmatched) == 0 {
		p, err := platforms.Parse(m.Result)
		if err == nil && !strings.Contains(st.Name, p.OS) && !strings.Contains(st.Name, p.Architecture) {
			lint.Run(&linter.RuleFromPlatformFlagConstDisallowed, st.Location, linter.RuleFromPlatformFlagConstDisallowed.Format(m.Result))
		}
	}
	if err != nil {
		return ocispecs.Platform{}, parser.WithLocation(fmt.Errorf("failed to process arguments for platform %s: %w", m.Result, err), st.Location)
	}
	if m.Result == "" {
		return ocispecs.Platform{}, parser.WithLocation(fmt.Errorf("empty platform value from expression %s", st.Platform), st.Location)
	}
	p, err := platforms.Parse(m.Result)
	if err != nil {
		return ocispecs.Platform{}, parser.WithLocation(fmt.Errorf("failed to parse platform %s: %w", st.Platform, err), st.Location)
	}
	return p, nil
}

// undefinedFromArgs is BuildKit's UndefinedArgInFrom: a variable of a FROM
// that is neither a global ARG nor a platform ARG. The suggestion is the
// closest known name (BuildKit picks among equally close ones at random).
func (cv *conversion) undefinedFromArgs(unmatched map[string]struct{}, loc []parser.Range, lint *linter.Linter) {
	for _, name := range sortedKeys(unmatched) {
		if _, ok := cv.global.Get(name); ok || cv.metaArgs[name] {
			continue
		}
		known := map[string]struct{}{}
		for _, k := range cv.global.Keys() {
			known[k] = struct{}{}
		}
		for k := range cv.metaArgs {
			known[k] = struct{}{}
		}
		match, _ := suggest.Search(name, sortedKeys(known), true)
		lint.Run(&linter.RuleUndefinedArgInFrom, loc, linter.RuleUndefinedArgInFrom.Format(name, match))
	}
}

// addStage adds a stage or image, linking it to the stage of its base
// name, and naming it.
func (cv *conversion) addStage(s *bkStage) {
	cv.stages = append(cv.stages, s)
	s.base = cv.byName[s.baseName]
	if s.s != nil && fromOf(s.s).Name != "" {
		cv.byName[fromOf(s.s).Name] = s
	}
}

// linkStages gives each stage its commands and what they read, and fails
// as BuildKit does on a COPY --from it cannot follow and on a cycle.
func (cv *conversion) linkStages() error {
	n := len(cv.stages) // the images found here come after the stages
	for _, s := range cv.stages[:n] {
		for _, in := range s.s.Instructions {
			c := &bkCommand{in: in, node: in.Node, cmd: in.Command.(instructions.Command)}
			if err := cv.addSources(s, c); err != nil {
				return err
			}
			s.commands = append(s.commands, c)
		}
	}
	return cv.checkCycles()
}

// addSources finds the stages or images a command reads: that of COPY
// --from, those of RUN --mount (scratch when a mount names none).
func (cv *conversion) addSources(s *bkStage, c *bkCommand) error {
	var from []string
	switch cmd := c.cmd.(type) {
	case *instructions.CopyCommand:
		if cmd.From == "" {
			return nil
		}
		res, err := cv.processWordWithMatches(cmd.From, shell.EnvsFromSlice(nil))
		if err != nil {
			return parser.WithLocation(err, c.loc())
		}
		if res.Result != cmd.From {
			return parser.WithLocation(errors.New("variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround"), c.loc())
		}
		if i, err := strconv.Atoi(cmd.From); err == nil {
			if i < 0 || i >= len(cv.stages) {
				return parser.WithLocation(fmt.Errorf("invalid stage index %d", i), c.loc())
			}
			c.sources = []*bkStage{cv.stages[i]}
			s.deps = append(s.deps, cv.stages[i])
			return nil
		}
		from = []string{cmd.From}
	case *instructions.RunCommand:
		for _, m := range instructions.GetMounts(cmd) {
			from = append(from, cmp.Or(m.From, "scratch"))
		}
	}
	for _, name := range from {
		src := cv.byName[strings.ToLower(name)]
		if src == nil {
			src = &bkStage{baseName: name, name: name}
			cv.addStage(src)
		}
		c.sources = append(c.sources, src)
		s.deps = append(s.deps, src)
	}
	return nil
}

// checkCycles fails on a stage that depends on itself through COPY --from
// or RUN --mount.
func (cv *conversion) checkCycles() error {
	visited, path := map[*bkStage]bool{}, map[*bkStage]bool{}
	var cyclic func(s *bkStage) bool
	cyclic = func(s *bkStage) bool {
		if visited[s] {
			return false
		}
		visited[s], path[s] = true, true
		for _, d := range s.deps {
			if path[d] || cyclic(d) {
				return true
			}
		}
		delete(path, s)
		return false
	}
	for _, s := range cv.stages {
		if cyclic(s) {
			name := s.name
			if len(cv.stages) == 1 {
				name = ""
			}
			return fmt.Errorf("circular dependency detected on stage: %s", name)
		}
	}
	return nil
}

// resolveStages resolves the base images, as BuildKit does before it
// converts anything (a name that is not a valid reference fails), and
// gives each stage the ONBUILD triggers of its base stage when the last
// stage depends on it.
func (cv *conversion) resolveStages() error {
	target := cv.stages[len(cv.f.Stages)-1]
	for {
		for _, s := range cv.stages {
			if s.base != nil || s.resolved {
				continue
			}
			s.resolved = true
			if s.baseName == "scratch" {
				s.platform = &cv.platform
			} else if err := cv.badReference(s.baseName); err != nil {
				return parser.WithLocation(fmt.Errorf("failed to parse stage name %q: %w", s.baseName, err), cv.location(s))
			} else if s.platform == nil {
				s.platform = &cv.platform
			}
			if s.s == nil {
				s.dispatched = true
			}
		}
		reachable := map[*bkStage]bool{}
		addReachable(target, reachable)
		newDeps := false
		for _, s := range cv.stages {
			if !reachable[s] || s.base == nil || s.onBuildSet {
				continue
			}
			s.onBuildSet = true
			more, err := cv.addOnBuild(s)
			if err != nil {
				return parser.WithLocation(err, cv.location(s))
			}
			newDeps = newDeps || more
		}
		if !newDeps {
			return nil
		}
	}
}

// location is where BuildKit reports an error of a stage: its FROM.
func (cv *conversion) location(s *bkStage) []parser.Range {
	if s.s == nil {
		return nil
	}
	return s.s.From.Node.Location()
}

func addReachable(s *bkStage, seen map[*bkStage]bool) {
	if seen[s] {
		return
	}
	seen[s] = true
	if s.base != nil {
		addReachable(s.base, seen)
	}
	for _, d := range s.deps {
		addReachable(d, seen)
	}
}

// addOnBuild puts the ONBUILD triggers of the base stage before the
// stage's commands, each parsed on its own and placed at the stage's FROM,
// as BuildKit does. It reports whether they read other stages.
func (cv *conversion) addOnBuild(s *bkStage) (bool, error) {
	var triggers []*bkCommand
	newDeps := false
	start, end := s.s.From.StartLine, s.s.From.EndLine
	for _, bc := range s.base.commands {
		ob, ok := bc.cmd.(*instructions.OnbuildCommand)
		if !ok {
			continue
		}
		ast, err := parser.Parse(strings.NewReader(ob.Expression))
		if err != nil {
			return false, err
		}
		if len(ast.AST.Children) != 1 {
			return false, errors.New("onbuild trigger should be a single expression")
		}
		node := ast.AST.Children[0]
		node.StartLine, node.EndLine = start, end
		cmd, err := instructions.ParseCommand(node)
		if err != nil {
			return false, err
		}
		c := &bkCommand{node: node, cmd: cmd}
		if err := cv.addSources(s, c); err != nil {
			return false, err
		}
		newDeps = newDeps || len(c.sources) > 0
		triggers = append(triggers, c)
	}
	s.commands = append(triggers, s.commands...)
	return newDeps, nil
}

func sortedKeys(m map[string]struct{}) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// badReference is why BuildKit cannot take name for an image reference,
// nil when it can. BuildKit asks twice of each base image.
func (cv *conversion) badReference(name string) error {
	if err, ok := cv.refs[name]; ok {
		return err
	}
	if cv.refs == nil {
		cv.refs = map[string]error{}
	}
	_, err := reference.ParseNormalizedNamed(name)
	cv.refs[name] = err
	return err
}
