package buildconfig

import (
	"fmt"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/cachelint/cachelint/dockerfile"
	"github.com/cachelint/cachelint/internal/testfiles"
)

// bakeFixture is a loader over the files of a txtar archive.
type bakeFixture struct {
	l    *loader
	fset *token.FileSet
	src  map[string][]byte
}

func newBakeFixture(archive string) *bakeFixture {
	ar := txtar.Parse([]byte(archive))
	src := map[string][]byte{}
	for _, f := range ar.Files {
		src[f.Name] = f.Data
	}
	fset := token.NewFileSet()
	l := newTestLoader(fset, src)
	return &bakeFixture{l: l, fset: fset, src: src}
}

// file returns a file of the archive, read through the loader.
func (x *bakeFixture) file(rel string, kind Kind) *File {
	f := x.l.open(rel, kind)
	if f == nil {
		panic("no file " + rel)
	}
	return f
}

// valueAt returns the value of the n-th (from 0) occurrence of text in f.
func valueAt(f *File, text string, n ...int) Value {
	off, from := -1, 0
	for i := 0; i <= firstOr(n); i++ {
		j := strings.Index(string(f.Src[from:]), text)
		if j < 0 {
			panic(fmt.Sprintf("%q not in %s", text, f.Rel))
		}
		off = from + j
		from = off + 1
	}
	return Value{Text: text, Pos: f.Pos(off), End: f.Pos(off + len(text)), Dynamic: strings.Contains(text, "${{")}
}

func firstOr(n []int) int {
	if len(n) > 0 {
		return n[0]
	}
	return 0
}

// at formats a position as file:line:col.
func (x *bakeFixture) at(p token.Pos) string {
	if !p.IsValid() {
		return "-"
	}
	pos := x.fset.Position(p)
	return fmt.Sprintf("%s:%d:%d", path.Base(pos.Filename), pos.Line, pos.Column)
}

func (x *bakeFixture) value(v Value) string {
	s := fmt.Sprintf("%q", v.Text)
	if v.Dynamic {
		s += "~"
	}
	return s + "@" + x.at(v.Pos)
}

func (x *bakeFixture) values(vs []Value) string {
	var out []string
	for _, v := range vs {
		out = append(out, x.value(v))
	}
	return strings.Join(out, " ")
}

func (x *bakeFixture) specs(cs []*CacheSpec) string {
	var out []string
	for _, c := range cs {
		var attrs []string
		for _, a := range c.Attrs {
			attrs = append(attrs, a.Key+"="+x.value(a.Value))
		}
		out = append(out, fmt.Sprintf("%s %s {%s}", c.Type, x.value(c.Value), strings.Join(attrs, " ")))
	}
	return strings.Join(out, "; ")
}

// dump describes builds one attribute a line, leaving out empty ones.
func (x *bakeFixture) dump(builds []*Build) string {
	var b strings.Builder
	for _, bd := range builds {
		fmt.Fprintf(&b, "%s [%s] %s at %s ctx=%s df=%s\n", bd.Name, bd.Kind, bd.BakeTarget, x.at(bd.Pos), bd.ContextDir, bd.DockerfilePath)
		line := func(k, v string) {
			if v != "" {
				fmt.Fprintf(&b, "  %s: %s\n", k, v)
			}
		}
		if bd.Context.Pos.IsValid() {
			line("context", x.value(bd.Context))
		}
		if bd.Dockerfile.IsSet() {
			line("dockerfile", x.value(bd.Dockerfile))
		}
		if bd.Target.IsSet() {
			line("target", x.value(bd.Target))
		}
		line("tags", x.values(bd.Tags))
		line("platforms", x.values(bd.Platforms))
		line("outputs", x.values(bd.Outputs))
		line("secrets", x.values(bd.Secrets))
		line("cache-from", x.specs(bd.CacheFrom))
		line("cache-to", x.specs(bd.CacheTo))
		var args []string
		for _, a := range bd.BuildArgs {
			args = append(args, a.Name+"="+x.value(a.Value))
		}
		line("args", strings.Join(args, " "))
		if bd.NoCache.IsSet() {
			line("no-cache", x.value(bd.NoCache))
		}
		if bd.Push || bd.Load {
			line("push/load", fmt.Sprint(bd.Push, bd.Load))
		}
		if bd.Builder != nil && (bd.Builder.Driver != "" || bd.Builder.Default) {
			line("builder", fmt.Sprintf("%s default=%v", bd.Builder.Driver, bd.Builder.Default))
		}
	}
	return b.String()
}

func (x *bakeFixture) errors() string {
	var out []string
	for _, e := range x.l.repo.Errors {
		out = append(out, x.at(e.Pos)+": "+e.Msg)
	}
	return strings.Join(out, "\n")
}

func checkText(t *testing.T, what, got, want string) {
	t.Helper()
	got, want = strings.TrimSpace(got), strings.TrimSpace(want)
	if got != want {
		t.Errorf("%s:\n--- got\n%s\n--- want\n%s", what, got, want)
	}
}

