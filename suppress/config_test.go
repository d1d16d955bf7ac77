package suppress_test

import (
	"fmt"
	"go/token"
	"slices"
	"testing"

	"github.com/cachelint/cachelint/suppress"
)

func TestReadConfig(t *testing.T) {
	src := `jobs:
  build:
    steps:
      # cachelint ignore=CL101 -- the cache is small
      - uses: docker/build-push-action@v6
        with:
          cache-to: type=gha
      - uses: docker/build-push-action@v6
        with:
          cache-to: type=gha  # cachelint ignore=CL103
# cachelint global ignore=CL110
# cachelint stage ignore=CL101
# cachelint ignore=CL105
`
	fset := token.NewFileSet()
	tf := fset.AddFile("ci.yml", -1, len(src))
	tf.SetLinesForContent([]byte(src))
	set := suppress.ReadConfig(tf, []byte(src))
	var got []string
	for _, c := range set.Comments {
		got = append(got, fmt.Sprintf("%d %s %d-%d %q", c.Line, c.Names[0].Rule, c.StartLine, c.EndLine, c.Problem))
	}
	want := []string{
		`4 CL101 5-7 ""`,
		`10 CL103 10-10 ""`,
		`11 CL110 1-13 ""`,
		`12 CL101 0-0 "a stage suppression applies to Dockerfiles only; use ignore= above the block"`,
		`13 CL105 0-0 "there is nothing below it"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("comments:\n%q\nwant:\n%q", got, want)
	}
}
