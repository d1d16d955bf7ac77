// Command cachelint finds what makes Docker image builds miss BuildKit's
// cache: it lints Dockerfiles together with their build context.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Exit statuses.
const (
	exitOK       = 0 // nothing at or above the failure level
	exitFindings = 1 // findings at or above the failure level
	exitError    = 2 // usage error, or a file that could not be linted
)

func main() {
	if os.Getenv("GOGC") == "" {
		// A lint run is short and allocates many small, short-lived
		// objects: collecting less often saves about a tenth of the CPU
		// over a large tree for a few tens of MB more memory.
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// ... but no more than this: past it the collector runs sooner,
		// so a large tree stays within a pre-commit hook's budget (peak
		// RSS 96 MB over the 2,804 files of the corpus, 115 MB with
		// 96 MiB, 148 MB with 128 MiB).
		softLimit(64<<20, 50*time.Millisecond)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// softLimit keeps the memory limit at base, or at twice the live
// heap when that is more. A file whose model alone outgrows the limit (a
// Dockerfile of 100,000 instructions keeps 300 MB live) would otherwise
// have the collector run without a pause, at half the CPU, for the whole
// lint: 10 s instead of 2.5 s. A goroutine checks the live heap every
// interval.
func softLimit(base int64, interval time.Duration) {
	debug.SetMemoryLimit(base)
	go func() {
		limit := base
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for range time.Tick(interval) {
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			live := int64(sample[0].Value.Uint64())
			if want := max(base, 2*live); want > limit {
				limit = want
				debug.SetMemoryLimit(limit)
			}
		}
	}()
}

// run is the whole program; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	stderr = terminalSafe{stderr}
	if len(args) > 0 {
		switch args[0] {
		case "rules":
			return runRules(args[1:], stdout, stderr)
		case "config":
			return runConfig(args[1:], stdout, stderr)
		case "version":
			return runVersion(args[1:], stdout, stderr)
		case "help":
			return runLint([]string{"-h"}, stdin, stdout, stderr)
		}
	}
	return runLint(args, stdin, stdout, stderr)
}

// usageError prints a usage error and returns the exit status for it.
func usageError(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "cachelint: "+format+"\n", a...)
	fmt.Fprintln(stderr, "Run 'cachelint -h' for usage.")
	return exitError
}