// bakeFileTests are bake files found on their own, and the builds and
// errors they give.
var bakeFileTests = []struct {
	name, archive string
	files         []string // the files found, in the order Load finds them
	want, errs    string
}{{
	name: "default group, strings, args, inherits",
	archive: `
-- docker-bake.hcl --
group "default" {
  targets = ["app"]
}
target "_common" {
  args = { GO_VERSION = "1.22", CGO = "0" }
  cache-to = ["type=gha"]
  cache-from = ["type=gha"]
}
target "app" {
  inherits = ["_common"]
  context = "./src"
  dockerfile = "build/Dockerfile"
  target = "release"
  tags = ["org/app:latest", "org/app:1"]
  args = { CGO = "1" }
  cache-to = ["type=gha,mode=max,scope=app"]
  platforms = ["linux/amd64", "linux/arm64"]
  output = ["type=registry"]
}
target "other" {}
`,
	files: []string{"docker-bake.hcl"},
	want: `
app [docker buildx bake] app at docker-bake.hcl:9:1 ctx=src df=src/build/Dockerfile
  context: "./src"@docker-bake.hcl:11:14
  dockerfile: "build/Dockerfile"@docker-bake.hcl:12:17
  target: "release"@docker-bake.hcl:13:13
  tags: "org/app:latest"@docker-bake.hcl:14:12 "org/app:1"@docker-bake.hcl:14:30
  platforms: "linux/amd64"@docker-bake.hcl:17:17 "linux/arm64"@docker-bake.hcl:17:32
  outputs: "type=registry"@docker-bake.hcl:18:14
  cache-from: gha "type=gha"@docker-bake.hcl:7:18 {type="gha"@docker-bake.hcl:7:18}
  cache-to: gha "type=gha,mode=max,scope=app"@docker-bake.hcl:16:16 {type="gha"@docker-bake.hcl:16:16 mode="max"@docker-bake.hcl:16:25 scope="app"@docker-bake.hcl:16:34}
  args: GO_VERSION="1.22"@docker-bake.hcl:5:26 CGO="1"@docker-bake.hcl:15:19
  push/load: true false
`,
}, {
	name: "no default group: every target; paths relative to the file",
	archive: `
-- sub/docker-bake.hcl --
target "a" {}
target "b" {
  context = ".."
}
target "c" {
  context = "../.."
}
`,
	files: []string{"sub/docker-bake.hcl"},
	want: `
a [docker buildx bake] a at docker-bake.hcl:1:1 ctx=sub df=sub/Dockerfile
b [docker buildx bake] b at docker-bake.hcl:2:1 ctx=. df=Dockerfile
  context: ".."@docker-bake.hcl:3:14
c [docker buildx bake] c at docker-bake.hcl:5:1 ctx= df=
  context: "../.."@docker-bake.hcl:6:14
`,
}, {
	name: "variables with and without defaults, functions",
	archive: `
-- docker-bake.hcl --
variable "TAG" {
  default = "latest"
}
variable "REPO" {}
variable "IMAGE" {
  default = "org/${NAME}"
}
NAME = "app"
function "tag" {
  params = [name, v]
  result = "${IMAGE}-${name}:${v}"
}
target "app" {
  tags = ["${IMAGE}:${TAG}", "${REPO}/app:${TAG}", tag("x", TAG), upper(TAG), nosuchfn(TAG), "t-${timestamp()}"]
  args = { BUILD_DATE = timestamp(), V = TAG }
}
`,
	files: []string{"docker-bake.hcl"},
	want: `
app [docker buildx bake] app at docker-bake.hcl:13:1 ctx=. df=Dockerfile
  tags: "org/app:latest"@docker-bake.hcl:14:11 "${REPO}/app:latest"~@docker-bake.hcl:14:30 "org/app-x:latest"@docker-bake.hcl:14:52 "LATEST"@docker-bake.hcl:14:67 "nosuchfn(TAG)"~@docker-bake.hcl:14:79 "t-${timestamp()}"~@docker-bake.hcl:14:95
  args: BUILD_DATE="timestamp()"~@docker-bake.hcl:15:25 V="latest"@docker-bake.hcl:15:42
`,
}, {
	name: "JSON bake with override file",
	archive: `
-- docker-bake.json --
{
  "group": {"default": {"targets": ["web"]}},
  "variable": {"TAG": {"default": "dev"}},
  "target": {
    "web": {
      "context": "web",
      "tags": ["org/web:${TAG}"],
      "cache-from": ["type=registry,ref=org/web:cache"],
      "cache-to": ["type=registry,ref=org/web:cache"],
      "args": {"A": "1"}
    }
  }
}
-- docker-bake.override.json --
{
  "variable": {"TAG": {"default": "prod"}},
  "target": {"web": {"cache-to": ["type=registry,ref=org/web:cache,mode=max"], "args": {"B": "2"}}}
}
`,
	files: []string{"docker-bake.json", "docker-bake.override.json"},
	want: `
web [docker buildx bake] web at docker-bake.json:5:5 ctx=web df=web/Dockerfile
  context: "web"@docker-bake.json:6:19
  tags: "org/web:prod"@docker-bake.json:7:16
  cache-from: registry "type=registry,ref=org/web:cache"@docker-bake.json:8:23 {type="registry"@docker-bake.json:8:23 ref="org/web:cache"@docker-bake.json:8:37}
  cache-to: registry "type=registry,ref=org/web:cache,mode=max"@docker-bake.override.json:3:36 {type="registry"@docker-bake.override.json:3:36 ref="org/web:cache"@docker-bake.override.json:3:50 mode="max"@docker-bake.override.json:3:68}
  args: A="1"@docker-bake.json:10:22 B="2"@docker-bake.override.json:3:95
`,
}, {
	name: "object cache entries",
	archive: `
-- docker-bake.hcl --
variable "REF" { default = "ghcr.io/o/app:cache" }
target "app" {
  cache-from = [{ type = "registry", ref = REF }]
  cache-to = [
    { type = "registry", ref = REF, mode = "max" },
    "type=inline",
  ]
}
`,
	files: []string{"docker-bake.hcl"},
	want: `
app [docker buildx bake] app at docker-bake.hcl:2:1 ctx=. df=Dockerfile
  cache-from: registry "type=registry,ref=ghcr.io/o/app:cache"@docker-bake.hcl:3:17 {type="registry"@docker-bake.hcl:3:19 ref="ghcr.io/o/app:cache"@docker-bake.hcl:3:38}
  cache-to: registry "type=registry,ref=ghcr.io/o/app:cache,mode=max"@docker-bake.hcl:5:5 {type="registry"@docker-bake.hcl:5:7 ref="ghcr.io/o/app:cache"@docker-bake.hcl:5:26 mode="max"@docker-bake.hcl:5:37}; inline "type=inline"@docker-bake.hcl:6:6 {type="inline"@docker-bake.hcl:6:6}
`,
}, {
	name: "matrix, evaluable and not",
	archive: `
-- docker-bake.hcl --
variable "GOS" {}
target "lint" {
  name = "lint-${t.name}"
  target = t.target
  matrix = {
    t = [{ name = "go", target = "golangci" }, { name = "yaml", target = "yamllint" }]
  }
  cache-to = ["type=gha,scope=lint-${t.name}"]
}
target "bin" {
  name = "bin-${os}"
  matrix = { os = GOS }
  args = { OS = os }
}
`,
	files: []string{"docker-bake.hcl"},
	want: `
lint-go [docker buildx bake] lint-go at docker-bake.hcl:2:1 ctx=. df=Dockerfile
  target: "golangci"@docker-bake.hcl:4:12
  cache-to: gha "type=gha,scope=lint-go"@docker-bake.hcl:8:15 {type="gha"@docker-bake.hcl:8:15 scope="lint-go"@docker-bake.hcl:8:15}
lint-yaml [docker buildx bake] lint-yaml at docker-bake.hcl:2:1 ctx=. df=Dockerfile
  target: "yamllint"@docker-bake.hcl:4:12
  cache-to: gha "type=gha,scope=lint-yaml"@docker-bake.hcl:8:15 {type="gha"@docker-bake.hcl:8:15 scope="lint-yaml"@docker-bake.hcl:8:15}
bin-${os} [docker buildx bake] bin-${os} at docker-bake.hcl:10:1 ctx=. df=Dockerfile
  args: OS="os"~@docker-bake.hcl:13:17
`,
}, {
	name: "a bad file is reported, the other files still load",
	archive: `
-- docker-bake.hcl --
target "ok" {
  tags = ["ok"]
}
-- docker-bake.override.hcl --
target "ok" {
  tags = ["broken"
}
-- other/docker-bake.json --
{"target": {"x": {"context": }}}
`,
	files: []string{"docker-bake.hcl", "docker-bake.override.hcl", "other/docker-bake.json"},
	want: `
ok [docker buildx bake] ok at docker-bake.hcl:1:1 ctx=. df=Dockerfile
  tags: "ok"@docker-bake.hcl:2:12
`,
	errs: `
docker-bake.override.hcl:3:1: Missing item separator: Expected a comma to mark the beginning of the next item.
docker-bake.json:1:30: Missing JSON value: A JSON value must start with a brace, a bracket, a number, a string, or a keyword.`,
}, {
	name: "group and inherits cycles",
	archive: `
-- docker-bake.hcl --
group "default" { targets = ["a", "g2"] }
group "g2" { targets = ["g3", "c"] }
group "g3" { targets = ["g2"] }
target "a" { inherits = ["b"] }
target "b" {
  inherits = ["a"]
  tags = ["b"]
}
target "c" { inherits = ["docker-metadata-action", "nope"] }
`,
	files: []string{"docker-bake.hcl"},
	want: `
a [docker buildx bake] a at docker-bake.hcl:4:1 ctx=. df=Dockerfile
  tags: "b"@docker-bake.hcl:7:12
c [docker buildx bake] c at docker-bake.hcl:9:1 ctx=. df=Dockerfile
`,
	errs: `
docker-bake.hcl:6:16: bake target "b" inherits from "a", which inherits from it
docker-bake.hcl:3:26: bake group "g3" includes group "g2", which includes it
docker-bake.hcl:9:53: bake target "c" inherits from "nope", which no bake file defines`,
}, {
	name: "the first default file stands for the others; later attributes win",
	archive: `
-- docker-bake.hcl --
variable "V" { default = "1" }
target "t" {
  dockerfile = "a.Dockerfile"
  cache-to = ["type=local,dest=/tmp/c"]
}
-- docker-bake.override.hcl --
V = "2"
target "t" {
  dockerfile-inline = "FROM alpine:${V}"
}
`,
	files: []string{"docker-bake.hcl", "docker-bake.override.hcl"},
	want: `
t [docker buildx bake] t at docker-bake.hcl:2:1 ctx=. df=
  dockerfile: "FROM alpine:2"~@docker-bake.override.hcl:3:23
  cache-to: local "type=local,dest=/tmp/c"@docker-bake.hcl:4:16 {type="local"@docker-bake.hcl:4:16 dest="/tmp/c"@docker-bake.hcl:4:27}
`,
}}

