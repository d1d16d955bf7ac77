package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cachelint/cachelint/lint"
)

// preCommitHook is a hook of .pre-commit-hooks.yaml, with the fields the
// tests check.
type preCommitHook struct {
	ID            string `yaml:"id"`
	Name          string `yaml:"name"`
	Language      string `yaml:"language"`
	Entry         string `yaml:"entry"`
	Files         string `yaml:"files"`
	Exclude       string `yaml:"exclude"`
	PassFilenames *bool  `yaml:"pass_filenames"`
	AlwaysRun     bool   `yaml:"always_run"`
}

// checkoutRoot is the root of the repository the tests run in.
func checkoutRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func readPreCommitHooks(t *testing.T) map[string]preCommitHook {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(checkoutRoot(t), ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var hooks []preCommitHook
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml: %v", err)
	}
	byID := map[string]preCommitHook{}
	for _, h := range hooks {
		if _, dup := byID[h.ID]; dup {
			t.Errorf(".pre-commit-hooks.yaml: hook %q defined twice", h.ID)
		}
		byID[h.ID] = h
	}
	return byID
}

// TestPreCommitHooksFile checks the hook definitions: both hooks build
// cachelint with Go and run it, cachelint-ci lints the whole repository
// once.
func TestPreCommitHooksFile(t *testing.T) {
	hooks := readPreCommitHooks(t)
	for _, id := range []string{"cachelint", "cachelint-ci"} {
		h, ok := hooks[id]
		if !ok {
			t.Errorf("no hook %q", id)
			continue
		}
		if h.Language != "golang" || h.Entry != "cachelint" || h.Name == "" {
			t.Errorf("hook %q: language %q, entry %q, name %q; want golang, cachelint and a name", id, h.Language, h.Entry, h.Name)
		}
	}
	if h := hooks["cachelint"]; h.Files == "" || h.PassFilenames != nil && !*h.PassFilenames {
		t.Errorf("hook cachelint: want a files pattern and the file names passed")
	}
	if h := hooks["cachelint-ci"]; h.PassFilenames == nil || *h.PassFilenames || !h.AlwaysRun {
		t.Errorf("hook cachelint-ci: want pass_filenames: false and always_run: true")
	}
}

