package lint_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// Hostile and broken inputs: each gives a one-line error or the right
// findings, in bounded time and memory. (The CLI's side of them, exit
// statuses and paths that are not files, is in cmd/cachelint.)

func newLinter(t *testing.T) *lint.Linter {
	t.Helper()
	l, err := lint.New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// lintSrc lints src as a Dockerfile in an empty context directory.
func lintSrc(t *testing.T, src []byte) lint.FileResult {
	t.Helper()
	dir := t.TempDir()
	return newLinter(t).Lint(lint.Unit{Path: "Dockerfile", AbsPath: filepath.Join(dir, "Dockerfile"), Src: src})
}

// keys lists findings as "line:col-endLine:endCol CODE message".
func keys(fs []lint.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fmt.Sprintf("%d:%d-%d:%d %s %s", f.Line, f.Col, f.EndLine, f.EndCol, f.Code, f.Message)
		for _, fix := range f.Fixes {
			for _, e := range fix.Edits {
				out[i] += fmt.Sprintf(" edit %d:%d-%d:%d", e.Line, e.Col, e.EndLine, e.EndCol)
			}
		}
	}
	return out
}

func codes(fs []lint.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%d:%s", f.Line, f.Code))
	}
	return strings.Join(out, " ")
}

func oneLineErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) || strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("error %v, want one line with %q", err, want)
	}
}

func TestEmptyAndCommentsOnly(t *testing.T) {
	for _, src := range []string{"", "\n\n", "# just\n# comments\n", "# syntax=docker/dockerfile:1\n# a comment"} {
		r := lintSrc(t, []byte(src))
		oneLineErr(t, r.Err, "BuildKit cannot parse it: file with no instructions")
		// The error is on the last line, or on none in an empty file.
		if got := codes(r.Findings); got != "0:CL900" && got != "1:CL900" && got != "2:CL900" {
			t.Errorf("%q: findings %s, want one CL900", src, got)
		}
	}
}

// TestNotText: a file in UTF-16 or UTF-32, or with a NUL byte (binary
// data), is not linted: one error says why, and there is no finding on
// every line.
func TestNotText(t *testing.T) {
	text := "FROM node:22\nCOPY . .\nRUN npm ci\n"
	utf16 := func(bom []byte, le bool) []byte {
		out := append([]byte{}, bom...)
		for _, c := range []byte(text) {
			if le {
				out = append(out, c, 0)
			} else {
				out = append(out, 0, c)
			}
		}
		return out
	}
	tests := []struct {
		src  []byte
		want string
	}{
		{utf16([]byte{0xff, 0xfe}, true), "not a Dockerfile: it is UTF-16 text"},
		{utf16([]byte{0xfe, 0xff}, false), "not a Dockerfile: it is UTF-16 text"},
		{utf16(nil, true), "not a Dockerfile: it holds a NUL byte (line 1)"},
		{append([]byte{0xff, 0xfe, 0, 0}, "F\x00\x00\x00"...), "not a Dockerfile: it is UTF-32 text"},
		{[]byte("FROM node:22\nRUN npm\x00 ci\n"), "not a Dockerfile: it holds a NUL byte (line 2)"},
		{[]byte("\x7fELF\x02\x01\x01\x00\x00\x00"), "not a Dockerfile: it holds a NUL byte (line 1)"},
	}
	for _, tt := range tests {
		r := lintSrc(t, tt.src)
		oneLineErr(t, r.Err, tt.want)
		if !errors.Is(r.Err, lint.ErrNotDockerfile) {
			t.Errorf("%q: %v is not ErrNotDockerfile", tt.src, r.Err)
		}
		if len(r.Findings) > 0 {
			t.Errorf("%q: findings %s", tt.src, codes(r.Findings))
		}
	}
	// A UTF-8 byte order mark is fine, as for BuildKit.
	r := lintSrc(t, append([]byte("\xef\xbb\xbf"), text...))
	if r.Err != nil || codes(r.Findings) != "2:CL001 3:CL003 3:CL025" {
		t.Errorf("UTF-8 with a byte order mark: %v, findings %s", r.Err, codes(r.Findings))
	}
}