// TestBakeFile loads bake files found on their own.
func TestBakeFile(t *testing.T) {
	for _, tt := range bakeFileTests {
		t.Run(tt.name, func(t *testing.T) {
			x := newBakeFixture(tt.archive)
			for _, name := range tt.files {
				x.l.bakeFile(x.file(name, Bake))
			}
			checkText(t, "builds", x.dump(x.l.repo.Builds), tt.want)
			checkText(t, "errors", x.errors(), tt.errs)
			for _, b := range x.l.repo.Builds {
				if b.Job != nil || b.Builder == nil || b.Builder.Driver != "" || b.Builder.Default {
					t.Errorf("%s: job %v builder %+v, want no job and an unknown builder", b.Name, b.Job, b.Builder)
				}
			}
		})
	}
}

// bakeBuildsArchive is the bake file of TestBakeBuilds.
const bakeBuildsArchive = `
-- ci/docker-bake.hcl --
variable "TAG" { default = "dev" }
variable "REGISTRY" {}
group "default" { targets = ["api", "web"] }
group "all" { targets = ["default", "worker"] }
target "_base" {
  cache-from = ["type=gha"]
  cache-to = ["type=gha"]
}
target "api" {
  inherits = ["_base", "docker-metadata-action"]
  context = "api"
  tags = ["${REGISTRY}/api:${TAG}"]
  no-cache = true
}
target "web" {
  context = "web"
  args = { A = "1" }
}
target "worker" {
  context = "."
  dockerfile = "worker/Dockerfile"
}
`

