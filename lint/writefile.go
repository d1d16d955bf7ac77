package lint

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// WriteFile writes what write writes to the named file. A regular file (or
// nothing) at that path is replaced atomically: the content goes to a
// temporary file in the same directory, renamed over the path, so that a
// reader sees the old file or the new one, never half of one. A symbolic
// link there is replaced too, never followed to wherever it points.
// Streams are written to as they are: a named pipe or a character device
// at the path (a FIFO, /dev/null), and any path under /dev or /proc
// (/dev/stdout, /dev/fd/3), where links lead to the process's own streams
// and no file belongs; replacing those with a file would be wrong, and for
// root would break /dev/null. A directory, a block device or a socket is
// refused.
func WriteFile(name string, write func(io.Writer) error) error {
	inPlace, err := writeInPlace(name)
	if err != nil {
		return err
	}
	if inPlace {
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return Cause(err)
		}
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return Cause(err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".cachelint-*.tmp")
	if err != nil {
		return Cause(err)
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after the rename; best effort otherwise
	if err := write(tmp); err != nil {
		_ = tmp.Close()
		return Cause(err)
	}
	if err := tmp.Close(); err != nil {
		return Cause(err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return Cause(err)
	}
	return Cause(os.Rename(tmp.Name(), name))
}

// writeInPlace reports whether WriteFile writes to name as it is (a
// stream) rather than by replacing it, and refuses what is neither a
// stream nor a file to replace.
func writeInPlace(name string) (bool, error) {
	if abs, err := filepath.Abs(name); err == nil && (strings.HasPrefix(abs, "/dev/") || strings.HasPrefix(abs, "/proc/")) {
		return true, nil
	}
	st, err := os.Lstat(name)
	if err != nil {
		return false, nil // nothing there (or nothing known): create it
	}
	m := st.Mode()
	switch {
	case m&fs.ModeNamedPipe != 0 || m&fs.ModeCharDevice != 0:
		return true, nil
	case m.IsDir():
		return false, errors.New("is a directory")
	case m&fs.ModeDevice != 0:
		return false, errors.New("is a block device, not a file to write to")
	case m&fs.ModeSocket != 0:
		return false, errors.New("is a socket, not a file to write to")
	}
	return false, nil // a regular file or a symbolic link: replace it
}
