package buildconfig

import (
	"bytes"
	"fmt"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cachelint/cachelint/internal/testfiles"
)

// loadRepo loads an in-memory repository: files by slash-separated path;
// the configuration files among them are loaded.
func loadRepo(t testing.TB, files map[string]string) (*Repo, *token.FileSet) {
	t.Helper()
	const root = "/repo"
	fset := token.NewFileSet()
	var inputs []Input
	for p := range files {
		if KindOf(p) != 0 {
			inputs = append(inputs, Input{Path: p, Abs: path.Join(root, p)})
		}
	}
	read := func(abs string) ([]byte, error) {
		rel := strings.TrimPrefix(filepath.ToSlash(abs), root+"/")
		if s, ok := files[rel]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}
	return Load(fset, root, inputs, read), fset
}

// wf loads one workflow (and the other files given).
func wf(t testing.TB, src string, more ...string) (*Repo, *token.FileSet) {
	t.Helper()
	files := map[string]string{".github/workflows/ci.yml": src}
	for i := 0; i+1 < len(more); i += 2 {
		files[more[i]] = more[i+1]
	}
	return loadRepo(t, files)
}

// at shows a position as line:col.
func at(fset *token.FileSet, p token.Pos) string {
	if !p.IsValid() {
		return "-"
	}
	pos := fset.Position(p)
	return fmt.Sprintf("%d:%d", pos.Line, pos.Column)
}

// val shows a value as "text"@line:col-line:col, * when dynamic.
func val(fset *token.FileSet, v Value) string {
	s := fmt.Sprintf("%q@%s-%s", v.Text, at(fset, v.Pos), at(fset, v.End))
	if v.Dynamic {
		s += "*"
	}
	return s
}

func vals(fset *token.FileSet, vs []Value) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = val(fset, v)
	}
	return strings.Join(out, " ")
}

// specs shows cache specs as type{key=value ...}@line:col.
func specs(fset *token.FileSet, cs []*CacheSpec) string {
	var out []string
	for _, c := range cs {
		var kv []string
		for _, a := range c.Attrs {
			kv = append(kv, a.Key+"="+a.Value.Text)
		}
		out = append(out, fmt.Sprintf("%s{%s}@%s", c.Type, strings.Join(kv, ","), at(fset, c.Pos)))
	}
	return strings.Join(out, " ")
}

func args(fset *token.FileSet, bas []BuildArg) string {
	var out []string
	for _, a := range bas {
		s := a.Name
		if a.HasValue {
			s += "=" + val(fset, a.Value)
		}
		out = append(out, s+"@"+at(fset, a.Pos))
	}
	return strings.Join(out, " ")
}

func builder(fset *token.FileSet, b *Builder) string {
	if b == nil {
		return "<nil>"
	}
	s := fmt.Sprintf("driver=%q default=%v pos=%s", b.Driver, b.Default, at(fset, b.Pos))
	if b.Image != "" {
		s += " image=" + b.Image
	}
	if b.KeepState {
		s += " keep-state"
	}
	if b.ContainerdStore {
		s += " containerd"
	}
	return s
}

func errs(fset *token.FileSet, r *Repo) []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, at(fset, e.Pos)+": "+e.Msg)
	}
	return out
}

// sp shows values separated by spaces.
func sp(a ...any) string { return strings.TrimSuffix(fmt.Sprintln(a...), "\n") }

// check compares a field shown as text.
func check(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got: %s\nwant: %s", what, got, want)
	}
}

func noErrors(t *testing.T, fset *token.FileSet, r *Repo) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Errorf("unexpected errors: %q", errs(fset, r))
	}
}

const dockerfileMulti = "FROM golang:1.22 AS build\nRUN go build ./...\nFROM alpine AS prod\nCOPY --from=build /app /app\n"

