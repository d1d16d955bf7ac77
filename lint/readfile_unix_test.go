//go:build unix

package lint_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cachelint/cachelint/lint"
)

// TestReadFileRefusesWhatIsNotAFile checks that ReadFile answers at once,
// with a one-line error saying what the path is, for everything that is
// not a regular file: a named pipe (whose open would wait for a writer),
// a socket, a device that never ends (/dev/zero) or is empty (/dev/null),
// a directory; and that it reads a link to a regular file, and refuses a
// file over the limit.
func TestReadFileRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "Dockerfile.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "Dockerfile.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close() //nolint:errcheck // a test listener
	regular := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(regular, []byte("FROM alpine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	fifoLink := filepath.Join(dir, "fifo-link")
	if err := os.Symlink(fifo, fifoLink); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path  string
		limit int64
		want  string // "" reads
	}{
		{fifo, 1 << 20, "is a named pipe (FIFO), not a regular file"},
		{fifoLink, 1 << 20, "is a named pipe (FIFO), not a regular file"},
		{sock, 1 << 20, "is a socket, not a regular file"},
		{"/dev/zero", 1 << 20, "is a device, not a regular file"},
		{"/dev/null", 1 << 20, "is a device, not a regular file"},
		{dir, 1 << 20, "is a directory"},
		{filepath.Join(dir, "gone"), 1 << 20, "no such file or directory"},
		{regular, 1 << 20, ""},
		{link, 1 << 20, ""},
		{regular, 5, "file is 12 bytes, over the 5-byte limit"},
	}
	for _, tt := range tests {
		if st, err := os.Stat(tt.path); err == nil && strings.HasPrefix(tt.path, "/dev/") && st.Mode().IsRegular() {
			t.Logf("%s is a regular file on this machine: not tried", tt.path)
			continue
		}
		done := make(chan error, 1)
		go func() {
			_, err := lint.ReadFile(tt.path, tt.limit)
			done <- err
		}()
		select {
		case err := <-done:
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("%s: %v", tt.path, err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("%s: error %v, want %q", tt.path, err, tt.want)
			case err != nil && strings.Contains(err.Error(), "\n"):
				t.Errorf("%s: error on more than one line: %q", tt.path, err)
			}
			var tl *lint.TooLargeError
			if tt.limit == 5 && !errors.As(err, &tl) {
				t.Errorf("%s: %v is not a *TooLargeError", tt.path, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: ReadFile hangs", tt.path)
		}
	}
}
