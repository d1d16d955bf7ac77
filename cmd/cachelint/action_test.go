package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// actionFile is the part of action.yml the tests read.
type actionFile struct {
	Name        string
	Description string
	Inputs      map[string]struct {
		Description string
		Default     *string
	}
	Outputs map[string]struct {
		Description string
		Value       string
	}
	Runs struct {
		Using string
		Steps []actionStep
	}
}

type actionStep struct {
	ID    string
	Name  string
	Uses  string
	Shell string
	Run   string
	Env   map[string]string
	With  map[string]string
}

var (
	actionExpr     = regexp.MustCompile(`\$\{\{(.*?)\}\}`)
	actionInputRef = regexp.MustCompile(`\binputs\.([A-Za-z0-9_-]+)`)
	actionStepRef  = regexp.MustCompile(`\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)
	actionContext  = regexp.MustCompile(`^\s*(github|inputs|steps|runner|env)\.`)
	actionScript   = regexp.MustCompile(`"\$GITHUB_ACTION_PATH/([^"]+\.sh)"`)
)

func readAction(t *testing.T) (actionFile, []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(checkoutRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a, data
}

// actionScalars returns every scalar value of the YAML document.
func actionScalars(t *testing.T, data []byte) []string {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			out = append(out, n.Value)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	return out
}

// TestActionDefinition checks action.yml's structure: a composite action
// whose expressions name only declared inputs and earlier steps' outputs
// that those steps' scripts write, whose inputs are all used, and whose
// run steps take their inputs from the environment, never from
// expressions pasted into the script.
func TestActionDefinition(t *testing.T) {
	a, data := readAction(t)
	if a.Name == "" || a.Description == "" {
		t.Error("action.yml needs a name and a description")
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", a.Runs.Using)
	}
	for _, want := range []string{"path", "format", "fail-level", "config", "sarif-file", "version"} {
		if _, ok := a.Inputs[want]; !ok {
			t.Errorf("no input %q", want)
		}
	}
	for name, in := range a.Inputs {
		if in.Description == "" || in.Default == nil {
			t.Errorf("input %q needs a description and a default", name)
		}
	}
	for _, want := range []string{"findings", "sarif-file"} {
		if _, ok := a.Outputs[want]; !ok {
			t.Errorf("no output %q", want)
		}
	}

	// Every expression names a known context, and every input it names is
	// declared; every declared input is used.
	used := map[string]bool{}
	for _, s := range actionScalars(t, data) {
		for _, m := range actionExpr.FindAllStringSubmatch(s, -1) {
			if !actionContext.MatchString(m[1]) {
				t.Errorf("expression %q: want github., inputs., steps., runner. or env.", m[0])
			}
			for _, in := range actionInputRef.FindAllStringSubmatch(m[1], -1) {
				used[in[1]] = true
				if _, ok := a.Inputs[in[1]]; !ok {
					t.Errorf("expression %q uses undeclared input %q", m[0], in[1])
				}
			}
		}
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %q is declared and never used", name)
		}
	}

	// Steps: unique ids, a shell for every run step, no expression inside
	// a script, scripts that exist, actions pinned to a version.
	stepIndex := map[string]int{}
	writes := map[string]map[string]bool{} // step id -> outputs its script writes
	for i, st := range a.Runs.Steps {
		if st.ID != "" {
			if _, dup := stepIndex[st.ID]; dup {
				t.Errorf("step id %q used twice", st.ID)
			}
			stepIndex[st.ID] = i
		}
		switch {
		case st.Uses != "" && st.Run != "":
			t.Errorf("step %d has both uses and run", i)
		case st.Uses != "":
			if !strings.Contains(st.Uses, "@") {
				t.Errorf("step %d: %s is not pinned to a version", i, st.Uses)
			}
		case st.Run != "":
			if st.Shell == "" {
				t.Errorf("step %d: a composite action's run step needs a shell", i)
			}
			if strings.Contains(st.Run, "${{") {
				t.Errorf("step %d: pass values through env, not expressions in the script: %q", i, st.Run)
			}
			for _, m := range actionScript.FindAllStringSubmatch(st.Run, -1) {
				script, err := os.ReadFile(filepath.Join(checkoutRoot(t), filepath.FromSlash(m[1])))
				if err != nil {
					t.Errorf("step %d: %v", i, err)
					continue
				}
				if st.ID != "" {
					writes[st.ID] = scriptOutputs(string(script))
				}
			}
		default:
			t.Errorf("step %d has neither uses nor run", i)
		}
	}

	// Every steps.<id>.outputs.<name> names an earlier step (or, in the
	// action's outputs, any step) whose script writes that output.
	checkRef := func(where string, before int, expr string) {
		for _, m := range actionStepRef.FindAllStringSubmatch(expr, -1) {
			i, ok := stepIndex[m[1]]
			switch {
			case !ok:
				t.Errorf("%s: no step with id %q", where, m[1])
			case i >= before:
				t.Errorf("%s: step %q runs later", where, m[1])
			case !writes[m[1]][m[2]]:
				t.Errorf("%s: step %q does not write output %q to $GITHUB_OUTPUT", where, m[1], m[2])
			}
		}
	}
	for name, out := range a.Outputs {
		if !actionStepRef.MatchString(out.Value) {
			t.Errorf("output %q: value %q is not a step's output", name, out.Value)
		}
		checkRef("output "+name, len(a.Runs.Steps), out.Value)
	}
	for i, st := range a.Runs.Steps {
		for k, v := range st.Env {
			checkRef("step "+st.Name+" env "+k, i, v)
		}
		for k, v := range st.With {
			checkRef("step "+st.Name+" with "+k, i, v)
		}
	}
}

