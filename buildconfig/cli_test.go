package buildconfig

import (
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// loadFiles writes files into a temporary repository and loads the
// configuration files among them.
func loadFiles(t *testing.T, files map[string]string) (*Repo, *token.FileSet) {
	t.Helper()
	root := t.TempDir()
	var inputs []Input
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if KindOf(name) != 0 {
			inputs = append(inputs, Input{Path: name, Abs: p})
		}
	}
	fset := token.NewFileSet()
	return Load(fset, root, inputs, os.ReadFile), fset
}

// describe sums a build up in one line.
func describe(fset *token.FileSet, b *Build) string {
	p := fset.Position(b.Pos)
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s:%d:%d %s ctx=%s df=%s", p.Filename, p.Line, p.Column, b.Kind, b.ContextDir, b.DockerfilePath)
	if b.Target.IsSet() {
		fmt.Fprintf(&sb, " target=%s", b.Target.Text)
	}
	for _, tg := range b.Tags {
		fmt.Fprintf(&sb, " tag=%s", tg.Text)
	}
	for _, c := range b.CacheFrom {
		fmt.Fprintf(&sb, " from=%s@%s", c.Location(), pos(fset, c.Pos))
	}
	for _, c := range b.CacheTo {
		fmt.Fprintf(&sb, " to=%s@%s", c.Location(), pos(fset, c.Pos))
		if m, ok := c.Get("mode"); ok {
			fmt.Fprintf(&sb, ",mode=%s", m.Text)
		}
	}
	for _, a := range b.BuildArgs {
		fmt.Fprintf(&sb, " arg=%s=%s", a.Name, a.Value.Text)
		if a.Value.Dynamic {
			sb.WriteString("(dyn)")
		}
	}
	if b.NoCache.IsSet() {
		sb.WriteString(" no-cache")
	}
	if b.Push {
		sb.WriteString(" push")
	}
	if b.Legacy {
		sb.WriteString(" legacy")
	}
	switch {
	case b.Builder.Default:
		sb.WriteString(" builder=default")
	default:
		fmt.Fprintf(&sb, " builder=%q", b.Builder.Driver)
	}
	if b.Stages != nil {
		fmt.Fprintf(&sb, " stages=%d", len(b.Stages.Stages))
	}
	return sb.String()
}

func pos(fset *token.FileSet, p token.Pos) string {
	if !p.IsValid() {
		return "-"
	}
	q := fset.Position(p)
	return fmt.Sprintf("%d:%d", q.Line, q.Column)
}