func TestWorkflowBuildPushAction(t *testing.T) {
	src := `name: ci
on:
  push:
    branches: [main]
  pull_request:
env:
  REGISTRY: ghcr.io
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      IMAGE: app
    steps:
      - uses: actions/checkout@v4
      - name: Build and push
        uses: docker/build-push-action@v6
        env:
          STEP: "1"
        with:
          context: .
          file: docker/Dockerfile
          target: prod
          tags: ghcr.io/o/app:latest,ghcr.io/o/app:${{ github.sha }}
          push: true
          platforms: linux/amd64, linux/arm64
          cache-from: type=gha,scope=app
          cache-to: type=gha,mode=max,scope=app
          no-cache-filters: deps
          build-args: |
            VERSION=${{ github.sha }}
            FROM_ENV
          secrets: |
            token=${{ secrets.TOKEN }}
          provenance: false
`
	r, fset := wf(t, src, "docker/Dockerfile", dockerfileMulti)
	noErrors(t, fset, r)
	if len(r.Builds) != 1 {
		t.Fatalf("builds: %d, want 1", len(r.Builds))
	}
	b := r.Builds[0]
	check(t, "kind", b.Kind.String(), "docker/build-push-action")
	check(t, "name", b.Name, "Build and push")
	check(t, "span", at(fset, b.Pos)+"-"+at(fset, b.End), "15:9-34:28")
	check(t, "job", fmt.Sprintf("%s %v hosted=%v runner=%s at %s", b.Job.Name, b.Job.Triggers, b.Job.Hosted, val(fset, b.Job.Runner), at(fset, b.Job.Pos)),
		`build [push pull_request] hosted=true runner="ubuntu-latest"@10:14-10:27 at 9:3`)
	check(t, "step", fmt.Sprintf("%d %s @%s %s", b.Step.Index, b.Step.Uses, b.Step.Version, b.Step.Name), "1 docker/build-push-action @v6 Build and push")
	check(t, "context", val(fset, b.Context), `"."@20:20-20:21`)
	check(t, "dockerfile", val(fset, b.Dockerfile), `"docker/Dockerfile"@21:17-21:34`)
	check(t, "linked", b.ContextDir+" "+b.DockerfilePath, ". docker/Dockerfile")
	if b.Stages == nil || len(b.Stages.Stages) != 2 || b.Stage() == nil || b.Stage().Name != "prod" {
		t.Errorf("stages not linked: %+v", b.Stages)
	}
	check(t, "target", val(fset, b.Target), `"prod"@22:19-22:23`)
	check(t, "tags", vals(fset, b.Tags), `"ghcr.io/o/app:latest"@23:17-23:37 "ghcr.io/o/app:${{ github.sha }}"@23:38-23:69*`)
	check(t, "push/load", sp(b.Push, b.Load), "true false")
	check(t, "platforms", vals(fset, b.Platforms), `"linux/amd64"@25:22-25:33 "linux/arm64"@25:35-25:46`)
	check(t, "cache-from", specs(fset, b.CacheFrom), "gha{type=gha,scope=app}@26:23")
	check(t, "cache-to", specs(fset, b.CacheTo), "gha{type=gha,mode=max,scope=app}@27:21")
	if m, _ := b.CacheTo[0].Get("mode"); at(fset, m.Pos) != "27:30" {
		t.Errorf("mode= at %s, want 27:30", at(fset, m.Pos))
	}
	check(t, "no-cache", val(fset, b.NoCache), `""@---`)
	check(t, "no-cache-filters", vals(fset, b.NoCacheFilters), `"deps"@28:29-28:33`)
	check(t, "build-args", args(fset, b.BuildArgs), `VERSION="${{ github.sha }}"@30:21-30:38*@30:13 FROM_ENV@31:13`)
	check(t, "secrets", vals(fset, b.Secrets), `"token=${{ secrets.TOKEN }}"@33:13-33:39*`)
	check(t, "provenance", val(fset, b.Provenance), `"false"@34:23-34:28`)
	check(t, "builder", builder(fset, b.Builder), `driver="docker" default=true pos=-`)
	check(t, "env", sp(b.Env["REGISTRY"].Text, b.Env["IMAGE"].Text, b.Env["STEP"].Text, len(b.Env)), "ghcr.io app 1 3")
	check(t, "job env", sp(len(b.Job.Env)), "2")
	check(t, "steps", sp(len(b.Job.Steps), b.Job.Steps[0].Uses, b.Job.Steps[0].Version), "2 actions/checkout v4")
	check(t, "with", val(fset, b.Step.With["push"]), `"true"@24:17-24:21`)
}

// TestWorkflowCacheToBlock: multi-line lists in block scalars give each
// line its own position; comments and blank lines are dropped; CRLF too.
func TestWorkflowCacheToBlock(t *testing.T) {
	src := `on: push
jobs:
  b:
    runs-on: ubuntu-22.04
    steps:
      - uses: docker/setup-buildx-action@v3
      - uses: docker/build-push-action@v5
        with:
          cache-from: |
            type=registry,ref=ghcr.io/o/app:cache-${{ github.ref_name }}

            # the default branch's
            type=registry,ref=ghcr.io/o/app:cache-main
          cache-to: |-
            type=registry,ref=ghcr.io/o/app:cache-${{ github.ref_name }},mode=max
          tags: >
            a:1,
            a:2
`
	for _, crlf := range []bool{false, true} {
		s := src
		if crlf {
			s = strings.ReplaceAll(src, "\n", "\r\n")
		}
		r, fset := wf(t, s)
		noErrors(t, fset, r)
		if len(r.Builds) != 1 {
			t.Fatalf("crlf=%v: builds: %d, want 1", crlf, len(r.Builds))
		}
		b := r.Builds[0]
		check(t, "cache-from", specs(fset, b.CacheFrom),
			"registry{type=registry,ref=ghcr.io/o/app:cache-${{ github.ref_name }}}@10:13 registry{type=registry,ref=ghcr.io/o/app:cache-main}@13:13")
		check(t, "cache-to", specs(fset, b.CacheTo), "registry{type=registry,ref=ghcr.io/o/app:cache-${{ github.ref_name }},mode=max}@15:13")
		ref, _ := b.CacheFrom[0].Get("ref")
		check(t, "ref", val(fset, ref), `"ghcr.io/o/app:cache-${{ github.ref_name }}"@10:27-10:73*`)
		check(t, "cache-from line 2", val(fset, b.CacheFrom[1].Value), `"type=registry,ref=ghcr.io/o/app:cache-main"@13:13-13:55`)
		check(t, "tags", sp(len(b.Tags), b.Tags[0].Text, b.Tags[1].Text), "2 a:1 a:2")
		check(t, "builder", builder(fset, b.Builder), `driver="docker-container" default=false pos=6:9`)
		check(t, "span", at(fset, b.Pos)+"-"+at(fset, b.End), "7:9-18:16")
	}
}

