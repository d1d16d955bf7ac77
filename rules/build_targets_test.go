package rules

import (
	"go/token"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/buildconfig"
	"github.com/cachelint/cachelint/dockerfile"
)

func parseDockerfile(t *testing.T, src string) *dockerfile.File {
	t.Helper()
	fset := token.NewFileSet()
	f := dockerfile.Parse("Dockerfile", []byte(src), fset.AddFile("Dockerfile", -1, len(src)))
	if f.ParseErr != nil {
		t.Fatal(f.ParseErr)
	}
	return f
}

func TestTargetSideWork(t *testing.T) {
	tests := []struct {
		name, src, target string
		// want is "" when no side work is expected, else the description.
		want string
	}{
		{name: "single stage", src: "FROM node:22\nRUN npm ci\n"},
		{name: "linear chain", src: "FROM node:22 AS deps\nRUN npm ci\nFROM deps AS app\nRUN npm run build\n"},
		{name: "side stage copies only", src: "FROM alpine AS src\nCOPY . /src\nFROM alpine\nCOPY --from=src /src /src\n"},
		{name: "side stage not needed", target: "app",
			src: "FROM golang AS test\nRUN go test ./...\nFROM golang AS app\nRUN go build .\n"},
		{name: "copy from a side stage",
			src:  "FROM golang:1.22 AS build\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\nFROM alpine AS app\nCOPY --from=build /app /app\n",
			want: "target `app` of web/Dockerfile copies from stage `build` (line 7), which runs `go mod download` (line 3) and 1 more expensive step"},
		{name: "side stage built on another",
			src:  "FROM node:22 AS deps\nRUN npm ci\nFROM deps AS build\nRUN npm run build\nFROM nginx\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
			want: "the last stage of web/Dockerfile copies from stage `build` (line 6), which runs `npm ci` (line 2, in stage `deps`) and 1 more expensive step"},
		{name: "mount from a side stage", target: "app",
			src:  "FROM python:3 AS wheels\nRUN pip wheel -r requirements.txt -w /wheels\nFROM python:3 AS app\nRUN --mount=from=wheels,source=/wheels,target=/wheels pip install /wheels/*\n",
			want: "target `app` of web/Dockerfile mounts stage `wheels` (line 4), which runs `pip wheel` (line 2)"},
		{name: "side stage of a base stage", target: "final",
			src:  "FROM rust AS build\nRUN cargo build --release\nFROM debian AS runtime\nCOPY --from=build /t/app /app\nFROM runtime AS final\nUSER app\n",
			want: "target `final` of web/Dockerfile builds on stage `runtime`, which copies from stage `build` (line 4), which runs `cargo build` (line 2)"},
		{name: "by index",
			src:  "FROM maven\nRUN mvn package\nFROM eclipse-temurin\nCOPY --from=0 /target/app.jar /app.jar\n",
			want: "the last stage of web/Dockerfile copies from stage `0` (line 4), which runs `mvn package` (line 2)"},
		{name: "npm run build",
			src:  "FROM node AS web\nRUN npm run build\nFROM nginx\nCOPY --from=web /dist /srv\n",
			want: "which runs `npm run build` (line 2)"},
		{name: "version check is not a build",
			src: "FROM alpine AS b\nCOPY runc /usr/bin/runc\nRUN /usr/bin/runc --version\nFROM alpine\nCOPY --from=b /usr/bin/runc /usr/bin/runc\n"},
		{name: "project script",
			src:  "FROM alpine AS b\nRUN ./build.sh --release\nFROM alpine\nCOPY --from=b /out /out\n",
			want: "which runs `./build.sh` (line 2)"},
		{name: "unknown target", target: "nope", src: "FROM golang AS b\nRUN go build\nFROM alpine\nCOPY --from=b /x /x\n"},
		{name: "os packages in a side stage",
			src:  "FROM debian AS tools\nRUN apt-get update && apt-get install -y curl\nFROM debian\nCOPY --from=tools /usr/bin/curl /usr/bin/curl\n",
			want: "copies from stage `tools` (line 4), which runs `apt-get install` (line 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseDockerfile(t, tt.src)
			b := &buildconfig.Build{Stages: f, Target: buildconfig.Value{Text: tt.target}}
			w, ok := targetSideWork(nil, b)
			if tt.want == "" {
				if ok {
					t.Fatalf("side work %q, want none", w.Describe("web/Dockerfile"))
				}
				return
			}
			if !ok {
				t.Fatalf("no side work, want %q", tt.want)
			}
			if got := w.Describe("web/Dockerfile"); !strings.Contains(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestTargetSideWorkUnknown(t *testing.T) {
	if _, ok := targetSideWork(nil, &buildconfig.Build{}); ok {
		t.Error("side work without a Dockerfile")
	}
	f := parseDockerfile(t, "FROM golang AS b\nRUN go build\nFROM alpine\nCOPY --from=b /x /x\n")
	if _, ok := targetSideWork(nil, &buildconfig.Build{Stages: f, Target: buildconfig.Value{Text: "${{ matrix.target }}", Dynamic: true}}); ok {
		t.Error("side work for a dynamic target")
	}
	// A --from given by a variable that the model resolves: the side
	// stage counts, the reading instruction is not named.
	f = parseDockerfile(t, "FROM golang AS b\nRUN go build\nFROM alpine\nARG SRC=b\nCOPY --from=${SRC} /x /x\n")
	w, ok := targetSideWork(nil, &buildconfig.Build{Stages: f})
	if !ok {
		t.Fatal("no side work through --from=${SRC}")
	}
	if got, want := w.Describe(""), "the last stage of the Dockerfile depends on stage `b`, which runs `go build` (line 2)"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestTargetSideWorkImportedStage(t *testing.T) {
	f := parseDockerfile(t, "FROM node AS deps\nRUN npm ci\nFROM deps AS build\nRUN npm run build\nFROM golang AS tool\nRUN go build\nFROM nginx\nCOPY --from=build /dist /srv\nCOPY --from=tool /t /t\n")
	spec := func(s string) *buildconfig.CacheSpec {
		typ, _, _ := strings.Cut(strings.TrimPrefix(s, "type="), ",")
		c := &buildconfig.CacheSpec{Value: buildconfig.Value{Text: s}, Type: typ}
		for _, kv := range strings.Split(s, ",") {
			k, v, _ := strings.Cut(kv, "=")
			c.Attrs = append(c.Attrs, buildconfig.Attr{Key: k, Value: buildconfig.Value{Text: v}})
		}
		return c
	}
	// The build of target build exports an inline cache into its image,
	// which the final build imports: stages deps and build are covered,
	// tool is not.
	builder := &buildconfig.Build{Stages: f, Target: buildconfig.Value{Text: "build"},
		Tags: []buildconfig.Value{{Text: "ghcr.io/a/app:builder"}}, CacheTo: []*buildconfig.CacheSpec{spec("type=inline")}}
	final := &buildconfig.Build{Stages: f, CacheFrom: []*buildconfig.CacheSpec{spec("type=registry,ref=ghcr.io/a/app:builder")}}
	repo := &buildconfig.Repo{Builds: []*buildconfig.Build{builder, final}}
	w, ok := targetSideWork(repo, final)
	if !ok {
		t.Fatal("no side work; stage tool is not covered")
	}
	if got, want := w.Describe("Dockerfile"), "the last stage of Dockerfile copies from stage `tool` (line 9), which runs `go build` (line 6)"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// With a gha cache of the tool target in the same scope as well,
	// nothing is left.
	tool := &buildconfig.Build{Stages: f, Target: buildconfig.Value{Text: "tool"}, CacheTo: []*buildconfig.CacheSpec{spec("type=gha,scope=tool,mode=max")}}
	final.CacheFrom = append(final.CacheFrom, spec("type=gha,scope=tool"))
	repo.Builds = append(repo.Builds, tool)
	if w, ok := targetSideWork(repo, final); ok {
		t.Errorf("side work %q, want none", w.Describe("Dockerfile"))
	}
	// Without the import, the builder's cache does not count.
	final.CacheFrom = nil
	if _, ok := targetSideWork(repo, final); !ok {
		t.Error("no side work without cache-from")
	}
}
