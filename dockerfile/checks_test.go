package dockerfile

import (
	"fmt"
	"testing"
)

// TestParseWarnings checks the warnings of BuildKit's parse-time checks:
// configured by the check directive and the comments above an
// instruction, and none after the first instruction BuildKit rejects.
func TestParseWarnings(t *testing.T) {
	for _, tt := range []struct {
		src, want string
		rejected  int // line of File.Rejected, 0 for none
	}{
		{"FROM alpine as Build\nMAINTAINER me\n", "[{StageNameCasing Stage name 'Build' should be lowercase 1 1} {FromAsCasing 'as' and 'FROM' keywords' casing do not match 1 1} {MaintainerDeprecated Maintainer instruction is deprecated in favor of using label 2 2}]", 0},
		{"# check=skip=MaintainerDeprecated\nFROM alpine\nMAINTAINER me\n", "[]", 0},
		{"FROM alpine\n# check=skip=MaintainerDeprecated\nMAINTAINER me\nMAINTAINER you\n", "[{MaintainerDeprecated Maintainer instruction is deprecated in favor of using label 4 4}]", 0},
		{"FROM alpine\nRUN a \\\n\n  b\n", "[{NoEmptyContinuation Empty continuation line 4 4}]", 0},
		{"MAINTAINER me\nFROM alpine\nMAINTAINER you\n", "[{MaintainerDeprecated Maintainer instruction is deprecated in favor of using label 1 1}]", 1},
		{"FROM alpine\nCOPY --nope a b\nMAINTAINER me\n", "[]", 2},
	} {
		f := Parse("Dockerfile", []byte(tt.src), nil)
		if got := fmt.Sprint(f.ParseWarnings); got != tt.want {
			t.Errorf("%q: warnings %s, want %s", tt.src, got, tt.want)
		}
		line := 0
		if f.Rejected != nil {
			line = f.Rejected.StartLine
		}
		if line != tt.rejected {
			t.Errorf("%q: rejected on line %d, want %d", tt.src, line, tt.rejected)
		}
	}
}