// TestPreCommitFilesPattern checks that the cachelint hook selects exactly
// the files cachelint's directory walk lints. pre-commit matches `files`
// and `exclude` with Python's re.search on the repository-relative path;
// the patterns use only syntax that Go's regexp reads the same way.
func TestPreCommitFilesPattern(t *testing.T) {
	h := readPreCommitHooks(t)["cachelint"]
	files, err := regexp.Compile(h.Files)
	if err != nil {
		t.Fatalf("files: %v", err)
	}
	exclude := regexp.MustCompile("$^") // matches nothing
	if h.Exclude != "" {
		if exclude, err = regexp.Compile(h.Exclude); err != nil {
			t.Fatalf("exclude: %v", err)
		}
	}
	paths := []string{
		"Dockerfile", "Containerfile", "Dockerfile.dev", "Containerfile.arm64", "Dockerfile.",
		"api.Dockerfile", "api.dockerfile", "web.Containerfile", "web.containerfile", ".Dockerfile",
		"docker/Dockerfile", "a/b/Dockerfile.prod", "svc/api.Dockerfile", "x.y/Containerfile",
		"Dockerfile.dockerignore", "a/api.Dockerfile.dockerignore", ".dockerignore", "a/.dockerignore",
		"dockerfile", "DockerFile", "Dockerfiles", "myDockerfile", "Dockerfile-dev", "app.Dockerfile.j2",
		"Dockerfile/notes.txt", "docker.file", "README.md", "docker-compose.yml", "a/Dockerfile.d/x",
	}
	// Every file of this repository's testdata, too.
	root := checkoutRoot(t)
	err = filepath.WalkDir(filepath.Join(root, "testdata"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			paths = append(paths, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		got := files.MatchString(p) && !exclude.MatchString(p)
		if want := lint.IsDockerfileName(path.Base(p)); got != want {
			t.Errorf("hook cachelint selects %q: %v, cachelint's walk: %v", p, got, want)
		}
	}
}

// TestPreCommitTryRepo installs the hooks with pre-commit, as a user's
// repository would, and runs them on a repository with a Dockerfile that
// has a finding and two that have none. pre-commit try-repo installs a
// repository's hooks from a commit, so the test commits a snapshot of this
// checkout's working tree (uncommitted changes and untracked files
// included) to a temporary repository and tries that.
//
// pre-commit's `language: golang` runs `go install ./...` in a GOPATH of
// its own; the test points it at this machine's module and build caches
// (GOMODCACHE, GOCACHE), so no module is downloaded again and the build is
// mostly cached. It is skipped when pre-commit is not installed, unless
// CACHELINT_REQUIRE_PRECOMMIT=1 (set by .ci/run, which installs Debian's
// pre-commit package) makes that a failure.
func TestPreCommitTryRepo(t *testing.T) {
	required := os.Getenv("CACHELINT_REQUIRE_PRECOMMIT") == "1"
	unavailable := func(format string, a ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, a...)
		if required {
			t.Fatalf("%s, and CACHELINT_REQUIRE_PRECOMMIT=1 requires this test to run", msg)
		}
		t.Skipf("%s: install pre-commit (apt-get install pre-commit, or pipx install pre-commit) to run this test; .ci/run installs it", msg)
	}
	if testing.Short() && !required {
		t.Skip("-short: this test builds cachelint with pre-commit")
	}
	for _, tool := range []string{"pre-commit", "git", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			unavailable("%s is not installed", tool)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	env := preCommitEnv(t, tmp)

	snapshot := filepath.Join(tmp, "cachelint")
	snapshotCheckout(t, checkoutRoot(t), snapshot, env)

	work := filepath.Join(tmp, "work")
	writeFiles(t, work, map[string]string{
		"bad/Dockerfile":                  "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n",
		"bad/package.json":                "{}\n",
		"good/Containerfile":              "# syntax=docker/dockerfile:1\nFROM alpine:3.20\nCOPY motd /etc/motd\n",
		"good/Containerfile.dockerignore": "*.tmp\n",
		"good/motd":                       "hello\n",
		"good/api.dockerfile":             "FROM scratch\nCOPY motd /motd\n",
		"README.md":                       "# not a Dockerfile\n",
	})
	gitCmd(t, env, work, "init", "-q")
	gitCmd(t, env, work, "add", "-A")
	gitCmd(t, env, work, "commit", "-q", "-m", "fixture")

	tryRepo := func(args ...string) (string, int) {
		t.Helper()
		args = append([]string{"try-repo", snapshot}, args...)
		args = append(args, "--color", "never")
		cmd := exec.CommandContext(ctx, "pre-commit", args...)
		cmd.Dir = work
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		t.Logf("pre-commit %s: %s", strings.Join(args, " "), time.Since(start).Round(100*time.Millisecond))
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("pre-commit: %v\n%s", err, out.String())
		}
		return out.String(), cmd.ProcessState.ExitCode()
	}
	notDockerfiles := []string{"README.md", "good/Containerfile.dockerignore", "good/motd"}

	// The good files alone: the hook passes (and the files that are not
	// Dockerfiles are never given to cachelint, which would report them).
	out, code := tryRepo(append([]string{"cachelint", "--files", "good/Containerfile", "good/api.dockerfile"}, notDockerfiles...)...)
	hooks := preCommitResults(out)
	if code != 0 || hooks["cachelint"].status != "Passed" {
		t.Fatalf("hook cachelint on the good files: exit status %d, want 0 and Passed; output:\n%s", code, out)
	}

	// Every file, every hook: both fail, naming the bad Dockerfile only.
	out, code = tryRepo(append([]string{"--files", "bad/Dockerfile", "good/Containerfile", "good/api.dockerfile"}, notDockerfiles...)...)
	hooks = preCommitResults(out)
	if code != 1 {
		t.Errorf("all hooks on every file: exit status %d, want 1", code)
	}
	for _, name := range []string{"cachelint", "cachelint (whole repository)"} {
		r := hooks[name]
		if r.status != "Failed" {
			t.Errorf("hook %q: %q, want Failed", name, r.status)
		}
		if !strings.Contains(r.output, "bad/Dockerfile:3:6: warning CL001 copy-before-install") {
			t.Errorf("hook %q does not report CL001 in bad/Dockerfile", name)
		}
		for _, f := range append([]string{"good/"}, notDockerfiles...) {
			if strings.Contains(r.output, f) {
				t.Errorf("hook %q names %s", name, f)
			}
		}
	}
	if t.Failed() {
		t.Logf("pre-commit output:\n%s", out)
	}
}

// preCommitResult is what pre-commit printed for one hook.
type preCommitResult struct {
	status string // Passed, Failed or Skipped
	output string // the lines after the status line
}

var preCommitStatusLine = regexp.MustCompile(`^(\S.*?)\.{3,}(?:\([^)]*\))?(Passed|Failed|Skipped)$`)

// preCommitResults splits pre-commit run's output by hook name.
func preCommitResults(out string) map[string]preCommitResult {
	results := map[string]preCommitResult{}
	var name string
	for _, line := range strings.Split(out, "\n") {
		if m := preCommitStatusLine.FindStringSubmatch(line); m != nil {
			name = m[1]
			results[name] = preCommitResult{status: m[2]}
			continue
		}
		if name != "" {
			r := results[name]
			r.output += line + "\n"
			results[name] = r
		}
	}
	return results
}

// preCommitEnv is the environment for git and pre-commit: no GIT_ variables
// or user git configuration from outside (a test may run inside a git
// hook), an author for commits, pre-commit's store in the test's
// directory, Go's module and build caches shared with this machine, and
// no cachelint on PATH but the one pre-commit installs.
func preCommitEnv(t *testing.T, tmp string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "GIT_"), strings.HasPrefix(name, "PRE_COMMIT"), name == "SKIP":
			continue
		case name == "PATH":
			kv = "PATH=" + pathWithoutTestCachelint(value)
		}
		env = append(env, kv)
	}
	gitConfig := filepath.Join(tmp, "gitconfig")
	if err := os.WriteFile(gitConfig, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	goEnv, err := exec.Command("go", "env", "GOMODCACHE", "GOCACHE").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	caches := strings.Fields(string(goEnv))
	if len(caches) != 2 {
		t.Fatalf("go env GOMODCACHE GOCACHE: %q", goEnv)
	}
	return append(env,
		"GIT_CONFIG_GLOBAL="+gitConfig, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=cachelint test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=cachelint test", "GIT_COMMITTER_EMAIL=test@example.com",
		"PRE_COMMIT_HOME="+filepath.Join(tmp, "pre-commit-home"),
		"GOMODCACHE="+caches[0], "GOCACHE="+caches[1],
	)
}

