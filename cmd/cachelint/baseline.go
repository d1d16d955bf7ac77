package main

import (
	"fmt"
	"io"

	"github.com/cachelint/cachelint/baseline"
	"github.com/cachelint/cachelint/lint"
)

// readBaseline reads the --baseline file, before anything is linted; a
// status other than exitOK means stop with it.
func readBaseline(opt lintOptions, stderr io.Writer) (*baseline.File, int) {
	if opt.baseline != "" && opt.writeBaseline != "" {
		return nil, usageError(stderr, "--baseline and --write-baseline cannot be used together: --write-baseline records every finding there is")
	}
	if opt.baseline == "" {
		return nil, exitOK
	}
	b, err := baseline.ReadFile(opt.baseline)
	if err != nil {
		fmt.Fprintf(stderr, "cachelint: --baseline %s: %v\n", opt.baseline, err)
		return nil, exitError
	}
	return b, exitOK
}

// applyBaseline writes the --write-baseline file with every finding of
// results, which are then all left out of the report, or leaves out of
// results the findings the --baseline file b records. It returns exitError
// when the baseline could not be written.
func applyBaseline(opt lintOptions, b *baseline.File, results []lint.FileResult, root string, stderr io.Writer) int {
	if opt.writeBaseline != "" {
		b = baseline.New(results, root)
		if err := b.WriteFile(opt.writeBaseline); err != nil {
			fmt.Fprintf(stderr, "cachelint: --write-baseline %s: %v\n", opt.writeBaseline, err)
			return exitError
		}
		fmt.Fprintf(stderr, "cachelint: wrote %s to %s\n", plural(len(b.Findings), "finding"), opt.writeBaseline)
	}
	if b != nil {
		b.Filter(results)
	}
	return exitOK
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
