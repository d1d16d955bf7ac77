package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// TooLargeError is a file over the size limit.
type TooLargeError struct {
	Size  int64 // the file's size; -1 when it is a stream
	Limit int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("input is over the %d-byte limit", e.Limit)
	}
	return fmt.Sprintf("file is %d bytes, over the %d-byte limit", e.Size, e.Limit)
}

// ReadFile reads the named file when it is a regular file (or a symbolic
// link to one) of at most limit bytes. Anything else is refused with an
// error saying what it is, and without a read that could block or not end:
// a named pipe is refused before it is opened (opening one for reading
// waits for a writer), and the file is opened without blocking in case it
// was replaced by one in between; a device such as /dev/zero, a socket or
// a directory is never read.
func ReadFile(name string, limit int64) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, Cause(err)
	}
	if err := regular(st); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(name, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, Cause(err)
	}
	defer f.Close() //nolint:errcheck // read-only file
	if st, err = f.Stat(); err != nil {
		return nil, Cause(err)
	}
	if err := regular(st); err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, &TooLargeError{Size: st.Size(), Limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, Cause(err)
	}
	if int64(len(data)) > limit { // it grew while being read
		return nil, &TooLargeError{Size: int64(len(data)), Limit: limit}
	}
	return data, nil
}

// regular returns why a file that is not a regular file cannot be read.
func regular(st fs.FileInfo) error {
	m := st.Mode()
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return errors.New("is a directory")
	case m&fs.ModeNamedPipe != 0:
		return errors.New("is a named pipe (FIFO), not a regular file")
	case m&fs.ModeSocket != 0:
		return errors.New("is a socket, not a regular file")
	case m&fs.ModeDevice != 0:
		return errors.New("is a device, not a regular file")
	}
	return errors.New("not a regular file")
}

// ErrNotDockerfile is the cause of a file that is not linted because it
// is not a Dockerfile's text: binary data, or text in UTF-16 or UTF-32.
var ErrNotDockerfile = errors.New("not a Dockerfile")

// checkText returns why src cannot be a Dockerfile, or nil. BuildKit
// reads a Dockerfile as UTF-8 (with or without a byte order mark): a file
// that starts with a UTF-16 or UTF-32 byte order mark, or that holds a
// NUL byte (binary data, or text in UTF-16 or UTF-32 without a mark),
// would only give a finding on every line.
func checkText(src []byte) error {
	switch {
	case bytes.HasPrefix(src, []byte{0xff, 0xfe, 0, 0}), bytes.HasPrefix(src, []byte{0, 0, 0xfe, 0xff}):
		return fmt.Errorf("%w: it is UTF-32 text (it starts with a UTF-32 byte order mark); BuildKit reads Dockerfiles as UTF-8", ErrNotDockerfile)
	case bytes.HasPrefix(src, []byte{0xff, 0xfe}), bytes.HasPrefix(src, []byte{0xfe, 0xff}):
		return fmt.Errorf("%w: it is UTF-16 text (it starts with a UTF-16 byte order mark); BuildKit reads Dockerfiles as UTF-8", ErrNotDockerfile)
	}
	if i := bytes.IndexByte(src, 0); i >= 0 {
		line := bytes.Count(src[:i], []byte{'\n'}) + 1
		return fmt.Errorf("%w: it holds a NUL byte (line %d): binary data, or text in UTF-16 or UTF-32", ErrNotDockerfile, line)
	}
	return nil
}