// bakeBuildsTests are bake invocations of bakeBuildsArchive from a
// workflow, and the builds and errors they give.
var bakeBuildsTests = []struct {
	name     string
	workflow string
	inv      func(f *File) *bakeInvocation
	want     string
	errs     string
}{{
	name:     "default files and group, environment",
	workflow: `run: TAG=${{ github.sha }} REGISTRY=ghcr.io docker buildx bake --push`,
	inv: func(f *File) *bakeInvocation {
		return &bakeInvocation{Dir: "ci", Push: true, Env: map[string]Value{
			"TAG": valueAt(f, "${{ github.sha }}"), "REGISTRY": valueAt(f, "ghcr.io"),
		}}
	},
	want: `
api [docker buildx bake] api at ci.yml:1:1 ctx=ci/api df=ci/api/Dockerfile
  context: "api"@docker-bake.hcl:11:14
  tags: "ghcr.io/api:${{ github.sha }}"~@docker-bake.hcl:12:11
  cache-from: gha "type=gha"@docker-bake.hcl:6:18 {type="gha"@docker-bake.hcl:6:18}
  cache-to: gha "type=gha"@docker-bake.hcl:7:16 {type="gha"@docker-bake.hcl:7:16}
  no-cache: "true"@docker-bake.hcl:13:14
  push/load: true false
web [docker buildx bake] web at ci.yml:1:1 ctx=ci/web df=ci/web/Dockerfile
  context: "web"@docker-bake.hcl:16:14
  args: A="1"@docker-bake.hcl:17:17
  push/load: true false
`,
}, {
	name: "--set wildcard overrides",
	workflow: `
files: ci/docker-bake.hcl
targets: all
set: |
  *.cache-to=type=registry,ref=org/c:${{ matrix.t }},mode=max
  *.platform=linux/amd64,linux/arm64
  w*.cache-from+=type=local,src=/tmp
  api.args.B=2
  web.no-cache
  ${{ matrix.t }}.target=final
`,
	inv: func(f *File) *bakeInvocation {
		return &bakeInvocation{Kind: BakeAction, Files: []Value{valueAt(f, "ci/docker-bake.hcl")}, Targets: []Value{valueAt(f, "all")},
			Set: []Value{
				valueAt(f, "*.cache-to=type=registry,ref=org/c:${{ matrix.t }},mode=max"),
				valueAt(f, "*.platform=linux/amd64,linux/arm64"),
				valueAt(f, "w*.cache-from+=type=local,src=/tmp"),
				valueAt(f, "api.args.B=2"),
				valueAt(f, "web.no-cache"),
				valueAt(f, "${{ matrix.t }}.target=final"),
			}, NoCache: Value{Text: "false"}, Builder: &Builder{Driver: "docker-container"}}
	},
	want: `
api [docker/bake-action] api at ci.yml:1:1 ctx=api df=api/Dockerfile
  context: "api"@docker-bake.hcl:11:14
  target: "final"@ci.yml:9:26
  tags: "${REGISTRY}/api:dev"~@docker-bake.hcl:12:11
  platforms: "linux/amd64"@ci.yml:5:14 "linux/arm64"@ci.yml:5:26
  cache-from: gha "type=gha"@docker-bake.hcl:6:18 {type="gha"@docker-bake.hcl:6:18}
  cache-to: registry "type=registry,ref=org/c:${{ matrix.t }},mode=max"~@ci.yml:4:14 {type="registry"@ci.yml:4:14 ref="org/c:${{ matrix.t }}"~@ci.yml:4:28 mode="max"@ci.yml:4:54}
  args: B="2"@ci.yml:7:14
  no-cache: "true"@docker-bake.hcl:13:14
  builder: docker-container default=false
web [docker/bake-action] web at ci.yml:1:1 ctx=web df=web/Dockerfile
  context: "web"@docker-bake.hcl:16:14
  target: "final"@ci.yml:9:26
  platforms: "linux/amd64"@ci.yml:5:14 "linux/arm64"@ci.yml:5:26
  cache-from: local "type=local,src=/tmp"@ci.yml:6:18 {type="local"@ci.yml:6:18 src="/tmp"@ci.yml:6:29}
  cache-to: registry "type=registry,ref=org/c:${{ matrix.t }},mode=max"~@ci.yml:4:14 {type="registry"@ci.yml:4:14 ref="org/c:${{ matrix.t }}"~@ci.yml:4:28 mode="max"@ci.yml:4:54}
  args: A="1"@docker-bake.hcl:17:17
  no-cache: "true"@ci.yml:8:3
  builder: docker-container default=false
worker [docker/bake-action] worker at ci.yml:1:1 ctx=. df=worker/Dockerfile
  context: "."@docker-bake.hcl:20:14
  dockerfile: "worker/Dockerfile"@docker-bake.hcl:21:17
  target: "final"@ci.yml:9:26
  platforms: "linux/amd64"@ci.yml:5:14 "linux/arm64"@ci.yml:5:26
  cache-from: local "type=local,src=/tmp"@ci.yml:6:18 {type="local"@ci.yml:6:18 src="/tmp"@ci.yml:6:29}
  cache-to: registry "type=registry,ref=org/c:${{ matrix.t }},mode=max"~@ci.yml:4:14 {type="registry"@ci.yml:4:14 ref="org/c:${{ matrix.t }}"~@ci.yml:4:28 mode="max"@ci.yml:4:54}
  builder: docker-container default=false
`,
}, {
	name:     "a dynamic target name matches every target but the bases; --no-cache",
	workflow: `run: docker buildx bake -f ci/docker-bake.hcl --no-cache ${{ matrix.t }}`,
	inv: func(f *File) *bakeInvocation {
		return &bakeInvocation{Files: []Value{valueAt(f, "ci/docker-bake.hcl")}, Targets: []Value{valueAt(f, "${{ matrix.t }}")}, NoCache: valueAt(f, "--no-cache")}
	},
	want: `
api [docker buildx bake] api at ci.yml:1:1 ctx=api df=api/Dockerfile
  context: "api"@docker-bake.hcl:11:14
  tags: "${REGISTRY}/api:dev"~@docker-bake.hcl:12:11
  cache-from: gha "type=gha"@docker-bake.hcl:6:18 {type="gha"@docker-bake.hcl:6:18}
  cache-to: gha "type=gha"@docker-bake.hcl:7:16 {type="gha"@docker-bake.hcl:7:16}
  no-cache: "--no-cache"@ci.yml:1:47
web [docker buildx bake] web at ci.yml:1:1 ctx=web df=web/Dockerfile
  context: "web"@docker-bake.hcl:16:14
  args: A="1"@docker-bake.hcl:17:17
  no-cache: "--no-cache"@ci.yml:1:47
worker [docker buildx bake] worker at ci.yml:1:1 ctx=. df=worker/Dockerfile
  context: "."@docker-bake.hcl:20:14
  dockerfile: "worker/Dockerfile"@docker-bake.hcl:21:17
  no-cache: "--no-cache"@ci.yml:1:47
`,
}, {
	name:     "unknown target, malformed and dynamic overrides",
	workflow: `run: docker buildx bake -f ci/docker-bake.hcl nope web --set bad --set ${{ matrix.overrides }}`,
	inv: func(f *File) *bakeInvocation {
		return &bakeInvocation{Files: []Value{valueAt(f, "ci/docker-bake.hcl")}, Targets: []Value{valueAt(f, "nope"), valueAt(f, "web")},
			Set: []Value{valueAt(f, "bad"), valueAt(f, "${{ matrix.overrides }}")}}
	},
	want: `
web [docker buildx bake] web at ci.yml:1:1 ctx=web df=web/Dockerfile
  context: "web"@docker-bake.hcl:16:14
  args: A="1"@docker-bake.hcl:17:17
`,
	errs: `ci.yml:1:62: bake: --set "bad" is not target.key=value
ci.yml:1:47: bake: no target or group "nope" in the bake files`,
}, {
	name:     "a file that is not there makes unknown targets quiet",
	workflow: `files: ci/docker-bake.hcl, gone.hcl, ${{ steps.meta.outputs.bake-file }}`,
	inv: func(f *File) *bakeInvocation {
		return &bakeInvocation{Files: []Value{valueAt(f, "ci/docker-bake.hcl"), valueAt(f, "gone.hcl"), valueAt(f, "${{ steps.meta.outputs.bake-file }}")},
			Targets: []Value{valueAt(f, "files")}}
	},
}, {
	name:     "no bake file at all",
	workflow: `run: docker buildx bake`,
	inv:      func(*File) *bakeInvocation { return &bakeInvocation{} },
}}