// TestWorkflowExpressions: ${{ }} in every input is kept verbatim, dynamic.
func TestWorkflowExpressions(t *testing.T) {
	src := `on: [push, workflow_dispatch]
jobs:
  b:
    runs-on: ${{ inputs.runner }}
    steps:
      - uses: docker/setup-buildx-action@v3
        with:
          driver: ${{ inputs.driver }}
      - uses: docker/build-push-action@v6
        with:
          context: ${{ inputs.context }}
          file: ${{ inputs.file }}
          target: ${{ inputs.target }}
          tags: ${{ steps.meta.outputs.tags }}
          push: ${{ github.event_name != 'pull_request' }}
          load: ${{ inputs.load }}
          cache-from: ${{ inputs.cache-from }}
          cache-to: "${{ inputs.cache-to }}"
          no-cache: ${{ inputs.no-cache }}
          build-args: ${{ inputs.args }}
          platforms: ${{ matrix.platform }}
`
	r, fset := wf(t, src)
	noErrors(t, fset, r)
	b := r.Builds[0]
	check(t, "job", sp(b.Job.Triggers, b.Job.Hosted, b.Job.Runner.Dynamic), "[push workflow_dispatch] false true")
	check(t, "context", val(fset, b.Context), `"${{ inputs.context }}"@11:20-11:41*`)
	check(t, "linked", b.ContextDir+"|"+b.DockerfilePath, "|")
	check(t, "dockerfile", val(fset, b.Dockerfile), `"${{ inputs.file }}"@12:17-12:35*`)
	check(t, "target", sp(b.Target.Dynamic, b.Stage() == nil), "true true")
	check(t, "tags", vals(fset, b.Tags), `"${{ steps.meta.outputs.tags }}"@14:17-14:47*`)
	check(t, "push/load", sp(b.Push, b.Load), "true true")
	check(t, "cache-from", specs(fset, b.CacheFrom)+" "+sp(b.CacheFrom[0].Dynamic), "{}@17:23 true")
	check(t, "cache-to (quoted)", val(fset, b.CacheTo[0].Value), `"${{ inputs.cache-to }}"@18:22-18:44*`)
	check(t, "no-cache", val(fset, b.NoCache), `"${{ inputs.no-cache }}"@19:21-19:43*`)
	check(t, "build-args", args(fset, b.BuildArgs), `${{ inputs.args }}@20:23`)
	check(t, "platforms", vals(fset, b.Platforms), `"${{ matrix.platform }}"@21:22-21:44*`)
	check(t, "builder", builder(fset, b.Builder), `driver="" default=false pos=6:9`)
}

// TestWorkflowMatrix: one step of a matrix job builds several images; the
// runner is hosted when every matrix value is.
func TestWorkflowMatrix(t *testing.T) {
	src := `on:
  schedule:
    - cron: '0 0 * * *'
jobs:
  images:
    strategy:
      fail-fast: false
      matrix:
        os: [ubuntu-latest, ubuntu-24.04-arm]
        image: [api, web]
        exclude:
          - os: ubuntu-24.04-arm
            image: web
        include:
          - image: worker
            dockerfile: worker.Dockerfile
    runs-on: ${{ matrix.os }}
    steps:
      - uses: docker/build-push-action@v6
        with:
          context: ./${{ matrix.image }}
          tags: o/${{ matrix.image }}:latest
          cache-to: type=gha,scope=${{ matrix.image }},mode=max
  self:
    strategy:
      matrix:
        os: [ubuntu-latest, [self-hosted, linux]]
    runs-on: ${{ matrix.os }}
    steps:
      - run: docker build -t x .
  listed:
    runs-on: [self-hosted, linux]
    steps:
      - run: docker build -t x .
  larger:
    runs-on: {group: big}
    steps:
      - run: docker build -t x .
`
	r, fset := wf(t, src)
	noErrors(t, fset, r)
	if len(r.Builds) != 4 {
		t.Fatalf("builds: %d, want 4", len(r.Builds))
	}
	b := r.Builds[0]
	check(t, "matrix", sp(b.Job.Matrix, b.Job.Hosted, b.Job.Triggers), "[os image dockerfile] true [schedule]")
	check(t, "context", val(fset, b.Context), `"./${{ matrix.image }}"@21:20-21:41*`)
	scope, _ := b.CacheTo[0].Get("scope")
	check(t, "scope", val(fset, scope), `"${{ matrix.image }}"@23:30-23:55*`)
	check(t, "self", sp(r.Builds[1].Job.Name, r.Builds[1].Job.Hosted, r.Builds[1].Kind), "self false docker build")
	check(t, "listed", sp(r.Builds[2].Job.Hosted, val(fset, r.Builds[2].Job.Runner)), `false "[self-hosted, linux]"@32:14-32:34`)
	check(t, "group", sp(r.Builds[3].Job.Hosted), "false")
}

