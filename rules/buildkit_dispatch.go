package rules

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/util/suggest"
	"github.com/moby/buildkit/util/system"
	"github.com/moby/sys/signal"
)

// The conversion of each stage's instructions, in order, as BuildKit's
// dispatch does it for its checks: the variables BuildKit expands itself
// (UndefinedVar), the checks of each instruction, and the errors that
// stop the conversion.

// bkState is what BuildKit knows of a stage while converting it.
type bkState struct {
	os         string
	env        *bkEnv      // the build state's variables: image ENV, ENV, ARG
	imageEnv   [][2]string // the image configuration's ENV, in order
	buildArgs  map[string]bool
	shell      bool   // a SHELL instruction set the shell
	workdirSet bool   // a WORKDIR of the file has run
	workingDir string // the image's working directory, in the OS's form
	dir        string // the working directory, with slashes
	// The last CMD, ENTRYPOINT and HEALTHCHECK of the stage, if any.
	cmd, entrypoint, healthcheck *parser.Node
}

// startState is the state a stage starts from: its base stage's at its
// end, or an empty image's; BuildKit then makes sure PATH is set (but on
// Windows) and sets the image's ENV again.
func startState(s *bkStage) *bkState {
	st := &bkState{env: newBKEnv(), buildArgs: map[string]bool{}}
	if b := s.base; b != nil {
		s.platform = b.platform
		st.env = b.state.env.clone()
		st.imageEnv = slices.Clone(b.state.imageEnv)
		st.buildArgs = maps.Clone(b.state.buildArgs)
		st.shell, st.workdirSet = b.state.shell, b.state.workdirSet
		st.workingDir, st.dir = b.state.workingDir, b.state.dir
	}
	st.os = s.platform.OS
	if _, ok := st.imageVar("PATH"); !ok && st.os != "windows" {
		st.imageEnv = append(st.imageEnv, [2]string{"PATH", system.DefaultPathEnv(st.os)})
	}
	for _, kv := range st.imageEnv {
		st.env.set(kv[0], kv[1])
	}
	return st
}

func (st *bkState) imageVar(name string) (int, bool) {
	i := slices.IndexFunc(st.imageEnv, func(kv [2]string) bool { return shell.EqualEnvKeys(kv[0], name) })
	return i, i >= 0
}

// setEnv is an ENV: in the build state and in the image configuration.
func (st *bkState) setEnv(name, value string) {
	st.env.set(name, value)
	if i, ok := st.imageVar(name); ok {
		st.imageEnv[i] = [2]string{name, value}
	} else {
		st.imageEnv = append(st.imageEnv, [2]string{name, value})
	}
}

// dispatch converts a stage. An image named by COPY --from or RUN --mount
// has nothing to convert.
func (cv *conversion) dispatch(s *bkStage) error {
	if s.s == nil {
		return nil
	}
	s.dispatched = true
	s.state = startState(s)
	for _, c := range s.commands {
		lint := cv.linterFor(c.node.PrevComment)
		if err := cv.dispatchCommand(s, c, lint); err != nil {
			return parser.WithLocation(err, c.loc())
		}
	}
	return nil
}