// TestInvalidUTF8 lints a file with bytes that are not UTF-8 (Latin-1
// text) and finds what it finds in the same file with those bytes
// replaced by ASCII letters, at the same positions.
func TestInvalidUTF8(t *testing.T) {
	src := "# Caf\xe9\nFROM node:22\nLABEL author=\"Jos\xe9\"\nCOPY . .\nRUN echo \"d\xe9j\xe0 vu \xff\xfe\" && npm ci && cd /caf\xe9 && pip install -r r\xe9q.txt\n"
	// Every byte above 0x7f here is a byte of its own, not UTF-8.
	toASCII := func(s string) string {
		b := []byte(s)
		for i := range b {
			if b[i] >= 0x80 {
				b[i] = 'x'
			}
		}
		return string(b)
	}
	ascii := toASCII(src)
	bad, good := lintSrc(t, []byte(src)), lintSrc(t, []byte(ascii))
	if bad.Err != nil || good.Err != nil {
		t.Fatalf("errors: %v, %v", bad.Err, good.Err)
	}
	// The messages quote the commands as written.
	gotKeys, wantKeys := keys(bad.Findings), keys(good.Findings)
	for i := range gotKeys {
		gotKeys[i] = toASCII(gotKeys[i])
	}
	if strings.Join(gotKeys, "\n") != strings.Join(wantKeys, "\n") {
		t.Errorf("findings with Latin-1 bytes:\n%s\nwith ASCII:\n%s", strings.Join(gotKeys, "\n"), strings.Join(wantKeys, "\n"))
	}
	if !strings.Contains(codes(bad.Findings), "5:CL003") {
		t.Errorf("npm ci after an echo of Latin-1 text is not seen: %s", codes(bad.Findings))
	}
}

// TestCRLF lints a file with CRLF line endings and finds what it finds in
// the same file with LF endings, at the same lines and columns, edits
// included.
func TestCRLF(t *testing.T) {
	lf := "# syntax=docker/dockerfile:1\nFROM node:22 AS build\nWORKDIR /app\nCOPY . .\n" +
		"RUN npm install && \\\n    npm run build\n" +
		"RUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n" +
		"ARG NPM_TOKEN=abcd1234\n" +
		"FROM nginx\nCOPY --from=build /app/dist /usr/share/nginx/html\n"
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	a, b := lintSrc(t, []byte(lf)), lintSrc(t, []byte(crlf))
	if a.Err != nil || b.Err != nil {
		t.Fatalf("errors: %v, %v", a.Err, b.Err)
	}
	if len(a.Findings) < 5 {
		t.Fatalf("too few findings to compare: %s", codes(a.Findings))
	}
	ka, kb := keys(a.Findings), keys(b.Findings)
	if strings.Join(ka, "\n") != strings.Join(kb, "\n") {
		t.Errorf("LF:\n%s\nCRLF:\n%s", strings.Join(ka, "\n"), strings.Join(kb, "\n"))
	}
	for i := range b.Findings {
		if b.Findings[i].Fingerprint != a.Findings[i].Fingerprint {
			t.Errorf("%s: fingerprint depends on line endings", kb[i])
		}
	}
	if len(a.Secrets) != 1 || fmt.Sprint(a.Secrets) != fmt.Sprint(b.Secrets) {
		t.Errorf("secret ranges: LF %v, CRLF %v", a.Secrets, b.Secrets)
	}
}

// TestManyInstructions lints 100,000 instructions with every rule,
// BuildKit's checks included, in bounded time and memory. One in a
// thousand is a package install, one in fifty a cache mount: rules that
// compare each install or cache mount with every instruction before it
// would take minutes (BuildKit's own conversion, which cachelint no
// longer runs, took 5.6 minutes on this file).
func TestManyInstructions(t *testing.T) {
	if testing.Short() {
		t.Skip("large input skipped in -short mode")
	}
	src := manyInstructions(100_000)
	r, peak, took := measure(t, src)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if n := strings.Count(codes(r.Findings), "CL003"); n != 200 {
		t.Errorf("%d CL003 findings, want 200 (npm and apt-get)", n)
	}
	if n := strings.Count(codes(r.Findings), "CL006"); n != 1999 {
		t.Errorf("%d CL006 findings, want 1999 (a cache mount of the npm cache with another id than the first)", n)
	}
	t.Logf("100,000 instructions, %d bytes: %d findings in %v, peak heap %d MB", len(src), len(r.Findings), took, peak>>20)
	// The model holds a few KB an instruction.
	if peak > 1<<30 {
		t.Errorf("peak heap %d MB", peak>>20)
	}
	if took > 2*time.Minute {
		t.Errorf("took %v", took)
	}
}