// TestBakeBuilds resolves bake invocations.
func TestBakeBuilds(t *testing.T) {
	for _, tt := range bakeBuildsTests {
		t.Run(tt.name, func(t *testing.T) {
			x := newBakeFixture(bakeBuildsArchive + "-- ci.yml --\n" + strings.TrimPrefix(tt.workflow, "\n") + "\n")
			wf := x.file("ci.yml", Workflow)
			inv := tt.inv(wf)
			if inv.Kind == 0 {
				inv.Kind = BuildxBake
			}
			inv.File, inv.Pos, inv.End = wf, wf.Pos(0), wf.Pos(len(wf.Src))
			builds := x.l.bakeBuilds(inv)
			checkText(t, "builds", x.dump(builds), tt.want)
			checkText(t, "errors", x.errors(), tt.errs)
			for _, b := range builds {
				if b.File != wf || b.Builder != inv.Builder {
					t.Errorf("%s: file %v builder %v, want the invocation's", b.Name, b.File.Rel, b.Builder)
				}
			}
		})
	}
}

// TestBakeErrorsOnce: a bake file read by a bake-action step and on its own
// reports its problems once.
func TestBakeErrorsOnce(t *testing.T) {
	x := newBakeFixture(`
-- docker-bake.hcl --
target "a" { inherits = ["a"] }
-- ci.yml --
run: docker buildx bake a
`)
	f := x.file("docker-bake.hcl", Bake)
	wf := x.file("ci.yml", Workflow)
	x.l.bakeFile(f)
	for range 2 {
		x.l.bakeBuilds(&bakeInvocation{Kind: BuildxBake, File: wf, Targets: []Value{valueAt(wf, "a", 1)}})
	}
	checkText(t, "errors", x.errors(), `docker-bake.hcl:1:27: bake target "a" inherits from "a", which inherits from it`)
}

