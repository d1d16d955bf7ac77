package dockerfile

import (
	"strings"
	"testing"
)

// TestLongLineError: BuildKit refuses a line over 64 KiB without saying
// which (its error names the line before); the model finds it. (When the
// first line is the long one, BuildKit says the file has no
// instructions.)
func TestLongLineError(t *testing.T) {
	long := "RUN echo " + strings.Repeat("a", 70_000)
	for _, tt := range []struct {
		src  string
		line int
	}{
		{"FROM alpine\n" + long + "\n", 2},
		{"FROM alpine\nRUN a\n\n# c\n" + long, 5},
	} {
		f := Parse("Dockerfile", []byte(tt.src), nil)
		if f.ParseErr == nil || !strings.Contains(f.ParseErr.Error(), "line greater than max allowed size") || f.ParseErrLine != tt.line {
			t.Errorf("error %v on line %d, want line %d", f.ParseErr, f.ParseErrLine, tt.line)
		}
	}
}
