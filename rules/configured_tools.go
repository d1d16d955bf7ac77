package rules

import (
	"errors"
	"fmt"
	"path"
	"reflect"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// ExtraTool is a tool that the configuration file describes (the tools:
// key of .cachelint.yaml): a project's own installer or build script that
// the tool table cannot know, and the cache directories it keeps.
type ExtraTool struct {
	// Name is the tool's name as messages show it.
	Name string `json:"name"`
	// Command is the start of the command line that runs it: a program
	// (matched by its path, or by its base name when written without a
	// slash) and any arguments that must follow it, e.g.
	// ["./scripts/install-deps"] or ["make", "deps"].
	Command []string `json:"command"`
	// CacheDirs are the directories it keeps between runs: absolute, or
	// "~/..." for a directory under the HOME of the RUN's user.
	CacheDirs []string `json:"cacheDirs"`
}

// CheckExtraTool reports what is wrong with a tool description, if
// anything: a configuration file reports it at the tool's line.
func CheckExtraTool(t ExtraTool) error {
	switch {
	case strings.TrimSpace(t.Name) == "":
		return errors.New("name is empty")
	case len(t.Command) == 0:
		return errors.New("command is empty")
	case len(t.CacheDirs) == 0:
		return errors.New("cache-dirs is empty")
	}
	for _, a := range t.Command {
		if a == "" {
			return errors.New("command has an empty argument")
		}
	}
	for _, d := range t.CacheDirs {
		if d != "~" && !strings.HasPrefix(d, "~/") && !path.IsAbs(d) {
			return fmt.Errorf("cache directory %q is neither absolute nor under ~/", d)
		}
	}
	return nil
}

// ConfiguredTools provides the tools the unit's configuration describes
// as a []ExtraTool (nil when there are none). Like the build context, they
// are not in any file of the unit: the driver hands them to the rules as
// this analyzer's result, and Run is never called by the driver.
var ConfiguredTools = &analysis.Analyzer{
	Name:             "configured_tools",
	Doc:              "provides the tools that the configuration file describes (tools:), which rules know beside the tool table",
	Run:              func(*analysis.Pass) (any, error) { return nil, errToolsNotProvided },
	ResultType:       reflect.TypeFor[[]ExtraTool](),
	RunDespiteErrors: true,
}

var errToolsNotProvided = errors.New("the configured tools are provided by the driver")

// configuredTool is an ExtraTool made into a row of the tool table.
type configuredTool struct {
	tool    *Tool
	command []string
}

// configuredTools returns the pass's configured tools as tool rows.
func configuredTools(pass *analysis.Pass) []*configuredTool {
	extra, _ := pass.ResultOf[ConfiguredTools].([]ExtraTool)
	out := make([]*configuredTool, 0, len(extra))
	for _, x := range extra {
		if CheckExtraTool(x) != nil {
			continue
		}
		t := &Tool{Name: x.Name, uses: func([]string) bool { return true }}
		for _, d := range x.CacheDirs {
			t.Caches = append(t.Caches, &Cache{What: x.Name + " cache", dirs: configuredDir(d)})
		}
		out = append(out, &configuredTool{tool: t, command: x.Command})
	}
	return out
}

// configuredDir resolves a configured cache directory: a fixed one, or one
// under HOME.
func configuredDir(d string) func(runEnv) ([]string, bool) {
	if sub, ok := strings.CutPrefix(d, "~"); ok {
		return oneDir(fromHome(strings.TrimPrefix(sub, "/")))
	}
	return oneDir(fixed(path.Clean(d)))
}

// matchConfigured returns the first configured tool whose command the
// command runs, and the arguments after that command prefix.
func matchConfigured(tools []*configuredTool, c *dockerfile.Command) (*Tool, []string) {
	for _, t := range tools {
		if args, ok := t.matches(c); ok {
			return t.tool, args
		}
	}
	return nil, nil
}

// matches reports whether c runs the tool: its program is the command's
// first word (the same path, resolved against the working directory, or
// the same base name when the configuration gives no directory) and the
// words after it follow literally.
func (t *configuredTool) matches(c *dockerfile.Command) ([]string, bool) {
	if len(c.Args) < len(t.command) || c.Name() == "" {
		return nil, false
	}
	prog := t.command[0]
	if strings.Contains(prog, "/") {
		if resolveIn(c.Dir, prog) != resolveIn(c.Dir, c.Args[0].Value) {
			return nil, false
		}
	} else if c.Name() != prog {
		return nil, false
	}
	for i, w := range t.command[1:] {
		if a := c.Args[i+1]; !a.Lit || a.Value != w {
			return nil, false
		}
	}
	return c.Argv()[len(t.command):], true
}

// resolveIn makes a program path absolute against dir when it is relative
// and dir is known, and cleans it.
func resolveIn(dir, p string) string {
	if !path.IsAbs(p) && dir != "" {
		return path.Join(dir, p)
	}
	return path.Clean(p)
}