// TestBakeHostile: inputs that would take the loader down if nothing
// stopped them.
var bakeHostileTests = []struct{ name, src, errs string }{
	{"deep nesting", "target \"a\" { tags = " + strings.Repeat("[", 5000) + " }",
		`docker-bake.hcl:1:220: brackets nest more than 200 deep`},
	{"recursive function", "function \"f\" {\n params = [x]\n result = f(x)\n}\ntarget \"a\" { tags = [f(1)] }", ""},
	{"variable cycle", "variable \"A\" { default = B }\nvariable \"B\" { default = A }\ntarget \"a\" { tags = [A] }",
		`docker-bake.hcl:1:26: bake variable A depends on itself`},
	{"huge matrix", "target \"a\" {\n name = \"a${x}${y}\"\n matrix = { x = [" + strings.Repeat("1,", 100) + "], y = [" + strings.Repeat("2,", 100) + "] }\n}",
		`docker-bake.hcl:3:11: bake target "a": the matrix expands to more than 1024 targets; the rest are left out`},
	{"format width", `target "a" { tags = [format("%999999999d", 1)] }`, ""},
	{"doubling variables", doublingVars(40), `docker-bake.hcl:22:28: bake variable v21: its value is larger than 1048576 bytes; it is left unknown`},
	{"doubling function", "function \"d\" {\n params = [x, n]\n result = n == 0 ? x : d(\"${x}${x}\", n - 1)\n}\ntarget \"a\" { tags = [d(\"x\", 31)] }", ""},
}

// doublingVars is a chain of n variables, each twice the one before.
func doublingVars(n int) string {
	var b strings.Builder
	b.WriteString("variable \"v0\" { default = \"x\" }\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "variable \"v%d\" { default = \"${v%d}${v%d}\" }\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "target \"a\" { tags = [v%d] }", n-1)
	return b.String()
}

func TestBakeHostile(t *testing.T) {
	for _, tt := range bakeHostileTests {
		t.Run(tt.name, func(t *testing.T) {
			x := newBakeFixture("-- docker-bake.hcl --\n" + tt.src + "\n")
			start := time.Now()
			x.l.bakeFile(x.file("docker-bake.hcl", Bake))
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			checkText(t, "errors", x.errors(), tt.errs)
		})
	}
}

