//go:build unix

package main

import (
	"bytes"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Paths that are not files, trees that fight the walk, and reports
// written where they must not go. (lint/hostile_test.go has the file
// contents.)

// errorLines returns the lines of stderr, each checked to be one
// "cachelint: " message.
func errorLines(t *testing.T, stderr string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "cachelint: ") {
			t.Errorf("stderr line %q is not a cachelint message", l)
		}
	}
	return lines
}

// TestPathsThatAreNotFiles: a named pipe (whose open would block), a
// socket, /dev/zero (which never ends) and /dev/null given as paths each
// get one line on standard error and exit status 2 at once; the
// Dockerfile given beside them is linted and reported.
func TestPathsThatAreNotFiles(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "good/Dockerfile", findingSrc)
	if err := syscall.Mkfifo("fifo", 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", filepath.Join(dir, "sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close() //nolint:errcheck // a test listener
	want := map[string]string{
		"fifo": "cachelint: fifo: is a named pipe (FIFO), not a regular file",
		"sock": "cachelint: sock: is a socket, not a regular file",
	}
	for _, dev := range []string{"/dev/zero", "/dev/null"} {
		if st, err := os.Stat(dev); err == nil && st.Mode()&fs.ModeCharDevice != 0 {
			want[dev] = "cachelint: " + dev + ": is a device, not a regular file"
		}
	}
	for path, msg := range want {
		status, stdout, stderr := runCLI(t, "--color", "never", "good/Dockerfile", path)
		if status != exitError {
			t.Errorf("%s: exit status %d, want 2", path, status)
		}
		if lines := errorLines(t, stderr); len(lines) != 1 || lines[0] != msg {
			t.Errorf("%s: stderr %q, want %q", path, stderr, msg)
		}
		if !strings.Contains(stdout, "good/Dockerfile:2:6: warning CL001") {
			t.Errorf("%s: the other file is not reported:\n%s", path, stdout)
		}
	}
}

// TestWalkSymlinkLoops: a directory walk does not follow symbolic links,
// so loops end at once; files behind links are not linted twice.
func TestWalkSymlinkLoops(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "repo/app/Dockerfile", findingSrc)
	for link, target := range map[string]string{
		"repo/app/loop":      "..",
		"repo/self":          "self",
		"repo/a":             "b",
		"repo/b":             "a",
		"repo/Dockerfile":    "app/Dockerfile",
		"repo/up/Dockerfile": "../app/loop/app/Dockerfile",
	} {
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	status, stdout, stderr := runCLI(t, "--color", "never", "repo")
	if status != exitFindings || stderr != "" {
		t.Errorf("exit status %d, stderr %q", status, stderr)
	}
	if strings.Count(stdout, "warning CL001") != 1 || !strings.Contains(stdout, "repo/app/Dockerfile:2:6") {
		t.Errorf("want one finding, in repo/app/Dockerfile:\n%s", stdout)
	}
	// A link given by name is linted: it is what the user asked for.
	status, stdout, _ = runCLI(t, "--color", "never", "repo/Dockerfile")
	if status != exitFindings || !strings.Contains(stdout, "repo/Dockerfile:2:6") {
		t.Errorf("a link given by name: exit status %d:\n%s", status, stdout)
	}
}

// TestUnreadableDirectory: a directory the walk cannot read gets one line
// on standard error and exit status 2, and the rest of the tree is
// linted. Root reads every directory, so the test cannot run as root.
func TestUnreadableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which can read a directory without read permission")
	}
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "repo/app/Dockerfile", findingSrc)
	writeFile(t, "repo/secret/Dockerfile", findingSrc)
	if err := os.Chmod("repo/secret", 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod("repo/secret", 0o755) //nolint:errcheck // for TempDir's cleanup
	status, stdout, stderr := runCLI(t, "--color", "never", "repo")
	if status != exitError {
		t.Errorf("exit status %d, want 2", status)
	}
	if lines := errorLines(t, stderr); len(lines) != 1 || lines[0] != "cachelint: repo/secret: permission denied" {
		t.Errorf("stderr %q", stderr)
	}
	if !strings.Contains(stdout, "repo/app/Dockerfile:2:6") {
		t.Errorf("the readable file is not reported:\n%s", stdout)
	}
}

