package buildconfig

import (
	"fmt"
	"go/token"
	"slices"
	"strings"
	"testing"
)

// describeJob sums up the CI job of a build in one line.
func describeJob(fset *token.FileSet, j *Job) string {
	if j == nil {
		return "no job"
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "job %s@%s triggers=%s", j.Name, pos(fset, j.Pos), strings.Join(j.Triggers, ","))
	if j.Hosted {
		sb.WriteString(" hosted")
	}
	if j.Image.IsSet() {
		fmt.Fprintf(&sb, " image=%s@%s", j.Image.Text, pos(fset, j.Image.Pos))
	}
	for _, s := range j.Services {
		fmt.Fprintf(&sb, " service=%s", s.Text)
	}
	if j.Runner.IsSet() {
		fmt.Fprintf(&sb, " runner=%s", j.Runner.Text)
	}
	if len(j.Matrix) > 0 {
		fmt.Fprintf(&sb, " matrix=%s", strings.Join(j.Matrix, ","))
	}
	var keys []string
	for k := range j.Env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := j.Env[k]
		fmt.Fprintf(&sb, " %s=%s", k, v.Text)
		if v.Dynamic {
			sb.WriteString("(dyn)")
		}
		if v.Pos.IsValid() {
			fmt.Fprintf(&sb, "@%s", pos(fset, v.Pos))
		}
	}
	return sb.String()
}

// loadResult describes what loading gives: the builds (each with its name
// and job when it has one) and the parse errors.
func loadResult(t *testing.T, files map[string]string) []string {
	t.Helper()
	repo, fset := loadFiles(t, files)
	var out []string
	for _, b := range repo.Builds {
		out = append(out, describe(fset, b)+" name="+b.Name)
		if b.Job != nil {
			out = append(out, "  "+describeJob(fset, b.Job))
		}
	}
	for _, e := range repo.Errors {
		out = append(out, fmt.Sprintf("error %s: %s", pos(fset, e.Pos), e.Msg))
	}
	return out
}

func TestMakefileAndScript(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{{
		name: "continuations, known and unknown make variables, prefixes",
		files: map[string]string{
			"Makefile": `REGISTRY ?= registry.example.com
IMAGE := $(REGISTRY)/app
TAG = $(shell git rev-parse --short HEAD)
FLAGS = --push --load

.PHONY: build
build: deps ## build the image
	@echo building $@
	-@docker buildx build \
	  --cache-from type=registry,ref=$(IMAGE):cache \
	  --cache-to type=registry,ref=${IMAGE}:cache,mode=max \
	  -t $(IMAGE):$(TAG) \
	  --build-arg VERSION=$$(cat VERSION) $(FLAGS) .
`,
		},
		want: []string{
			"Makefile:9:4 docker buildx build ctx=. df=Dockerfile tag=registry.example.com/app:$(TAG) from=registry:registry.example.com/app:cache@10:17 to=registry:registry.example.com/app:cache@11:15,mode=max arg=VERSION=$(cat VERSION)(dyn) builder=default name=docker buildx build",
		},
	}, {
		name: "each recipe line is its own shell",
		files: map[string]string{
			"Makefile": "build:\n\texport IMG=app\n\tdocker build -t $$IMG .\n\tIMG=web; docker build -t $$IMG web\n",
		},
		want: []string{
			"Makefile:3:2 docker build ctx=. df=Dockerfile tag=$IMG builder=default name=docker build",
			"Makefile:4:11 docker build ctx=web df=web/Dockerfile tag=web builder=default name=docker build",
		},
	}, {
		name: ".ONESHELL makes the recipe one shell",
		files: map[string]string{
			"Makefile": "build:\n\t@export IMG=app\n\tdocker build -t $$IMG .\n.ONESHELL:\n",
		},
		want: []string{
			"Makefile:3:2 docker build ctx=. df=Dockerfile tag=app builder=default name=docker build",
		},
	}, {
		name: "exported variables are the recipes' environment; recipes run in the Makefile's directory",
		files: map[string]string{
			"app/Makefile": "export DOCKER_BUILDKIT = 0\nifeq ($(CI),true)\nCTX := ci\nelse\nCTX := .\nendif\nimage: ; docker build -t app $(CTX)\n",
		},
		want: []string{
			"app/Makefile:7:10 docker build ctx= df= tag=app legacy builder=default name=docker build",
		},
	}, {
		name: "define blocks, target-specific variables, comments and blank lines in recipes",
		files: map[string]string{
			"Makefile": "define HELP\nbuild:\n\tdocker build -t nope .\nendef\nbuild: IMAGE = app\nbuild:\n\n# a comment\n\tdocker build -t $(IMAGE) . # $(IMAGE)\n",
		},
		want: []string{
			"Makefile:9:2 docker build ctx=. df=Dockerfile tag=$(IMAGE) builder=default name=docker build",
		},
	}, {
		name: "a shell script with CRLF line ends",
		files: map[string]string{
			"build.sh": "#!/bin/sh\r\nset -e\r\ndocker build \\\r\n  -t app \\\r\n  ctx\r\n",
		},
		want: []string{
			"build.sh:3:1 docker build ctx=ctx df=ctx/Dockerfile tag=app builder=default name=docker build",
		},
	}, {
		name: "a Makefile with CRLF line ends",
		files: map[string]string{
			"Makefile": "IMAGE=app\r\nbuild:\r\n\tdocker build \\\r\n\t\t-t $(IMAGE) .\r\n",
		},
		want: []string{
			"Makefile:3:2 docker build ctx=. df=Dockerfile tag=app builder=default name=docker build",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadResult(t, tt.files)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestMakefilePositions checks where the values of a recipe line point:
// a substituted variable spans its reference, an unknown one reads as
// written.
func TestMakefilePositions(t *testing.T) {
	repo, fset := loadFiles(t, map[string]string{
		"Makefile": "IMAGE := org/app\nbuild:\n\tdocker build -t $(IMAGE):$(VERSION) --target=$(T) .\n",
	})
	if len(repo.Builds) != 1 {
		t.Fatalf("got %d builds", len(repo.Builds))
	}
	b := repo.Builds[0]
	tag := b.Tags[0]
	if tag.Text != "org/app:$(VERSION)" || !tag.Dynamic || pos(fset, tag.Pos) != "3:18" || pos(fset, tag.End) != "3:37" {
		t.Errorf("tag %q dynamic=%v %s-%s", tag.Text, tag.Dynamic, pos(fset, tag.Pos), pos(fset, tag.End))
	}
	if b.Target.Text != "$(T)" || !b.Target.Dynamic || pos(fset, b.Target.Pos) != "3:47" || pos(fset, b.Target.End) != "3:51" {
		t.Errorf("target %q dynamic=%v %s-%s", b.Target.Text, b.Target.Dynamic, pos(fset, b.Target.Pos), pos(fset, b.Target.End))
	}
}