// TestBakeLarge: a 1 MB bake file of many targets that inherit loads in
// reasonable time.
func TestBakeLarge(t *testing.T) {
	var b strings.Builder
	b.WriteString("variable \"REPO\" { default = \"org\" }\ntarget \"base\" {\n cache-to = [\"type=gha,mode=max\"]\n}\n")
	n := 0
	for b.Len() < 1<<20 {
		fmt.Fprintf(&b, "target \"t%d\" {\n  inherits = [\"base\"]\n  context = \"svc/%d\"\n  tags = [\"${REPO}/t%d:latest\"]\n  args = { N = \"%d\" }\n}\n", n, n, n, n)
		n++
	}
	x := newBakeFixture("-- docker-bake.hcl --\n" + b.String())
	start := time.Now()
	x.l.bakeFile(x.file("docker-bake.hcl", Bake))
	d := time.Since(start)
	if got := len(x.l.repo.Builds); got != n { // base is no build of its own
		t.Errorf("%d builds, want %d", got, n)
	}
	if e := x.errors(); e != "" {
		t.Errorf("errors: %s", e)
	}
	last := x.l.repo.Builds[len(x.l.repo.Builds)-1]
	if want := fmt.Sprintf("org/t%d:latest", n-1); len(last.Tags) != 1 || last.Tags[0].Text != want || len(last.CacheTo) != 1 {
		t.Errorf("last build: tags %v cache-to %v", last.Tags, last.CacheTo)
	}
	t.Logf("%d targets in %v", n, d)
	if d > time.Minute { // the CPU time is about 0.5s; leave room for a loaded machine
		t.Errorf("took %v", d)
	}
}

// newTestLoader is a loader over files held in memory, at /repo.
func newTestLoader(fset *token.FileSet, src map[string][]byte) *loader {
	read := func(abs string) ([]byte, error) {
		b, ok := src[strings.TrimPrefix(abs, "/repo/")]
		if !ok {
			return nil, fmt.Errorf("no file %s", abs)
		}
		return b, nil
	}
	return &loader{repo: &Repo{Root: "/repo"}, fset: fset, read: read, files: map[string]*File{}, dfs: map[string]*dockerfile.File{}}
}

// FuzzBake reads a bake file on its own and through an invocation with
// overrides: no input may panic (bakeRecover is off), make a build without
// a builder, or give a position outside the files.
//
// The seeds are the bake files of the tests.
func FuzzBake(f *testing.F) {
	archives := []string{bakeBuildsArchive}
	for _, tt := range bakeFileTests {
		archives = append(archives, tt.archive)
	}
	for _, a := range archives {
		for _, file := range txtar.Parse([]byte(a)).Files {
			f.Add(file.Data, strings.HasSuffix(file.Name, ".json"))
		}
	}
	for _, tt := range bakeHostileTests {
		f.Add([]byte(tt.src), false)
	}
	f.Fuzz(func(t *testing.T, src []byte, json bool) {
		bakeRecover = false
		defer func() { bakeRecover = true }()
		name := "docker-bake.hcl"
		if json {
			name = "docker-bake.json"
		}
		x := newBakeFixture("-- ci.yml --\nset: '*.cache-to=type=gha,mode=max' '*.args.A=1' 'a*.tags+=x' t.no-cache\n")
		x.src[name] = src
		bake := x.file(name, Bake)
		wf := x.file("ci.yml", Workflow)
		x.l.bakeFile(bake)
		inv := &bakeInvocation{Kind: BakeAction, File: wf, Pos: wf.Pos(0), End: wf.Pos(len(wf.Src)),
			Targets: []Value{{Text: "${{ matrix.t }}", Dynamic: true}},
			Set:     []Value{valueAt(wf, "*.cache-to=type=gha,mode=max"), valueAt(wf, "*.args.A=1"), valueAt(wf, "a*.tags+=x"), valueAt(wf, "t.no-cache")},
			Env:     map[string]Value{"TAG": {Text: "v1"}}}
		for _, b := range x.l.repo.Builds {
			if b.Builder == nil {
				t.Errorf("%s: no builder", b.Name)
			}
		}
		builds := append(slices.Clone(x.l.repo.Builds), x.l.bakeBuilds(inv)...)
		inFiles := func(what string, p token.Pos) {
			if !p.IsValid() {
				return
			}
			for _, f := range []*File{bake, wf} {
				if int(p) >= f.Tok.Base() && int(p) <= f.Tok.Base()+f.Tok.Size() {
					return
				}
			}
			t.Errorf("%s: position %d outside the files", what, p)
		}
		for _, b := range builds {
			inFiles("build", b.Pos)
			for _, v := range slices.Concat(b.Tags, b.Platforms, b.Outputs, []Value{b.Context, b.Dockerfile, b.Target, b.NoCache}) {
				inFiles("value", v.Pos)
				inFiles("value end", v.End)
				if v.Pos > v.End {
					t.Errorf("%q: ends before it starts", v.Text)
				}
			}
			for _, c := range slices.Concat(b.CacheFrom, b.CacheTo) {
				inFiles("cache", c.Pos)
				for _, a := range c.Attrs {
					inFiles("cache attribute", a.Value.Pos)
				}
			}
			for _, a := range b.BuildArgs {
				inFiles("arg", a.Pos)
			}
		}
		for _, e := range x.l.repo.Errors {
			inFiles("error", e.Pos)
		}
	})
}

