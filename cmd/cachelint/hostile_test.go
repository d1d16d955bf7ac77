package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const findingSrc = "FROM node:22\nCOPY . .\nRUN npm ci\n" // CL001 on line 2

// runCLI runs cachelint, failing the test if it does not return within
// 20 seconds.
func runCLI(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(args, strings.NewReader(""), &out, &errOut) }()
	select {
	case status = <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("cachelint %s does not return", strings.Join(args, " "))
	}
	return status, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrokenFiles: files that cannot be linted get one line on standard
// error and exit status 2, after the others are linted and reported.
func TestBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "good/Dockerfile", findingSrc)
	utf16 := []byte{0xff, 0xfe}
	for _, c := range []byte(findingSrc) {
		utf16 = append(utf16, c, 0)
	}
	files := map[string]string{
		"empty/Dockerfile":    "",
		"comments/Dockerfile": "# only\n# comments\n",
		"utf16/Dockerfile":    string(utf16),
		"binary/Dockerfile":   "\x7fELF\x02\x01\x01\x00\x00",
		"longline/Dockerfile": "FROM alpine\nRUN echo " + strings.Repeat("a", 70000) + "\n",
	}
	want := map[string]string{
		"empty/Dockerfile":    "cachelint: empty/Dockerfile: BuildKit cannot parse it: file with no instructions",
		"comments/Dockerfile": "cachelint: comments/Dockerfile: BuildKit cannot parse it: file with no instructions",
		"utf16/Dockerfile":    "cachelint: utf16/Dockerfile: not a Dockerfile: it is UTF-16 text (it starts with a UTF-16 byte order mark); BuildKit reads Dockerfiles as UTF-8",
		"binary/Dockerfile":   "cachelint: binary/Dockerfile: not a Dockerfile: it holds a NUL byte (line 1): binary data, or text in UTF-16 or UTF-32",
		"longline/Dockerfile": "cachelint: longline/Dockerfile: BuildKit cannot parse it: dockerfile line greater than max allowed size of 65535",
	}
	for name, data := range files {
		writeFile(t, name, data)
		status, stdout, stderr := runCLI(t, "--color", "never", "good/Dockerfile", name)
		if status != exitError || strings.TrimSuffix(stderr, "\n") != want[name] {
			t.Errorf("%s: exit status %d, stderr %q, want %q", name, status, stderr, want[name])
		}
		if !strings.Contains(stdout, "good/Dockerfile:2:6: warning CL001") || !strings.HasSuffix(stdout, "; 1 file could not be linted\n") {
			t.Errorf("%s: stdout:\n%s", name, stdout)
		}
		if len(stdout) > 10000 {
			t.Errorf("%s: %d bytes of output", name, len(stdout))
		}
	}
}