// pathWithoutTestCachelint drops the directory where testscript.Main put
// this test binary as "cachelint", so that a hook can only run the
// cachelint pre-commit built.
func pathWithoutTestCachelint(list string) string {
	self, err := os.Executable()
	if err != nil {
		return list
	}
	selfInfo, err := os.Stat(self)
	if err != nil {
		return list
	}
	var keep []string
	for _, dir := range filepath.SplitList(list) {
		if info, err := os.Stat(filepath.Join(dir, "cachelint")); err == nil && os.SameFile(info, selfInfo) {
			continue
		}
		keep = append(keep, dir)
	}
	return strings.Join(keep, string(filepath.ListSeparator))
}

// snapshotCheckout commits the working tree of the checkout at root as it
// is (tracked files with their uncommitted changes, and untracked files
// that are not ignored) to a new repository at dst.
func snapshotCheckout(t *testing.T, root, dst string, env []string) {
	t.Helper()
	ls := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	ls.Dir = root
	listed, err := ls.Output()
	if err != nil {
		t.Fatalf("git ls-files in %s (the test needs a git checkout): %v", root, err)
	}
	for _, rel := range strings.Split(string(listed), "\x00") {
		if rel == "" {
			continue
		}
		src, to := filepath.Join(root, rel), filepath.Join(dst, rel)
		info, err := os.Lstat(src)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(src)
			if err == nil {
				err = os.Symlink(target, to)
			}
			if err != nil {
				t.Fatal(err)
			}
		case info.Mode().IsRegular():
			data, err := os.ReadFile(src)
			if err == nil {
				err = os.WriteFile(to, data, info.Mode().Perm())
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	gitCmd(t, env, dst, "init", "-q")
	gitCmd(t, env, dst, "add", "-A")
	gitCmd(t, env, dst, "commit", "-q", "-m", "snapshot of the working tree")
}

func gitCmd(t *testing.T, env []string, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