// TestBakeCorpus reads every bake file of the shared corpus on its own:
// none may panic; the counts, the errors and a sample of builds are
// logged for review.
func TestBakeCorpus(t *testing.T) {
	corpus, ok := testfiles.Shared("corpus")
	if !ok {
		t.Skip("no shared corpus")
	}
	bakeRecover = false
	defer func() { bakeRecover = true }()
	repos, err := os.ReadDir(corpus)
	if err != nil {
		t.Fatal(err)
	}
	files, targets, builds, errs := 0, 0, 0, 0
	var sample []string
	for _, repo := range repos {
		root := filepath.Join(corpus, repo.Name())
		var rels []string
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "docker-bake") &&
				(strings.HasSuffix(d.Name(), ".hcl") || strings.HasSuffix(d.Name(), ".json")) {
				rel, _ := filepath.Rel(root, p)
				rels = append(rels, filepath.ToSlash(rel))
			}
			return nil
		})
		if len(rels) == 0 {
			continue
		}
		fset := token.NewFileSet()
		l := &loader{repo: &Repo{Root: root}, fset: fset, read: os.ReadFile, files: map[string]*File{}, dfs: map[string]*dockerfile.File{}}
		for _, rel := range rels {
			f := l.open(rel, Bake)
			if f == nil {
				t.Errorf("%s/%s: cannot open", repo.Name(), rel)
				continue
			}
			files++
			before := len(l.repo.Builds)
			l.bakeFile(f)
			t.Logf("file: %s/%s: %d builds", repo.Name(), rel, len(l.repo.Builds)-before)
			for _, b := range l.repo.Builds[before:] {
				if len(sample) < 40 || b.CacheTo != nil {
					var cache []string
					for _, c := range b.CacheTo {
						cache = append(cache, c.Type+":"+c.Text)
					}
					sample = append(sample, fmt.Sprintf("%s/%s: %s ctx=%s df=%s target=%q tags=%d cache-to=%v dyn=%v",
						repo.Name(), rel, b.Name, b.ContextDir, b.DockerfilePath, b.Target.Text, len(b.Tags), cache, b.Context.Dynamic || b.Dockerfile.Dynamic))
				}
			}
		}
		for _, f := range l.repo.Files {
			p := newBakeProject(l, nil)
			p.parse(f)
			targets += len(p.targetOrder)
		}
		builds += len(l.repo.Builds)
		for _, e := range l.repo.Errors {
			errs++
			t.Logf("error: %s/%s: %s", repo.Name(), fset.Position(e.Pos), e.Msg)
		}
	}
	for _, s := range sample {
		t.Logf("build: %s", s)
	}
	t.Logf("%d bake files, %d targets defined, %d builds, %d errors", files, targets, builds, errs)
	if files == 0 {
		t.Error("no bake file in the corpus")
	}
}

// TestBakeLoad loads a repository through Load: the bake file on its own
// and as the workflow's bake-action step builds it, with its overrides.
// The step runs bake at the root, so there the context "." is the root;
// on its own the bake file runs in its directory.
func TestBakeLoad(t *testing.T) {
	repo, fset := loadRepo(t, map[string]string{
		".github/workflows/ci.yml": `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/setup-buildx-action@v3
      - uses: docker/bake-action@v6
        with:
          source: .
          files: ./docker/docker-bake.hcl
          targets: app
          set: |
            *.cache-to=type=gha,mode=max
`,
		"docker/docker-bake.hcl": `target "app" {
  context = "."
  cache-to = ["type=gha"]
}
target "other" {
  dockerfile = "other.Dockerfile"
}
`,
		"docker/Dockerfile":       "FROM alpine AS a\nRUN true\nFROM a\n",
		"docker/other.Dockerfile": "FROM alpine\n",
	})
	x := &bakeFixture{fset: fset}
	var got []string
	for _, b := range repo.Builds {
		got = append(got, fmt.Sprintf("%s %s %s job=%v driver=%q stages=%v cache-to=%s",
			b.Kind, b.Name, b.DockerfilePath, b.Job != nil, b.Builder.Driver, b.Stages != nil, x.specs(b.CacheTo)))
	}
	checkText(t, "builds", strings.Join(got, "\n"), `
docker/bake-action app Dockerfile job=true driver="docker-container" stages=false cache-to=gha "type=gha,mode=max"@ci.yml:13:24 {type="gha"@ci.yml:13:24 mode="max"@ci.yml:13:33}
docker buildx bake app docker/Dockerfile job=false driver="" stages=true cache-to=gha "type=gha"@docker-bake.hcl:3:16 {type="gha"@docker-bake.hcl:3:16}
docker buildx bake other docker/other.Dockerfile job=false driver="" stages=true cache-to=`)
	if len(repo.Errors) > 0 {
		t.Errorf("errors: %v", repo.Errors)
	}
}
