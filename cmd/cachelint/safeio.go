package main

import (
	"io"

	"github.com/cachelint/cachelint/report"
)

// terminalSafe writes to standard error with control characters shown as
// visible escapes (report.EscapeControls): messages there quote file
// names and BuildKit's errors, which quote the file, and neither may send
// escape sequences to the reader's terminal. Each Write is escaped on its
// own; every message is written whole.
type terminalSafe struct{ w io.Writer }

func (t terminalSafe) Write(p []byte) (int, error) {
	if _, err := io.WriteString(t.w, report.EscapeControls(string(p), true)); err != nil {
		return 0, err
	}
	return len(p), nil
}