// TestWorkflowYAMLStyles: flow mappings, quoted scalars with and without
// escapes, anchors and aliases (a cycle too), tags.
func TestWorkflowYAMLStyles(t *testing.T) {
	src := `on: push
x-common: &cache
  cache-from: type=gha
  cache-to: 'type=gha,mode=max'
x-loop: &loop [*loop]
jobs:
  flow:
    runs-on: ubuntu-latest
    steps: [{uses: docker/build-push-action@v6, with: {context: ., file: "a b/Dockerfile", target: !!str prod}}]
  alias:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
        with: *cache
      - &again
        uses: docker/build-push-action@v6
        with:
          tags: "o/app:\u0031"
          cache-to: 'it''s'
      - *again
  loop:
    runs-on: *loop
    steps: *loop
`
	r, fset := wf(t, src)
	if len(r.Builds) != 4 {
		t.Fatalf("builds: %d, want 4; errors %q", len(r.Builds), errs(fset, r))
	}
	check(t, "errors", strings.Join(errs(fset, r), "; "), `5:16: step 1 of job "loop" is a mapping (uses: or run: ...), not a list`)
	f := r.Builds[0]
	check(t, "flow context", val(fset, f.Context), `"."@9:65-9:66`)
	check(t, "flow file", val(fset, f.Dockerfile), `"a b/Dockerfile"@9:75-9:89`)
	check(t, "flow target", val(fset, f.Target), `"prod"@9:106-9:110`)
	check(t, "flow span", at(fset, f.Pos)+"-"+at(fset, f.End), "9:13-9:112")
	a := r.Builds[1]
	check(t, "alias cache", specs(fset, a.CacheFrom)+" "+specs(fset, a.CacheTo), "gha{type=gha}@3:15 gha{type=gha,mode=max}@4:14")
	e := r.Builds[2]
	check(t, "escaped", val(fset, e.Tags[0]), `"o/app:1"@18:18-18:30`)
	check(t, "single-quoted", e.CacheTo[0].Text+" "+at(fset, e.CacheTo[0].Pos), "it's 19:22")
	check(t, "alias step", sp(r.Builds[3].Step.Index, at(fset, r.Builds[3].Pos)), "2 20:9")
}