// manyInstructions is a Dockerfile of n instructions after three: ENV,
// WORKDIR, LABEL, COPY and RUN in turn, a package install every thousand
// and a cache mount every fifty.
func manyInstructions(n int) []byte {
	var b bytes.Buffer
	b.WriteString("FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json ./\n")
	for i := range n {
		switch {
		case i%1000 == 0:
			fmt.Fprintf(&b, "RUN npm ci && apt-get install -y curl%d\n", i)
		case i%100 == 4:
			fmt.Fprintf(&b, "RUN --mount=type=cache,target=/root/.npm npm ci --prefix /app/d%d\n", i)
		case i%100 == 54:
			fmt.Fprintf(&b, "RUN --mount=type=cache,id=npm%d,target=/root/.npm npm ci --prefix /app/d%d\n", i%7, i)
		case i%5 == 0:
			fmt.Fprintf(&b, "ENV V%d=%d\n", i, i)
		case i%5 == 1:
			fmt.Fprintf(&b, "WORKDIR /app/d%d\n", i)
		case i%5 == 2:
			fmt.Fprintf(&b, "LABEL n%d=x\n", i)
		case i%5 == 3:
			fmt.Fprintf(&b, "COPY f%d /f%d\n", i, i)
		default:
			fmt.Fprintf(&b, "RUN echo %d > /tmp/f%d\n", i, i)
		}
	}
	return b.Bytes()
}

// TestDeepNesting: sh -c inside sh -c is followed to a depth (7), and no
// deeper, in bounded time; deeply nested subshells and command
// substitutions do not take the walker down.
func TestDeepNesting(t *testing.T) {
	nest := func(n int) string {
		s := "npm ci"
		for range n {
			s = "sh -c " + "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
		return s
	}
	for depth, want := range map[int]bool{1: true, 7: true, 8: false, 9: false} {
		r := lintSrc(t, []byte("FROM node:22\nRUN "+nest(depth)+"\n"))
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		if got := strings.Contains(codes(r.Findings), "CL003"); got != want {
			t.Errorf("npm ci in %d nested sh -c: found %v, want %v", depth, got, want)
		}
	}
	for name, src := range map[string]string{
		"subshells":      strings.Repeat("(", 20000) + "npm ci" + strings.Repeat(")", 20000),
		"substitutions":  "echo " + strings.Repeat("$(", 5000) + "npm ci" + strings.Repeat(")", 5000),
		"braces":         strings.Repeat("{ ", 5000) + "npm ci" + strings.Repeat("; }", 5000),
		"double quotes":  `echo "` + strings.Repeat(`$(echo "`, 3000) + "x" + strings.Repeat(`")`, 3000) + `"`,
		"if":             strings.Repeat("if true; then ", 3000) + "npm ci" + strings.Repeat("; fi", 3000),
		"bash -c in sh":  `sh -c "bash -c \"sh -c 'npm ci'\""`,
		"env and sudo":   strings.Repeat("sudo env A=1 ", 2000) + "npm ci",
		"heredoc nested": "<<EOF\nsh -c 'sh -c \"npm ci\"'\nEOF",
	} {
		start := time.Now()
		r := lintSrc(t, []byte("FROM node:22\nRUN "+src+"\n"))
		if r.Err != nil {
			t.Errorf("%s: %v", name, r.Err)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%s: %v", name, d)
		}
	}
}

// TestLargeFile: a 50 MB Dockerfile is refused over the default limit,
// and linted in memory proportional to its size when the limit is raised.
// Most of it is a heredoc body (an embedded file), the way real files get
// that large; TestManyInstructions covers a large file of instructions.
func TestLargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("large input skipped in -short mode")
	}
	dir := t.TempDir()
	name := filepath.Join(dir, "Dockerfile")
	var b bytes.Buffer
	b.WriteString("# syntax=docker/dockerfile:1\nFROM node:22\nCOPY . .\nRUN npm ci\nCOPY <<EOF /data.txt\n")
	line := strings.Repeat("x", 99) + "\n"
	for b.Len() < 50<<20 {
		b.WriteString(line)
	}
	b.WriteString("EOF\nRUN apt-get update\n")
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	size := b.Len()
	b = bytes.Buffer{}

	l := newLinter(t)
	r := l.Lint(lint.Unit{Path: "Dockerfile", AbsPath: name})
	var tl *lint.TooLargeError
	if !errors.As(r.Err, &tl) || tl.Limit != lint.DefaultMaxFileSize || tl.Size != int64(size) {
		t.Fatalf("over the default limit: %v", r.Err)
	}
	oneLineErr(t, r.Err, fmt.Sprintf("file is %d bytes, over the 16777216-byte limit", size))

	l.MaxFileSize = 64 << 20
	var peak uint64
	stop := sample(&peak)
	start := time.Now()
	r = l.Lint(lint.Unit{Path: "Dockerfile", AbsPath: name})
	took := time.Since(start)
	stop()
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	// The instructions before and after the heredoc are seen.
	if got := codes(r.Findings); !strings.HasPrefix(got, "3:CL001 4:CL003") || r.Findings[len(r.Findings)-1].Line < 500_000 {
		t.Errorf("findings %s", got)
	}
	t.Logf("%d bytes: %d findings in %v, peak heap %d MB", size, len(r.Findings), took, peak>>20)
	// Memory grows with the file, not beyond: about 10 times its size
	// (the bytes, their lines, BuildKit's parse and the model).
	if peak > uint64(size)*13 {
		t.Errorf("peak heap %d MB for a %d MB file", peak>>20, size>>20)
	}
}