// TestFileOverTheLimit: a file over --max-file-size gets one line saying
// so and how to raise the limit, exit status 2, and the other files are
// linted; with the limit raised it is linted.
func TestFileOverTheLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("large input skipped in -short mode")
	}
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "good/Dockerfile", findingSrc)
	var b strings.Builder
	b.WriteString(findingSrc)
	for b.Len() < 50<<20 {
		b.WriteString("# " + strings.Repeat("x", 97) + "\n")
	}
	writeFile(t, "big/Dockerfile", b.String())
	size := b.Len()

	status, stdout, stderr := runCLI(t, "--color", "never", "good", "big")
	want := "cachelint: big/Dockerfile: file is " + strconv.Itoa(size) + " bytes, over the 16777216-byte limit (--max-file-size raises it)"
	if status != exitError || strings.TrimSuffix(stderr, "\n") != want {
		t.Errorf("exit status %d, stderr %q, want %q", status, stderr, want)
	}
	if !strings.Contains(stdout, "good/Dockerfile:2:6") || !strings.HasSuffix(stdout, "in 2 files; 1 file could not be linted\n") {
		t.Errorf("stdout:\n%s", stdout)
	}

	status, stdout, stderr = runCLI(t, "--color", "never", "--max-file-size", strconv.Itoa(64<<20), "big")
	if status != exitFindings || stderr != "" || !strings.Contains(stdout, "big/Dockerfile:2:6: warning CL001") {
		t.Errorf("with the limit raised: exit status %d, stderr %q:\n%s", status, stderr, stdout)
	}

	// Standard input has the same limit.
	var out, errOut bytes.Buffer
	if status := run([]string{"--max-file-size", "10", "-"}, strings.NewReader(findingSrc), &out, &errOut); status != exitError ||
		errOut.String() != "cachelint: <stdin>: input is over the 10-byte limit (--max-file-size raises it)\n" {
		t.Errorf("standard input: exit status %d, stderr %q", status, errOut.String())
	}
}

// TestStderrIsTerminalSafe: file names and BuildKit's errors, which quote
// the file, reach standard error with control characters escaped.
func TestStderrIsTerminalSafe(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "evil\x1b[2Jdir/Dockerfile", "# escape=\x1b]0;pwned\x07\nFROM alpine\n")
	status, stdout, stderr := runCLI(t, "--color", "never", "evil\x1b[2Jdir", "gone\x1b[31m")
	if status != exitError {
		t.Errorf("exit status %d", status)
	}
	for _, out := range []string{stdout, stderr} {
		if strings.ContainsAny(out, "\x1b\x07") {
			t.Errorf("raw control characters in\n%q", out)
		}
	}
	// cachelint config shows what the configuration file says.
	writeFile(t, "cfg/.cachelint.yaml", "tools:\n  - name: \"x\\e[2Jy\"\n    command: [\"./i\\a\"]\n    cache-dirs: [\"/c\"]\n")
	if status, stdout, stderr := runCLI(t, "config", "cfg"); status != exitOK || strings.ContainsAny(stdout+stderr, "\x1b\x07") ||
		!strings.Contains(stdout, `x\x1b[2Jy: command ./i\x07`) {
		t.Errorf("cachelint config: exit status %d, stderr %q, stdout\n%q", status, stderr, stdout)
	}
	for _, want := range []string{
		`cachelint: gone\x1b[31m: no such file or directory`,
		`cachelint: evil\x1b[2Jdir/Dockerfile: BuildKit cannot parse it: invalid escape token '\x1b]0;pwned\x07' does not match`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// TestOutputReplacesLinks: --output replaces a symbolic link at its path
// with the report, and leaves the file the link pointed to alone; the
// same for --write-baseline.
func TestOutputReplacesLinks(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "Dockerfile", findingSrc)
	writeFile(t, "elsewhere/precious", "keep me\n")
	for _, flag := range []string{"--output", "--write-baseline"} {
		link := "report" + flag
		if err := os.Symlink("elsewhere/precious", link); err != nil {
			t.Fatal(err)
		}
		runCLI(t, "--format", "json", flag, link, "Dockerfile")
		st, err := os.Lstat(link)
		if err != nil || !st.Mode().IsRegular() {
			t.Errorf("%s: %s is not a regular file now: %v %v", flag, link, st, err)
		}
		if data, _ := os.ReadFile(link); !strings.Contains(string(data), "CL001") {
			t.Errorf("%s: %s does not hold the report:\n%s", flag, link, data)
		}
		if data, _ := os.ReadFile("elsewhere/precious"); string(data) != "keep me\n" {
			t.Errorf("%s: the link's target was written: %q", flag, data)
		}
	}
	// A dangling link is replaced too, not followed to create its target.
	if err := os.Symlink("elsewhere/new", "dangling"); err != nil {
		t.Fatal(err)
	}
	runCLI(t, "--output", "dangling", "Dockerfile")
	if _, err := os.Lstat("elsewhere/new"); err == nil {
		t.Error("--output followed a dangling link")
	}
	// A directory is refused.
	if status, _, stderr := runCLI(t, "--output", "elsewhere", "Dockerfile"); status != exitError ||
		stderr != "cachelint: --output elsewhere: is a directory\n" {
		t.Errorf("--output to a directory: exit status %d, stderr %q", status, stderr)
	}
}