func TestWorkflowErrors(t *testing.T) {
	tests := []struct {
		name, src string
		errs      []string
		builds    int
	}{
		{"invalid YAML", "on: push\njobs:\n  b:\n    runs-on: x\n   steps: [\n", []string{"2:1: invalid YAML: did not find expected key"}, 0},
		{"unclosed", "on: push\njobs: {b: {\n", []string{"2:1: invalid YAML: did not find expected node content"}, 0},
		{"not a mapping", "- on: push\n", []string{"1:1: a workflow is a mapping (on:, jobs: ...), not a list"}, 0},
		{"scalar", "hello\n", []string{"1:1: a workflow is a mapping (on:, jobs: ...), not a string"}, 0},
		{"empty", "", nil, 0},
		{"comment only", "# nothing\n", nil, 0},
		{"tab indentation", "on: push\njobs:\n\tb:\n", []string{"3:1: invalid YAML: found character that cannot start any token"}, 0},
		{"tab in a value", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker\tbuild .\n", nil, 1},
		{"duplicate keys", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: a\n          context: b\n", []string{`9:11: duplicate key "context" (first at line 8); the first is used`}, 1},
		{"jobs a list", "on: push\njobs: [a]\n", []string{"2:7: jobs: is a mapping of job ids to jobs, not a list"}, 0},
		{"job a string", "on: push\njobs:\n  a: x\n", []string{`3:6: job "a" is a mapping (runs-on:, steps: ...), not a string`}, 0},
		{"steps a mapping", "on: push\njobs:\n  a:\n    steps: {a: b}\n", []string{`4:12: steps: of job "a" is a list, not a mapping`}, 0},
		{"with a list", "on: push\njobs:\n  a:\n    steps:\n      - uses: docker/build-push-action@v6\n        with: [a]\n", []string{`6:15: with: is a mapping of inputs, not a list`}, 1},
		{"no steps", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n  b:\n    runs-on: ubuntu-latest\n    steps:\n", nil, 0},
		{"reusable workflow", "on: push\njobs:\n  a:\n    uses: o/r/.github/workflows/build.yml@main\n    steps: [{run: docker build .}]\n", nil, 0},
		{"control character", "on: push\x01\n", []string{"1:1: invalid YAML: control characters are not allowed"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, fset := wf(t, tt.src)
			if got := errs(fset, r); !slices.Equal(got, tt.errs) {
				t.Errorf("errors:\n got: %q\nwant: %q", got, tt.errs)
			}
			if len(r.Builds) != tt.builds {
				t.Errorf("builds: %d, want %d", len(r.Builds), tt.builds)
			}
		})
	}
}

// TestWorkflowBuilders: the builder each build runs on.
func TestWorkflowBuilders(t *testing.T) {
	src := `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
      - id: bx
        uses: docker/setup-buildx-action@v3
        with:
          driver-opts: |
            network=host
            image=moby/buildkit:v0.12.5
      - uses: docker/build-push-action@v6
      - uses: docker/setup-buildx-action@v3
        with:
          use: false
          driver: remote
          endpoint: tcp://buildkitd:1234
      - uses: docker/build-push-action@v6
      - uses: docker/build-push-action@v6
        with:
          builder: ${{ steps.bx.outputs.name }}
      - uses: docker/build-push-action@v6
        with:
          builder: elsewhere
      - uses: docker/build-push-action@v6
        with:
          builder: default
  b:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/setup-docker-action@v4
        with:
          daemon-config: |
            {"features": {"containerd-snapshotter": true}}
      - uses: docker/build-push-action@v6
      - uses: docker/setup-buildx-action@v3
        with:
          driver: cloud
          endpoint: org/builder
      - uses: docker/build-push-action@v6
  c:
    runs-on: ubuntu-latest
    steps:
      - run: docker buildx create --use --driver docker-container
      - uses: docker/build-push-action@v6
`
	r, fset := wf(t, src)
	noErrors(t, fset, r)
	var got []string
	for _, b := range r.Builds {
		got = append(got, b.Job.Name+" "+builder(fset, b.Builder))
	}
	want := []string{
		`a driver="docker" default=true pos=-`,
		`a driver="docker-container" default=false pos=7:9 image=moby/buildkit:v0.12.5`,
		`a driver="docker-container" default=false pos=7:9 image=moby/buildkit:v0.12.5`,
		`a driver="docker-container" default=false pos=7:9 image=moby/buildkit:v0.12.5`,
		`a driver="" default=false pos=25:20`,
		`a driver="docker" default=false pos=28:20`,
		`b driver="docker" default=true pos=- containerd`,
		`b driver="cloud" default=false pos=37:9 keep-state`,
		`c driver="docker-container" default=false pos=45:14`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("builders:\n got: %q\nwant: %q", got, want)
	}
}

// TestWorkflowRunSteps: run: scripts are scanned with exact positions,
// honouring shell: and working-directory:.
func TestWorkflowRunSteps(t *testing.T) {
	src := `on: pull_request
env:
  TAG: v1
defaults:
  run:
    working-directory: services
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - name: build
        env:
          DOCKER_BUILDKIT: "0"
        run: |
          echo start
            docker build \
              --cache-from=o/app:${{ github.ref_name }} \
              -t o/app:$TAG api
      - run: docker buildx build --cache-to type=gha,mode=max .
        working-directory: ${{ github.workspace }}/web
      - shell: pwsh
        run: docker build .
      - shell: bash -e {0}
        run: "docker build -f api/Dockerfile --target \"prod\" ."
      - run: >-
          docker buildx build
          --no-cache .
        working-directory: .
`
	r, fset := wf(t, src,
		"services/api/Dockerfile", "FROM alpine\n",
		"services/web/Dockerfile", "FROM alpine\n",
		"services/api/Dockerfile.x", "")
	noErrors(t, fset, r)
	if len(r.Builds) != 4 {
		for _, b := range r.Builds {
			t.Log(b.Kind, at(fset, b.Pos))
		}
		t.Fatalf("builds: %d, want 4", len(r.Builds))
	}
	b := r.Builds[0]
	check(t, "kind/span", sp(b.Kind, at(fset, b.Pos)+"-"+at(fset, b.End)), "docker build 16:13-18:32")
	check(t, "legacy", sp(b.Legacy), "true")
	check(t, "cache-from", specs(fset, b.CacheFrom), "registry{ref=o/app:${{ github.ref_name }}}@17:28")
	check(t, "tags", vals(fset, b.Tags), `"o/app:v1"@18:18-18:28`)
	check(t, "context", val(fset, b.Context), `"api"@18:29-18:32`)
	check(t, "linked", b.ContextDir+" "+b.DockerfilePath, "services/api services/api/Dockerfile")
	check(t, "step", sp(b.Step.Index, b.Step.Name, b.Job.Triggers), "0 build [pull_request]")
	w := r.Builds[1]
	check(t, "gha", sp(w.Kind, specs(fset, w.CacheTo), w.ContextDir), "docker buildx build gha{type=gha,mode=max}@19:45 web")
	q := r.Builds[2]
	check(t, "quoted script", sp(q.Kind, val(fset, q.Dockerfile), q.Target.Text, q.DockerfilePath), `docker build "api/Dockerfile"@24:31-24:45 prod services/api/Dockerfile`)
	f := r.Builds[3]
	check(t, "folded", sp(f.Kind, at(fset, f.Pos), val(fset, f.NoCache), f.ContextDir), `docker buildx build 26:11 "true"@27:11-27:21 .`)
}

// TestWorkflowBakeAction: a docker/bake-action step is handed to the bake
// resolver with its inputs.
func TestWorkflowBakeAction(t *testing.T) {
	src := `on: push
env:
  SRC: deploy
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/setup-buildx-action@v3
      - name: bake
        uses: docker/bake-action@v6
        with:
          source: ${{ env.SRC }}
          files: |
            docker-bake.hcl
            ./ci.hcl
          targets: app, worker
          set: |
            *.cache-to=type=gha,mode=max
            app.args.X=${{ github.sha }}
          no-cache: true
          push: ${{ github.event_name == 'push' }}
      - uses: docker/bake-action@v5
        with:
          workdir: sub
          builder: other
      - uses: docker/bake-action@v6
        with:
          source: https://github.com/o/r.git#main
      - uses: docker/bake-action@v6
        with:
          source: ../outside
`
	var invs []*bakeInvocation
	onBakeInvocation = func(inv *bakeInvocation) { invs = append(invs, inv) }
	defer func() { onBakeInvocation = nil }()
	r, fset := wf(t, src)
	noErrors(t, fset, r)
	if len(invs) != 4 {
		t.Fatalf("bake invocations: %d, want 4", len(invs))
	}
	inv := invs[0]
	check(t, "kind/span", sp(inv.Kind, at(fset, inv.Pos)+"-"+at(fset, inv.End), inv.File.Rel, inv.Step.Name, inv.Job.Name), "docker/bake-action 9:9-21:51 .github/workflows/ci.yml bake a")
	check(t, "files", vals(fset, inv.Files), `"docker-bake.hcl"@14:13-14:28 "./ci.hcl"@15:13-15:21`)
	check(t, "targets", vals(fset, inv.Targets), `"app"@16:20-16:23 "worker"@16:25-16:31`)
	check(t, "set", vals(fset, inv.Set), `"*.cache-to=type=gha,mode=max"@18:13-18:41 "app.args.X=${{ github.sha }}"@19:13-19:41*`)
	check(t, "flags", sp(val(fset, inv.NoCache), inv.Push, inv.Load, inv.Dir), `"true"@20:21-20:25 true false deploy`)
	check(t, "builder", builder(fset, inv.Builder), `driver="docker-container" default=false pos=8:9`)
	check(t, "env", sp(inv.Env["SRC"].Text), "deploy")
	check(t, "workdir", sp(invs[1].Dir, builder(fset, invs[1].Builder)), `sub driver="" default=false pos=25:20`)
	check(t, "remote source", invs[2].Dir, ".")
	check(t, "outside", invs[3].Dir, ".")
}

// TestWorkflowEnvPaths: a context or working directory written as
// ${{ env.X }} with X a constant of env: is linked; the value stays as
// written.
func TestWorkflowEnvPaths(t *testing.T) {
	src := `on: push
env:
  DIR: api
jobs:
  a:
    runs-on: ubuntu-latest
    env:
      FILE: api/Dockerfile.prod
      LATER: ${{ github.sha }}
    steps:
      - uses: docker/build-push-action@v6
        with:
          context: ${{ env.DIR }}
          file: ${{ env.FILE }}
      - uses: docker/build-push-action@v6
        with:
          context: ${{ github.workspace }}/${{ env.DIR }}
      - uses: docker/build-push-action@v6
        with:
          context: ${{ env.LATER }}
      - run: docker build .
        working-directory: ${{ env.DIR }}
`
	r, fset := wf(t, src, "api/Dockerfile", "FROM alpine\n", "api/Dockerfile.prod", "FROM alpine AS a\nFROM a\n")
	noErrors(t, fset, r)
	if len(r.Builds) != 4 {
		t.Fatalf("builds: %d, want 4", len(r.Builds))
	}
	var got []string
	for _, b := range r.Builds {
		got = append(got, sp(b.Context.Text, b.Context.Dynamic, b.ContextDir, b.DockerfilePath, b.Stages != nil))
	}
	want := []string{
		"${{ env.DIR }} true api api/Dockerfile.prod true",
		"${{ github.workspace }}/${{ env.DIR }} true api api/Dockerfile true",
		"${{ env.LATER }} true   false",
		". false api api/Dockerfile true",
	}
	if !slices.Equal(got, want) {
		t.Errorf("links:\n got: %q\nwant: %q", got, want)
	}
}

// TestWorkflowBlockScalarPositions: every line of a run: block keeps its
// place, whatever the indentation, blank lines and indicators.
func TestWorkflowBlockScalarPositions(t *testing.T) {
	src := "on: push\njobs:\n  a:\n    steps:\n      - run: |2+ # build\n          echo\n\n\n           docker build --target t1 .\n      - run: |-\n\n          docker build --target t2 .\n"
	r, fset := wf(t, src)
	noErrors(t, fset, r)
	if len(r.Builds) != 2 {
		t.Fatalf("builds: %d, want 2", len(r.Builds))
	}
	check(t, "t1", val(fset, r.Builds[0].Target), `"t1"@9:34-9:36`)
	check(t, "t2", val(fset, r.Builds[1].Target), `"t2"@12:33-12:35`)
	check(t, "run", val(fset, r.Builds[1].Step.Run), `"\ndocker build --target t2 ."@11:1-12:37`)
}

// TestWorkflowBOM: a byte-order mark does not move the columns.
func TestWorkflowBOM(t *testing.T) {
	r, fset := wf(t, "\ufeffjobs: {a: {steps: [{uses: docker/build-push-action@v6, with: {target: t}}]}}\non: push\n")
	noErrors(t, fset, r)
	// Columns count bytes: the mark's three and 70 before the t.
	check(t, "target", val(fset, r.Builds[0].Target), `"t"@1:74-1:75`)
}

// TestWorkflowLarge: a 2 MB workflow loads in reasonable time.
func TestWorkflowLarge(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("on: push\njobs:\n")
	n := 0
	for sb.Len() < 2<<20 {
		fmt.Fprintf(&sb, "  j%d:\n    runs-on: ubuntu-latest\n    steps:\n", n)
		for range 10 {
			sb.WriteString("      - uses: docker/build-push-action@v6\n        with:\n          cache-to: |\n            type=gha,mode=max\n          tags: a,b\n")
			sb.WriteString("      - run: |\n          echo hi\n          docker buildx build --cache-from type=gha .\n")
		}
		n++
	}
	start := time.Now()
	r, fset := wf(t, sb.String())
	noErrors(t, fset, r)
	if len(r.Builds) != n*20 {
		t.Errorf("builds: %d, want %d", len(r.Builds), n*20)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestWorkflowPositionsRoundTrip: wherever a value claims to be verbatim,
// the file holds its text there.
func TestWorkflowPositionsRoundTrip(t *testing.T) {
	for _, src := range workflowSeeds() {
		r, fset := wf(t, src)
		for _, b := range r.Builds {
			var vs []Value
			vs = append(vs, b.Context, b.Dockerfile, b.Target, b.NoCache, b.Provenance)
			vs = append(vs, b.Tags...)
			vs = append(vs, b.Platforms...)
			for _, c := range append(slices.Clone(b.CacheFrom), b.CacheTo...) {
				vs = append(vs, c.Value)
				for _, a := range c.Attrs {
					vs = append(vs, a.Value)
				}
			}
			for _, v := range vs {
				if !v.Pos.IsValid() || int(v.End-v.Pos) != len(v.Text) {
					continue
				}
				tf := fset.File(v.Pos)
				if got := src[tf.Offset(v.Pos):tf.Offset(v.End)]; got != v.Text && !strings.Contains(src, "\\") {
					t.Errorf("value %q: the file has %q there", v.Text, got)
				}
			}
		}
	}
}

// TestWorkflowSplitUses covers action references.
func TestWorkflowSplitUses(t *testing.T) {
	for in, want := range map[string]string{
		"docker/build-push-action@v6":                       "docker/build-push-action v6",
		"docker/build-push-action@0123456789abcdef":         "docker/build-push-action 0123456789abcdef",
		"docker://alpine:3@sha256:ab":                       "docker://alpine:3@sha256:ab ",
		"./.github/actions/build":                           "./.github/actions/build ",
		"owner/repo/path@main":                              "owner/repo/path main",
		"docker/setup-buildx-action@v3 # pinned":            "docker/setup-buildx-action v3 # pinned",
		"docker/build-push-action":                          "docker/build-push-action ",
		"docker/build-push-action@refs/heads/feature@x.y.z": "docker/build-push-action@refs/heads/feature x.y.z",
	} {
		a, v := splitUses(in)
		check(t, in, a+" "+v, want)
	}
}

// workflowSeeds are the workflows of this file's tests.
func workflowSeeds() []string {
	src, err := os.ReadFile("workflow_test.go")
	if err != nil {
		return nil
	}
	var out []string
	for _, part := range bytes.Split(src, []byte("`"))[1:] {
		if bytes.Contains(part, []byte("jobs:")) {
			out = append(out, string(part))
		}
	}
	return out
}

func FuzzWorkflow(f *testing.F) {
	for _, s := range workflowSeeds() {
		f.Add(s)
		f.Add(strings.ReplaceAll(s, "\n", "\r\n"))
	}
	for _, s := range testfiles.Sections("rules", "ci.yml") {
		f.Add(string(s))
	}
	f.Fuzz(func(t *testing.T, src string) {
		r, fset := wf(t, src)
		for _, b := range r.Builds {
			for _, p := range []token.Pos{b.Pos, b.End, b.Context.Pos, b.Context.End} {
				if p.IsValid() && fset.File(p) == nil {
					t.Fatalf("position %d outside the file set", p)
				}
			}
			if b.Pos > b.End {
				t.Fatalf("build span reversed: %d > %d", b.Pos, b.End)
			}
		}
	})
}

// TestWorkflowCorpus loads every workflow of the shared corpus: no panic;
// counts logged.
func TestWorkflowCorpus(t *testing.T) {
	dir, ok := testfiles.Shared("corpus")
	if !ok {
		t.Skip("no shared corpus")
	}
	if testing.Short() {
		t.Skip("corpus run skipped in -short mode")
	}
	repos, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var nFiles, nAllJobs, nJobs, nSteps, nBPA, nBake, nRun, nErr, nLinked int
	kinds := map[BuildKind]int{}
	for _, repo := range repos {
		root := filepath.Join(dir, repo.Name())
		wfdir := filepath.Join(root, ".github", "workflows")
		ents, err := os.ReadDir(wfdir)
		if err != nil {
			continue
		}
		var inputs []Input
		for _, e := range ents {
			if n := e.Name(); !e.IsDir() && (strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".yaml")) {
				p := filepath.Join(wfdir, n)
				inputs = append(inputs, Input{Path: p, Abs: p})
			}
		}
		nFiles += len(inputs)
		for _, in := range inputs {
			nAllJobs += countWorkflowJobs(in.Abs)
		}
		fset := token.NewFileSet()
		r := Load(fset, root, inputs, os.ReadFile)
		for _, e := range r.Errors {
			nErr++
			t.Logf("parse error: %s: %s", fset.Position(e.Pos), e.Msg)
		}
		jobs := map[*Job]bool{}
		for _, b := range r.Builds {
			kinds[b.Kind]++
			switch {
			case b.Kind == BuildPushAction:
				nBPA++
			case b.Kind == BakeAction:
				nBake++
			case b.Step != nil && b.Step.Run.IsSet():
				nRun++
			}
			if b.Stages != nil {
				nLinked++
			}
			if b.Job != nil && !jobs[b.Job] {
				jobs[b.Job] = true
				nJobs++
				nSteps += len(b.Job.Steps)
			}
		}
	}
	t.Logf("%d workflows, %d jobs, %d jobs with builds (%d steps), %d build-push-action builds, %d bake-action builds, %d run-step builds %v, %d linked to a Dockerfile, %d parse errors",
		nFiles, nAllJobs, nJobs, nSteps, nBPA, nBake, nRun, kinds, nLinked, nErr)
}

// countWorkflowJobs counts the jobs of a workflow file.
func countWorkflowJobs(abs string) int {
	data, err := os.ReadFile(abs)
	if err != nil {
		return 0
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return 0
	}
	for i := 0; i+1 < len(doc.Content[0].Content); i += 2 {
		if doc.Content[0].Content[i].Value == "jobs" {
			return len(doc.Content[0].Content[i+1].Content) / 2
		}
	}
	return 0
}

// TestWorkflowRefFilters reads the branches and tags filters of on: and
// the job's if:.
func TestWorkflowRefFilters(t *testing.T) {
	src := `on:
  push:
    branches: [main, 'release/**']
    tags: v*
  pull_request:
  workflow_dispatch:
jobs:
  build:
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
`
	r, fset := wf(t, src)
	noErrors(t, fset, r)
	j := r.Builds[0].Job
	check(t, "triggers", sp(j.Triggers), "[push pull_request workflow_dispatch]")
	check(t, "filters", fmt.Sprint(j.Filters), "map[push:{[main release/**] [] [v*] []}]")
	check(t, "if", val(fset, j.If), `"github.ref == 'refs/heads/main'"@9:9-9:40`)
}

func TestBakeDir(t *testing.T) {
	for _, tc := range []struct{ workdir, source, want string }{
		{"", "", "."},
		{"", "{{defaultContext}}:util/bats-assert", "util/bats-assert"},
		{"", "./docker", "docker"},
		{"", "https://github.com/o/r.git#main", "."},
		{"", "../outside", "."},
		{"", "${{ inputs.dir }}", "."},
	} {
		if got := bakeDir(Value{Text: tc.workdir}, Value{Text: tc.source, Dynamic: isDynamic(tc.source)}); got != tc.want {
			t.Errorf("bakeDir(%q, %q) = %q, want %q", tc.workdir, tc.source, got, tc.want)
		}
	}
}