// measure lints src and returns the result, the peak heap and the time.
func measure(t *testing.T, src []byte) (lint.FileResult, uint64, time.Duration) {
	t.Helper()
	return measureWith(t, newLinter(t), src)
}

// measureWith lints src with l as a Dockerfile in an empty context
// directory, and returns the result, the peak heap and the time.
func measureWith(t *testing.T, l *lint.Linter, src []byte) (lint.FileResult, uint64, time.Duration) {
	t.Helper()
	dir := t.TempDir()
	var peak uint64
	stop := sample(&peak)
	start := time.Now()
	r := l.Lint(lint.Unit{Path: "Dockerfile", AbsPath: filepath.Join(dir, "Dockerfile"), Src: src})
	took := time.Since(start)
	stop()
	return r, peak, took
}

// sample records the peak heap in use until stopped.
func sample(peak *uint64) (stop func()) {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var done atomic.Bool
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var m runtime.MemStats
		for !done.Load() {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base.HeapAlloc && m.HeapAlloc-base.HeapAlloc > *peak {
				*peak = m.HeapAlloc - base.HeapAlloc
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return func() { done.Store(true); <-finished }
}

// TestFileGoneBeforeRead: a file deleted between the walk and its read
// gets a one-line error, and the other files are linted.
func TestFileGoneBeforeRead(t *testing.T) {
	dir := t.TempDir()
	var units []lint.Unit
	for _, name := range []string{"a", "b", "c"} {
		p := filepath.Join(dir, name, "Dockerfile")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("FROM node:22\nCOPY . .\nRUN npm ci\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		units = append(units, lint.Unit{Path: name + "/Dockerfile", AbsPath: p})
	}
	if err := os.Remove(units[1].AbsPath); err != nil {
		t.Fatal(err)
	}
	results := newLinter(t).LintAll(units)
	for i, r := range results {
		if i == 1 {
			oneLineErr(t, r.Err, "no such file or directory")
			if len(r.Findings) > 0 || r.Lines != nil {
				t.Errorf("%s: findings or lines of a file that is gone", r.Path)
			}
			continue
		}
		if r.Err != nil || !strings.Contains(codes(r.Findings), "2:CL001") {
			t.Errorf("%s: %v, findings %s", r.Path, r.Err, codes(r.Findings))
		}
	}
}

// TestPathsOutsideContext: COPY sources with .. or an absolute path stay
// in the build context (as BuildKit makes them), and cache mount targets
// with .. or relative ones resolve against WORKDIR, without an error.
func TestPathsOutsideContext(t *testing.T) {
	root := t.TempDir()
	ctx := filepath.Join(root, "app")
	if err := os.MkdirAll(ctx, 0o755); err != nil {
		t.Fatal(err)
	}
	// Only outside the context: a lockfile that COPY ../ cannot reach.
	for _, f := range []string{"package.json", "package-lock.json"} {
		if err := os.WriteFile(filepath.Join(root, f), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := `FROM node:22
WORKDIR /app
COPY ../package.json ../../package-lock.json ./
COPY /etc/passwd /tmp/
ADD ../../../../etc/shadow /x
RUN --mount=type=cache,target=../../root/.npm npm ci
RUN --mount=type=cache,target=/../root/.npm npm ci
RUN --mount=type=cache,target=relative/.npm npm ci
RUN --mount=type=cache,target=/root/../root/.npm/../.npm npm ci
COPY --from=../x /a /b
`
	r := newLinter(t).Lint(lint.Unit{Path: "Dockerfile", AbsPath: filepath.Join(ctx, "Dockerfile"), Src: []byte(src)})
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	got := codes(r.Findings)
	// The mounts on lines 6, 7 and 9 resolve to /root/.npm: no CL003 and
	// no CL004; the relative one on line 8 is /app/relative/.npm.
	for _, want := range []string{"8:CL004"} {
		if !strings.Contains(got, want) {
			t.Errorf("findings %s lack %s", got, want)
		}
	}
	for _, bad := range []string{"CL003", "6:CL004", "7:CL004", "9:CL004"} {
		if strings.Contains(got, bad) {
			t.Errorf("findings %s have %s", got, bad)
		}
	}
}