// TestOutputToStreams: --output to a named pipe, a character device or a
// path under /dev (a file descriptor) writes to it as it is: it is not
// replaced by a file (which, for root, would break /dev/null); the same
// for --write-baseline.
func TestOutputToStreams(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "Dockerfile", findingSrc)

	// A file descriptor, as a shell's process substitution gives one.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		data, _ := io.ReadAll(r)
		got <- string(data)
	}()
	status, _, stderr := runCLI(t, "--format", "json", "--output", "/dev/fd/"+strconv.Itoa(int(w.Fd())), "Dockerfile")
	_ = w.Close()
	if out := <-got; status != exitFindings || stderr != "" || !strings.Contains(out, `"code": "CL001"`) {
		t.Errorf("/dev/fd/N: exit status %d, stderr %q, read %q", status, stderr, out)
	}

	// A named pipe, read by another process (here a goroutine).
	if err := syscall.Mkfifo("pipe", 0o644); err != nil {
		t.Fatal(err)
	}
	go func() {
		f, err := os.Open("pipe")
		if err != nil {
			got <- err.Error()
			return
		}
		data, _ := io.ReadAll(f)
		_ = f.Close()
		got <- string(data)
	}()
	status, _, stderr = runCLI(t, "--format", "json", "--output", "pipe", "Dockerfile")
	if out := <-got; status != exitFindings || stderr != "" || !strings.Contains(out, `"code": "CL001"`) {
		t.Errorf("named pipe: exit status %d, stderr %q, read %q", status, stderr, out)
	}
	if st, err := os.Lstat("pipe"); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the named pipe was replaced: %v %v", st, err)
	}

	// A character device of our own (the null device's numbers), which
	// only root can make.
	if os.Geteuid() != 0 {
		return
	}
	if err := syscall.Mknod("null", syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skipf("cannot make a device here: %v", err)
	}
	for _, flag := range []string{"--output", "--write-baseline"} {
		status, _, stderr = runCLI(t, flag, "null", "Dockerfile")
		if st, err := os.Lstat("null"); status == exitError || err != nil || st.Mode()&fs.ModeCharDevice == 0 {
			t.Errorf("%s to a character device: exit status %d, stderr %q, now %v %v", flag, status, stderr, st, err)
		}
	}
}

// TestConfigFileThatIsAPipe: a named pipe where the walk expects a
// workflow is refused without being opened (the run does not block): one
// line on standard error naming it, exit status 2, and the Dockerfile and
// the other workflow are still linted.
func TestConfigFileThatIsAPipe(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "repo/Dockerfile", findingSrc)
	writeFile(t, "repo/.github/workflows/ok.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build .\n")
	if err := syscall.Mkfifo("repo/.github/workflows/pipe.yml", 0o644); err != nil {
		t.Fatal(err)
	}
	status, stdout, stderr := runCLI(t, "--color", "never", "repo")
	if status != exitError {
		t.Errorf("exit status %d, want 2", status)
	}
	want := "cachelint: repo/.github/workflows/pipe.yml: is a named pipe (FIFO), not a regular file"
	if lines := errorLines(t, stderr); len(lines) != 1 || lines[0] != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	if !strings.Contains(stdout, "repo/Dockerfile:2:6: warning CL001") || !strings.Contains(stdout, "in 3 files") {
		t.Errorf("the other files are not reported:\n%s", stdout)
	}
}