func TestScriptBuilds(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script string
		want   []string
	}{
		{"plain docker build", "#!/bin/sh\ndocker build -t app:1 .\n",
			[]string{"build.sh:2:1 docker build ctx=. df=Dockerfile tag=app:1 builder=default stages=2"}},
		{"buildx with cache and a created builder",
			"set -e\ndocker buildx create --use --driver docker-container\ncd sub && docker buildx build \\\n  --cache-to type=registry,ref=r/app:cache,mode=max \\\n  --cache-from=r/app:cache -f df/Dockerfile --target test --push .\n",
			[]string{`build.sh:3:11 docker buildx build ctx=. df=df/Dockerfile target=test from=registry:r/app:cache@5:16 to=registry:r/app:cache@4:14,mode=max push builder="docker-container"`}},
		{"legacy builder through export and a prefix",
			"export DOCKER_BUILDKIT=0\ndocker build .\nDOCKER_BUILDKIT=1 docker build .\n",
			[]string{"build.sh:2:1 docker build ctx=. df=Dockerfile legacy builder=default stages=2",
				"build.sh:3:19 docker build ctx=. df=Dockerfile builder=default stages=2"}},
		{"build args, dynamic values and sh -c",
			"sh -c 'docker build --build-arg VERSION=$(git rev-parse HEAD) --build-arg A=1 --build-arg TOKEN -t \"$IMAGE\" .'\n",
			[]string{"build.sh:1:8 docker build ctx=. df=Dockerfile tag=$IMAGE arg=VERSION=$(git rev-parse HEAD)(dyn) arg=A=1 arg=TOKEN= builder=default stages=2"}},
		{"a builder chosen by name",
			"docker buildx create --name ci --driver kubernetes\ndocker buildx --builder ci build .\ndocker buildx use other\ndocker buildx build --cache-to type=gha .\n",
			[]string{`build.sh:2:1 docker buildx build ctx=. df=Dockerfile builder="kubernetes" stages=2`,
				`build.sh:4:1 docker buildx build ctx=. df=Dockerfile to=gha:buildkit@4:32 builder="" stages=2`}},
		{"buildctl", "buildctl --addr tcp://b:1234 build --frontend dockerfile.v0 --local context=. --local dockerfile=docker --opt target=prod --export-cache type=registry,ref=r/c --output type=image,name=r/app:1,push=true\n",
			[]string{`build.sh:1:1 buildctl build ctx=. df=docker/Dockerfile target=prod tag=r/app:1 to=registry:r/c@1:138 push builder=""`}},
		{"kaniko", "/kaniko/executor --context $CI_PROJECT_DIR --dockerfile $CI_PROJECT_DIR/Dockerfile --destination r/app:1 --cache=true\n",
			[]string{`build.sh:1:1 kaniko ctx=. df=Dockerfile tag=r/app:1 push builder="kaniko" stages=2`}},
		{"not builds", "docker run --rm app\ndocker buildx ls\necho docker build .\ndocker build --help >/dev/null || true\n",
			[]string{"build.sh:4:1 docker build ctx=. df=Dockerfile builder=default stages=2"}},
		{"unparsable script", "docker build . (\n", nil},
		{"flags in an unquoted variable are split into fields",
			"docker buildx create --use\ncache=\"--cache-from=type=gha,scope=rel --cache-to=type=gha,scope=rel\"\ndocker buildx build ${cache} \"$quoted\" .\n",
			[]string{`build.sh:3:1 docker buildx build ctx=. df=Dockerfile from=gha:rel@3:21 to=gha:rel@3:21 builder="docker-container" stages=2`}},
		{"bake from a script", "docker buildx create --use\ndocker buildx bake -f docker-bake.hcl --set '*.cache-to=type=gha,mode=max' --push app\n",
			[]string{`build.sh:2:1 docker buildx bake ctx=. df=Dockerfile tag=r/app:1 to=gha:buildkit@2:45,mode=max push builder="docker-container" stages=2`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo, fset := loadFiles(t, map[string]string{
				"build.sh":        tc.script,
				"Dockerfile":      "FROM alpine AS a\nFROM a\n",
				"docker-bake.hcl": "target \"app\" {\n  tags = [\"r/app:1\"]\n}\n",
			})
			var got []string
			for _, b := range repo.Builds {
				if b.File.Rel == "build.sh" { // not the bake file's own builds
					got = append(got, describe(fset, b))
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("builds:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestCacheSpec(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"user/app:cache", "registry [ref=user/app:cache]"},
		{"type=gha,mode=max", "gha [type=gha mode=max]"},
		{`type=registry,"ref=a/b:c",mode=max`, "registry [type=registry ref=a/b:c mode=max]"},
		{"type=gha,scope=${{ matrix.a, b }},mode=max", "gha [type=gha scope=${{ matrix.a, b }} mode=max]"},
		{"${{ inputs.cache }}", " []"},
		{"$CACHE_TO", " []"},
		{"${CACHE_TO}", " []"},
		{"$(cat cache-to.txt)", " []"},
		{"$CI_REGISTRY_IMAGE:latest", "registry [ref=$CI_REGISTRY_IMAGE:latest]"},
		{" type=local , dest=/tmp/c ", "local [type=local dest=/tmp/c]"},
	} {
		v := Value{Text: tc.in, Dynamic: isDynamic(tc.in)}
		c := parseCacheSpec(v)
		var attrs []string
		for _, a := range c.Attrs {
			attrs = append(attrs, a.Key+"="+a.Value.Text)
		}
		if got := c.Type + " [" + strings.Join(attrs, " ") + "]"; got != tc.want {
			t.Errorf("parseCacheSpec(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestSplitList(t *testing.T) {
	src := "with:\n  cache-to: |\n    type=gha,mode=max\n\n    # a comment\n    type=registry,ref=a/b\n  tags: a:1, b:2\n"
	fset := token.NewFileSet()
	tf := fset.AddFile("w.yml", -1, len(src))
	tf.SetLinesForContent([]byte(src))
	l := &loader{repo: &Repo{Files: []*File{{Path: "w.yml", Src: []byte(src), Tok: tf}}}, fset: fset}
	block := Value{Text: "type=gha,mode=max\n\n# a comment\ntype=registry,ref=a/b\n", Pos: tf.Pos(strings.Index(src, "type=gha"))}
	tagsAt := strings.Index(src, "a:1")
	tags := Value{Text: "a:1, b:2", Pos: tf.Pos(tagsAt), End: tf.Pos(tagsAt + 8)}
	for _, tc := range []struct {
		v      Value
		commas bool
		want   []string
	}{
		{block, false, []string{"type=gha,mode=max@3:5", "type=registry,ref=a/b@6:5"}},
		{tags, true, []string{"a:1@7:9", "b:2@7:14"}},
	} {
		var got []string
		for _, e := range l.splitList(tc.v, tc.commas) {
			got = append(got, e.Text+"@"+pos(fset, e.Pos))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("splitList(%q) = %q, want %q", tc.v.Text, got, tc.want)
		}
	}
}

func TestOpenStaysInside(t *testing.T) {
	repo, _ := loadFiles(t, map[string]string{"ci/inc.yml": "x: 1\n", "build.sh": "true\n"})
	l := &loader{repo: repo, fset: token.NewFileSet(), read: os.ReadFile, files: map[string]*File{}}
	if f := l.open("./ci/inc.yml", GitLab); f == nil || f.Rel != "ci/inc.yml" || f.Path != "ci/inc.yml" {
		t.Errorf("open(ci/inc.yml) = %+v", f)
	}
	for _, bad := range []string{"../x.yml", "/etc/passwd", "ci/missing.yml"} {
		if f := l.open(bad, GitLab); f != nil {
			t.Errorf("open(%s) = %s, want nil", bad, f.Rel)
		}
	}
}