// dispatchCommand converts one command: BuildKit first expands the words
// it expands itself, then converts the instruction.
func (cv *conversion) dispatchCommand(s *bkStage, c *bkCommand, lint *linter.Linter) error {
	st := s.state
	expand := func(word string) (string, error) {
		out, unmatched, err := cv.processWord(word, st.env)
		cv.undefinedVars(st, c, unmatched, lint)
		return out, err
	}
	switch cmd := c.cmd.(type) {
	case *instructions.EnvCommand:
		env, err := expandPairs(cmd.Env, expand)
		if err != nil {
			return err
		}
		for _, kv := range env {
			if kv.NoDelim {
				lint.Run(&linter.RuleLegacyKeyValueFormat, c.loc(), linter.RuleLegacyKeyValueFormat.Format(cmd.Name()))
			}
			checkSecretName("ENV", kv.Key, c.loc(), lint)
			st.setEnv(kv.Key, kv.Value)
		}
	case *instructions.LabelCommand:
		labels, err := expandPairs(cmd.Labels, expand)
		if err != nil {
			return err
		}
		for _, kv := range labels {
			if kv.NoDelim {
				lint.Run(&linter.RuleLegacyKeyValueFormat, c.loc(), linter.RuleLegacyKeyValueFormat.Format(cmd.Name()))
			}
		}
	case *instructions.ArgCommand:
		return cv.dispatchArg(st, c, cmd, lint)
	case *instructions.RunCommand:
		return cv.dispatchRun(s, c, cmd, expand)
	case *instructions.WorkdirCommand:
		p, err := expand(cmd.Path)
		if err != nil {
			return err
		}
		if !st.workdirSet && !system.IsAbs(p, st.os) {
			lint.Run(&linter.RuleWorkdirRelativePath, c.loc(), linter.RuleWorkdirRelativePath.Format(p))
		}
		st.workdirSet = true
		wd, err := system.NormalizeWorkdir(st.workingDir, p, st.os)
		if err != nil {
			return fmt.Errorf("normalizing workdir: %w", err)
		}
		st.workingDir, st.dir = wd, system.ToSlash(wd, st.os)
	case *instructions.AddCommand:
		return cv.dispatchCopy(s, c, copyCommand{add: true, sd: cmd.SourcesAndDest, chown: cmd.Chown, chmod: cmd.Chmod, checksum: cmd.Checksum, link: cmd.Link}, expand, lint)
	case *instructions.CopyCommand:
		return cv.dispatchCopy(s, c, copyCommand{sd: cmd.SourcesAndDest, chown: cmd.Chown, chmod: cmd.Chmod, link: cmd.Link, from: cmd.From}, expand, lint)
	case *instructions.CmdCommand:
		usedOnce(&st.cmd, c, lint)
		if cmd.PrependShell && !st.shell {
			lint.Run(&linter.RuleJSONArgsRecommended, c.loc(), linter.RuleJSONArgsRecommended.Format(cmd.Name()))
		}
	case *instructions.EntrypointCommand:
		usedOnce(&st.entrypoint, c, lint)
		if cmd.PrependShell && !st.shell {
			lint.Run(&linter.RuleJSONArgsRecommended, c.loc(), linter.RuleJSONArgsRecommended.Format(cmd.Name()))
		}
	case *instructions.HealthCheckCommand:
		usedOnce(&st.healthcheck, c, lint)
	case *instructions.ExposeCommand:
		var ports []string
		for _, p := range cmd.Ports {
			ps, err := cv.lex.ProcessWords(p, st.env)
			if err != nil {
				return err
			}
			ports = append(ports, ps...)
		}
		return checkPorts(ports, c.loc(), lint)
	case *instructions.UserCommand:
		_, err := expand(cmd.User)
		return err
	case *instructions.VolumeCommand:
		vols, err := expandAll(cmd.Volumes, expand)
		if err != nil {
			return err
		}
		if slices.Contains(vols, "") {
			return errors.New("VOLUME specified can not be an empty string")
		}
	case *instructions.StopSignalCommand:
		sig, err := expand(cmd.Signal)
		if err != nil {
			return err
		}
		if _, err := signal.ParseSignal(sig); err != nil {
			return err
		}
	case *instructions.ShellCommand:
		st.shell = len(cmd.Shell) > 0
	}
	return nil
}

// undefinedVars is BuildKit's UndefinedVar: a variable BuildKit expands
// that is not set, unless an ARG of the stage declared it (without a
// value). The suggestion is the closest name that is set.
func (cv *conversion) undefinedVars(st *bkState, c *bkCommand, unmatched map[string]struct{}, lint *linter.Linter) {
	for _, name := range sortedKeys(unmatched) {
		if st.buildArgs[name] || nonEnvArgs[name] {
			continue
		}
		match, _ := suggest.Search(name, st.env.Keys(), true)
		lint.Run(&linter.RuleUndefinedVar, c.loc(), linter.RuleUndefinedVar.Format(name, match))
	}
}

// dispatchArg declares a stage's ARGs: without a default, one takes the
// global value of its name, if any; a default is expanded.
func (cv *conversion) dispatchArg(st *bkState, c *bkCommand, cmd *instructions.ArgCommand, lint *linter.Linter) error {
	for _, kv := range cmd.Args {
		checkSecretName("ARG", kv.Key, c.loc(), lint)
		var value *string
		if kv.Value == nil {
			if v, ok := cv.global.Get(kv.Key); ok {
				value = &v
			}
		} else {
			v, unmatched, err := cv.processWord(*kv.Value, st.env)
			cv.undefinedVars(st, c, unmatched, lint)
			if err != nil {
				return err
			}
			value = &v
		}
		if value != nil && !nonEnvArgs[kv.Key] {
			st.env.set(kv.Key, *value)
		}
		st.buildArgs[kv.Key] = true
	}
	return nil
}

