package dockerfile

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// TestEnvStages checks what each instruction sees when stages build on
// one another: a stage continues the variables of the stage it is built
// FROM, and what one stage declares is not seen by its siblings or by
// the stage before.
func TestEnvStages(t *testing.T) {
	src := `ARG V=global
FROM alpine AS base
ENV A=1 B=2
ENV A=3
FROM base AS one
ENV C=one A=4
RUN x
FROM base AS two
ENV C=two
RUN y
FROM base AS three
ARG V
RUN z
`
	f := Parse("Dockerfile", []byte(src), nil)
	if f.ParseErr != nil {
		t.Fatal(f.ParseErr)
	}
	seen := func(line int) string {
		for _, in := range f.Instructions {
			if in.StartLine == line {
				var out []string
				for _, k := range in.Env.Keys() {
					v, _ := in.Env.Get(k)
					out = append(out, k+"="+v)
				}
				return strings.Join(out, " ")
			}
		}
		return "no instruction"
	}
	for line, want := range map[int]string{
		4:  "A=1 B=2",
		6:  "A=3 B=2",
		7:  "A=4 B=2 C=one",
		10: "A=3 B=2 C=two",
		13: "A=3 B=2 V=global",
	} {
		if got := seen(line); got != want {
			t.Errorf("line %d sees %q, want %q", line, got, want)
		}
	}
	if v, ok := f.Instructions[len(f.Instructions)-1].Env.Lookup("C"); ok {
		t.Errorf("stage three sees C=%q from a sibling", v.Value)
	}
}

// TestEnvManyDeclarations: each instruction keeps the variables in
// effect, yet thousands of declarations take memory in proportion to
// their number (a copy of all of them for each took 1 GB for 5,000).
func TestEnvManyDeclarations(t *testing.T) {
	var b strings.Builder
	b.WriteString("FROM alpine\n")
	const n = 20_000
	for i := range n {
		fmt.Fprintf(&b, "ENV V%d=%d\n", i, i)
	}
	b.WriteString("RUN x\n")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f := Parse("Dockerfile", []byte(b.String()), nil)
	runtime.GC()
	runtime.ReadMemStats(&after)
	last := f.Instructions[len(f.Instructions)-1]
	if len(last.Env.Keys()) != n {
		t.Fatalf("the last instruction sees %d variables, want %d", len(last.Env.Keys()), n)
	}
	if v, _ := f.Instructions[100].Env.Get("V98"); v != "98" {
		t.Errorf("V98 at line 101 is %q", v)
	}
	if _, ok := f.Instructions[100].Env.Lookup("V99"); ok {
		t.Error("line 101 sees V99, declared on line 101")
	}
	per := (after.HeapAlloc - min(before.HeapAlloc, after.HeapAlloc)) / n
	t.Logf("%d bytes an instruction", per)
	if per > 20_000 {
		t.Errorf("%d bytes an instruction", per)
	}
	runtime.KeepAlive(f)
}
