package lint_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

func corpusUnits(tb testing.TB) ([]lint.Unit, int64) {
	if _, err := os.Stat(corpusDir); err != nil {
		tb.Skipf("corpus not found at %s: %v", corpusDir, err)
	}
	var units []lint.Unit
	var size int64
	err := filepath.WalkDir(corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() || !lint.IsDockerfileName(d.Name()) {
			return nil
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		src, err := os.ReadFile(abs)
		if err != nil {
			return err
		}
		size += int64(len(src))
		units = append(units, lint.Unit{Path: p, AbsPath: abs, Src: src})
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return units, size
}

// BenchmarkLintCorpus lints every Dockerfile of the corpus with every rule,
// concurrently as the CLI does (files are read before the timer starts).
func BenchmarkLintCorpus(b *testing.B) {
	units, size := corpusUnits(b)
	l, err := lint.New(rules.All())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		l.LintAll(units)
	}
	b.ReportMetric(float64(len(units))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkLintOne lints one Dockerfile of testdata/bench with every
// rule: small (10 lines, one stage), medium (60 lines, five stages, cache
// mounts) and large (600 lines, a monorepo of ten services). Each is
// linted as if its directory were the build context.
func BenchmarkLintOne(b *testing.B) {
	l, err := lint.New(rules.All())
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"small", "medium", "large"} {
		b.Run(name, func(b *testing.B) {
			abs, err := filepath.Abs(filepath.Join("testdata", "bench", name+".Dockerfile"))
			if err != nil {
				b.Fatal(err)
			}
			src, err := os.ReadFile(abs)
			if err != nil {
				b.Fatal(err)
			}
			u := lint.Unit{Path: name + ".Dockerfile", AbsPath: abs, Src: src}
			if r := l.Lint(u); r.Err != nil || len(r.Findings) == 0 {
				b.Fatalf("%s: %v, %d findings", name, r.Err, len(r.Findings))
			}
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				l.Lint(u)
			}
		})
	}
}