// usedOnce is BuildKit's MultipleInstructionsDisallowed: it reports the
// earlier instruction, the one without effect.
func usedOnce(last **parser.Node, c *bkCommand, lint *linter.Linter) {
	if *last != nil {
		lint.Run(&linter.RuleMultipleInstructionsDisallowed, (*last).Location(), linter.RuleMultipleInstructionsDisallowed.Format(c.cmd.Name()))
	}
	*last = c.node
}

// dispatchRun expands the --mount flags of a RUN and checks its mounts as
// BuildKit does. Expanding a RUN's mounts changes the command, so it is
// done on a copy of the model's, parsed again from its node (an ONBUILD
// trigger's is the conversion's own).
func (cv *conversion) dispatchRun(s *bkStage, c *bkCommand, cmd *instructions.RunCommand, expand func(string) (string, error)) error {
	mounts := instructions.GetMounts(cmd)
	if len(mounts) > 0 {
		if c.in != nil {
			fresh, err := instructions.ParseInstructionWithLinter(c.in.Node, silentLinter)
			if err != nil {
				return err
			}
			cmd = fresh.(*instructions.RunCommand)
		}
		if err := cmd.Expand(expand); err != nil {
			return err
		}
		mounts = instructions.GetMounts(cmd)
	}
	if len(cmd.Files) > 0 && (len(cmd.CmdLine) != 1 || !cmd.PrependShell) {
		return fmt.Errorf("parsing produced an invalid run command: %v", cmd.CmdLine)
	}
	for i, m := range mounts {
		if m.From != "" || m.Type == instructions.MountTypeCache {
			if src := c.sources[i]; !src.dispatched {
				return fmt.Errorf("cannot mount from stage %q to %q, stage needs to be defined before current command", cmp.Or(m.From, "scratch"), m.Target)
			}
		}
		switch m.Type {
		case instructions.MountTypeSecret:
			if err := checkSecretMount(m, s.state.os); err != nil {
				return err
			}
			continue
		case instructions.MountTypeSSH:
			if m.Source != "" {
				return errors.New("ssh does not support source")
			}
			continue
		}
		target := m.Target
		if !filepath.IsAbs(filepath.Clean(target)) {
			target = filepath.Join("/", s.state.dir, target)
		}
		if target == "/" {
			return fmt.Errorf("invalid mount target %q", target)
		}
	}
	return nil
}

// checkSecretMount fails as BuildKit does on a secret mount it cannot
// place.
func checkSecretMount(m *instructions.Mount, os string) error {
	target := m.Target
	if os == "windows" {
		target = system.ToSlash(target, os)
	}
	id := cmp.Or(m.Source, m.CacheID)
	if id == "" && target == "" {
		return errors.New("one of source, target required")
	}
	if os == "windows" && target != "" && !system.IsAbs(target, os) {
		return fmt.Errorf("secret target %q must be an absolute path with forward slashes on Windows", target)
	}
	if os == "windows" && m.Env == nil && target == "" {
		return errors.New("secret target is required on Windows")
	}
	return nil
}

// expandPairs expands the keys and values of ENV or LABEL.
func expandPairs(kvs instructions.KeyValuePairs, expand func(string) (string, error)) (instructions.KeyValuePairs, error) {
	out := make(instructions.KeyValuePairs, len(kvs))
	for i, kv := range kvs {
		k, err := expand(kv.Key)
		if err != nil {
			return nil, err
		}
		v, err := expand(kv.Value)
		if err != nil {
			return nil, err
		}
		out[i] = instructions.KeyValuePair{Key: k, Value: v, NoDelim: kv.NoDelim}
	}
	return out, nil
}

func expandAll(words []string, expand func(string) (string, error)) ([]string, error) {
	out := make([]string, len(words))
	for i, w := range words {
		var err error
		if out[i], err = expand(w); err != nil {
			return nil, err
		}
	}
	return out, nil
}