var scriptOutputLine = regexp.MustCompile(`echo "([A-Za-z0-9_-]+)=`)

// scriptOutputs returns the outputs a step script writes: the names of
// `echo "name=..."` lines, in a script that appends to $GITHUB_OUTPUT.
func scriptOutputs(script string) map[string]bool {
	out := map[string]bool{}
	if !strings.Contains(script, `>>"$GITHUB_OUTPUT"`) {
		return out
	}
	for _, m := range scriptOutputLine.FindAllStringSubmatch(script, -1) {
		out[m[1]] = true
	}
	return out
}

// TestActionScripts runs the action's scripts as the runner would: the
// install script builds cachelint from this checkout (the action's
// default, with no version), then the run script lints fixtures with it,
// with a temporary $GITHUB_OUTPUT.
func TestActionScripts(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	root := checkoutRoot(t)
	tmp := t.TempDir()

	outFile := filepath.Join(tmp, "install-output")
	cmd := exec.Command("sh", filepath.Join(root, "scripts", "action-install.sh"))
	cmd.Dir = tmp
	cmd.Env = append(actionEnv(), "GITHUB_ACTION_PATH="+root, "RUNNER_TEMP="+tmp, "GITHUB_OUTPUT="+outFile, "INPUT_VERSION=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("action-install.sh: %v\n%s", err, out)
	}
	installed := readOutputs(t, outFile)
	bin := installed["path"]
	if want := filepath.Join(tmp, "cachelint-action", "bin", "cachelint"); bin != want {
		t.Fatalf("action-install.sh: path=%q, want %q", bin, want)
	}

	work := filepath.Join(tmp, "work")
	writeFiles(t, work, map[string]string{
		"bad/Dockerfile":     "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n",
		"bad/package.json":   "{}\n",
		"good/Containerfile": "# syntax=docker/dockerfile:1\nFROM alpine:3.20\nCOPY motd /etc/motd\n",
		"good/motd":          "hello\n",
		"my app/Dockerfile":  "FROM node:22\nCOPY . .\nRUN npm ci\n",
		"-x.Dockerfile":      "FROM node:22\nCOPY . .\nRUN npm ci\n",
		"ci/cachelint.yaml":  "select: [CL001]\nfail-level: error\n",
	})

	for _, tc := range []struct {
		name      string
		env       []string
		sarif     string // the SARIF file, relative to work
		status    int
		findings  string // "" any number above 0
		stdout    []string
		notStdout []string
	}{{
		name:   "defaults",
		sarif:  "cachelint.sarif",
		status: 1,
		stdout: []string{"bad/Dockerfile:3:6: warning CL001 copy-before-install", "my app/Dockerfile:2:6", "-x.Dockerfile:2:6"},
	}, {
		name: "every input",
		env: []string{
			"INPUT_PATH=good\n\nbad\n", "INPUT_FORMAT=github", "INPUT_FAIL_LEVEL=none",
			"INPUT_SARIF_FILE=reports/sub/out.sarif", "INPUT_CONFIG=ci/cachelint.yaml",
		},
		sarif:     "reports/sub/out.sarif",
		status:    0,
		stdout:    []string{"::warning file=bad/Dockerfile,line=3,col=6,endLine=3,endColumn=7,title=CL001"},
		notStdout: []string{"my app", "-x", "CL003"},
	}, {
		name:      "a configuration file and its fail level",
		env:       []string{"INPUT_PATH=bad", "INPUT_CONFIG=ci/cachelint.yaml"},
		sarif:     "cachelint.sarif",
		status:    0,
		findings:  "1",
		stdout:    []string{"bad/Dockerfile:3:6: warning CL001"},
		notStdout: []string{"CL003"},
	}, {
		name:     "a configuration file that does not exist",
		env:      []string{"INPUT_PATH=bad", "INPUT_CONFIG=nowhere.yaml"},
		sarif:    "",
		status:   2,
		findings: "0",
	}, {
		name:     "no findings",
		env:      []string{"INPUT_PATH=good"},
		sarif:    "cachelint.sarif",
		status:   0,
		findings: "0",
		stdout:   []string{"No problems found in 1 file"},
	}, {
		name:      "paths with a space and a leading dash",
		env:       []string{"INPUT_PATH=-x.Dockerfile\nmy app", "INPUT_FAIL_LEVEL=error"},
		sarif:     "cachelint.sarif",
		status:    0,
		stdout:    []string{"-x.Dockerfile:2:6: warning CL001", "my app/Dockerfile:2:6: warning CL001"},
		notStdout: []string{"bad/"},
	}, {
		name:     "missing path",
		env:      []string{"INPUT_PATH=nowhere"},
		sarif:    "cachelint.sarif",
		status:   2,
		findings: "0",
	}, {
		name:   "unknown console format",
		env:    []string{"INPUT_FORMAT=xml"},
		sarif:  "cachelint.sarif",
		status: 2,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			outFile := filepath.Join(t.TempDir(), "output")
			cmd := exec.Command("sh", filepath.Join(root, "scripts", "action-run.sh"))
			cmd.Dir = work
			cmd.Env = append(append(actionEnv(), "CACHELINT="+bin, "GITHUB_OUTPUT="+outFile), tc.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				t.Fatal(err)
			}
			if got := cmd.ProcessState.ExitCode(); got != tc.status {
				t.Errorf("exit status %d, want %d", got, tc.status)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q", s)
				}
			}
			for _, s := range tc.notStdout {
				if strings.Contains(stdout.String(), s) {
					t.Errorf("stdout has %q", s)
				}
			}

			if tc.sarif == "" {
				// The run stopped before writing a report (a bad
				// configuration): it says why, and sets no output.
				if !strings.Contains(stderr.String(), "no SARIF report was written") {
					t.Errorf("stderr %q", stderr.String())
				}
				if _, err := os.Stat(outFile); err == nil {
					t.Errorf("outputs set: %v", readOutputs(t, outFile))
				}
				return
			}
			sarifPath := filepath.Join(work, filepath.FromSlash(tc.sarif))
			results := sarifResults(t, sarifPath)
			outputs := readOutputs(t, outFile)
			if outputs["sarif-file"] != tc.sarif {
				t.Errorf("sarif-file=%q, want %q", outputs["sarif-file"], tc.sarif)
			}
			if want := strconv.Itoa(results); outputs["findings"] != want {
				t.Errorf("findings=%q, but the SARIF file has %s results", outputs["findings"], want)
			}
			if tc.findings != "" && outputs["findings"] != tc.findings {
				t.Errorf("findings=%q, want %s", outputs["findings"], tc.findings)
			}
			if tc.findings == "" && results == 0 {
				t.Error("no findings, want some")
			}
			if t.Failed() {
				t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			}
			if err := os.Remove(sarifPath); err != nil {
				t.Error(err)
			}
		})
	}
}

