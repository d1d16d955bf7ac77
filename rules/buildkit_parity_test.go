package rules

import (
	"cmp"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/cachelint/cachelint/buildcontext"
	"github.com/cachelint/cachelint/dockerfile"
	"github.com/cachelint/cachelint/internal/testfiles"
)

// parityCase is a Dockerfile and the ignore file of its context.
type parityCase struct {
	name       string
	src        []byte
	ignoreName string // "" when there is none
	ignore     []byte
}

// TestBuildKitParity checks that the BuildKit analyzer, which runs
// BuildKit's checks on cachelint's model, reports what BuildKit's own
// DockerfileLint reports (the rule, the message and the lines of each
// warning, and whether an error stopped the conversion) on every
// Dockerfile of the fixtures of BuildKit's rules and, when it is there, of
// the shared corpus, each with its context's .dockerignore. The messages
// of errors are not compared, nor the order of the warnings (see
// parityDiff); what the analyzer does not follow of BuildKit is listed in
// the BuildKit analyzer's doc, and none of it may show here.
func TestBuildKitParity(t *testing.T) {
	cases := fixtureCases(t)
	fixtures := len(cases)
	if dir, ok := testfiles.Shared("corpus"); ok && !testing.Short() {
		cases = append(cases, corpusCases(t, dir)...)
	}
	diffs := 0
	for _, c := range cases {
		f := dockerfile.Parse(c.name, c.src, nil)
		ctx := buildcontext.New(filepath.Dir(c.name), c.ignoreName, c.ignore, nil)
		want, err := referenceBuildKit(f, ctx, c.ignore)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := buildkitChecks(dockerfile.Parse(c.name, c.src, nil), ctx)
		if d := parityDiff(want, got); d != "" {
			diffs++
			t.Errorf("%s:\n%s", c.name, d)
		}
	}
	t.Logf("%d files compared (%d fixtures, %d from the corpus), %d differ", len(cases), fixtures, len(cases)-fixtures, diffs)
}

// parityDiff describes how got differs from want, "" when it does not.
// The order of the warnings is not compared: BuildKit reports the
// variables of one instruction in an order of its own (that of a map).
func parityDiff(want, got *BuildKitResult) string {
	var b strings.Builder
	if (want.Err == nil) != (got.Err == nil) {
		fmt.Fprintf(&b, "  error: BuildKit %v, cachelint %v\n", want.Err, got.Err)
	}
	w, g := warningLines(want), warningLines(got)
	for _, l := range w {
		if !slices.Contains(g, l) {
			fmt.Fprintf(&b, "  missing %s\n", l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			fmt.Fprintf(&b, "  extra   %s\n", l)
		}
	}
	if b.Len() == 0 && len(w) != len(g) {
		fmt.Fprintf(&b, "  BuildKit %d warnings, cachelint %d\n", len(w), len(g))
	}
	return b.String()
}

func warningLines(r *BuildKitResult) []string {
	var out []string
	for _, w := range r.Warnings {
		out = append(out, fmt.Sprintf("%d-%d %s: %s", w.StartLine, w.EndLine, w.Rule, w.Message))
	}
	slices.Sort(out)
	return out
}

// fixtureCases are the Dockerfiles of the fixtures of BuildKit's rules.
func fixtureCases(t *testing.T) []parityCase {
	var cases []parityCase
	for _, rule := range buildkitRules {
		files, _ := filepath.Glob(filepath.Join("..", "testdata", "rules", rule, "*.txtar"))
		for _, file := range files {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			c := parityCase{}
			ignores := map[string][]byte{}
			for _, af := range ar.Files {
				switch {
				case strings.HasSuffix(af.Name, ".dockerignore"):
					ignores[af.Name] = af.Data
				case strings.HasPrefix(af.Name, "Dockerfile") && c.src == nil:
					c.name, c.src = filepath.Join(file, af.Name), af.Data
				}
			}
			if c.src == nil {
				continue
			}
			for _, name := range []string{filepath.Base(c.name) + ".dockerignore", ".dockerignore"} {
				if data, ok := ignores[name]; ok {
					c.ignoreName, c.ignore = name, data
					break
				}
			}
			cases = append(cases, c)
		}
	}
	return cases
}

// corpusCases are the Dockerfiles of the corpus, each with the ignore file
// cachelint would find for it.
func corpusCases(t testing.TB, dir string) []parityCase {
	var cases []parityCase
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || !isDockerfileName(d.Name()) {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		c := parityCase{name: p, src: src}
		for _, name := range []string{p + ".dockerignore", filepath.Join(filepath.Dir(p), ".dockerignore")} {
			if data, err := os.ReadFile(name); err == nil {
				c.ignoreName, c.ignore = name, data
				break
			}
		}
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(cases, func(a, b parityCase) int { return cmp.Compare(a.name, b.name) })
	return cases
}

// isDockerfileName is lint.IsDockerfileName (which this package cannot
// import).
func isDockerfileName(name string) bool {
	if strings.HasSuffix(name, ".dockerignore") {
		return false
	}
	return name == "Dockerfile" || name == "Containerfile" ||
		strings.HasPrefix(name, "Dockerfile.") || strings.HasPrefix(name, "Containerfile.") ||
		strings.HasSuffix(name, ".Dockerfile") || strings.HasSuffix(name, ".dockerfile") ||
		strings.HasSuffix(name, ".Containerfile") || strings.HasSuffix(name, ".containerfile")
}

// BenchmarkBuildKitChecks runs the BuildKit analyzer over the corpus, each
// file parsed beforehand.
func BenchmarkBuildKitChecks(b *testing.B) {
	dir, ok := testfiles.Shared("corpus")
	if !ok {
		b.Skip("no corpus")
	}
	type unit struct {
		f   *dockerfile.File
		ctx *buildcontext.Context
	}
	var units []unit
	for _, c := range corpusCases(b, dir) {
		units = append(units, unit{dockerfile.Parse(c.name, c.src, nil), buildcontext.New(filepath.Dir(c.name), c.ignoreName, c.ignore, nil)})
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, u := range units {
			buildkitChecks(u.f, u.ctx)
		}
	}
}