// actionEnv is this process's environment without what the runner sets
// for a step.
func actionEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "INPUT_") || strings.HasPrefix(name, "GITHUB_") || name == "RUNNER_TEMP" || name == "CACHELINT" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// readOutputs reads a $GITHUB_OUTPUT file of name=value lines.
func readOutputs(t *testing.T, file string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("step outputs: %v", err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("step outputs: line %q is not name=value", line)
			continue
		}
		if _, dup := out[name]; dup {
			t.Errorf("step outputs: %s set twice", name)
		}
		out[name] = value
	}
	return out
}

// sarifResults returns the number of results in a SARIF file.
func sarifResults(t *testing.T, file string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("SARIF: %v", err)
	}
	var log struct {
		Version string
		Runs    []struct {
			Results []json.RawMessage
		}
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatalf("SARIF: %v", err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("SARIF: version %q with %d runs, want 2.1.0 with one", log.Version, len(log.Runs))
	}
	return len(log.Runs[0].Results)
}

// TestReadmeIntegrationSnippets checks the README's YAML examples: they
// parse, the action's steps pass only declared inputs, and the pre-commit
// configuration names hooks that exist.
func TestReadmeIntegrationSnippets(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(checkoutRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	action, _ := readAction(t)
	hooks := readPreCommitHooks(t)
	var workflows, configs int
	for _, block := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1) {
		var doc struct {
			Repos []struct {
				Repo  string
				Hooks []struct{ ID string }
			}
			Jobs map[string]struct {
				Steps []actionStep
			}
		}
		if err := yaml.Unmarshal([]byte(block[1]), &doc); err != nil {
			t.Errorf("README YAML example does not parse: %v\n%s", err, block[1])
			continue
		}
		for _, job := range doc.Jobs {
			for _, st := range job.Steps {
				if !strings.HasPrefix(st.Uses, "cachelint/cachelint@") {
					continue
				}
				workflows++
				for k := range st.With {
					if _, ok := action.Inputs[k]; !ok {
						t.Errorf("README workflow passes undeclared input %q", k)
					}
				}
			}
		}
		for _, r := range doc.Repos {
			if !strings.HasSuffix(r.Repo, "/cachelint/cachelint") {
				continue
			}
			configs++
			for _, h := range r.Hooks {
				if _, ok := hooks[h.ID]; !ok {
					t.Errorf("README pre-commit configuration names hook %q, which does not exist", h.ID)
				}
			}
		}
	}
	if workflows < 2 || configs < 1 {
		t.Errorf("README has %d workflows using the action and %d pre-commit configurations, want 2 and 1", workflows, configs)
	}
}
