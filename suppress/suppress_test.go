package suppress_test

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/cachelint/cachelint/dockerfile"
	"github.com/cachelint/cachelint/internal/testfiles"
	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
	"github.com/cachelint/cachelint/suppress"
)

// corpus is the shared corpus of real-world Dockerfiles, when present.
var corpus = flag.String("corpus", sharedCorpus(), "directory of real-world Dockerfiles to check the check comments on")

// sharedCorpus is the project's shared corpus beside the repository, or
// beside a directory above it (from a worktree); "" when it is absent.
func sharedCorpus() string {
	dir, _ := testfiles.Shared("corpus")
	return dir
}

// describe writes a set as one line a comment: source, scope, the
// comment's line, the rules it names (as written=rule), the lines it
// covers, and any problem.
func describe(f *dockerfile.File, s *suppress.Set) []string {
	var out []string
	for _, c := range s.Comments {
		var names []string
		for _, n := range c.Names {
			p, e := f.Tok.Position(n.Pos), f.Tok.Position(n.End)
			name := n.Text
			if n.Rule != n.Text {
				name += "=" + n.Rule
			}
			names = append(names, fmt.Sprintf("%s@%d:%d-%d", name, p.Line, p.Column, e.Column))
		}
		scope := [...]string{"instruction", "stage", "file"}[c.Scope]
		line := fmt.Sprintf("%s %s line %d [%s] covers %d-%d", c.Source, scope, c.Line, strings.Join(names, " "), c.StartLine, c.EndLine)
		if c.Reason != "" {
			line += " reason=" + c.Reason
		}
		if c.Problem != "" {
			line += " problem=" + c.Problem
		}
		out = append(out, line)
	}
	return out
}

func TestRead(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{{
		name: "instruction, with comments between and a reason",
		src: "FROM alpine\n" +
			"# cachelint ignore=CL003,missing-cache-mount -- our mirror has no cache\n" +
			"# install the tools\n" +
			"RUN apk add curl \\\n" +
			"    git\n",
		want: []string{"cachelint instruction line 2 [CL003@2:20-25 missing-cache-mount@2:26-45] covers 4-5 reason=our mirror has no cache"},
	}, {
		name: "spaces around the list",
		src:  "FROM alpine\n  #   cachelint ignore = CL003 , CL025\t\nRUN apk add curl\n",
		want: []string{"cachelint instruction line 2 [CL003@2:26-31 CL025@2:34-39] covers 3-3"},
	}, {
		name: "a blank line breaks the link",
		src:  "FROM alpine\n# cachelint ignore=CL003\n\nRUN apk add curl\n",
		want: []string{"cachelint instruction line 2 [CL003@2:20-25] covers 0-0 problem=it is not directly above an instruction"},
	}, {
		name: "after the last instruction",
		src:  "FROM alpine\nRUN apk add curl\n# cachelint ignore=CL003\n",
		want: []string{"cachelint instruction line 3 [CL003@3:20-25] covers 0-0 problem=it is not directly above an instruction"},
	}, {
		name: "global, anywhere between instructions",
		src:  "FROM alpine\nRUN apk add curl\n# cachelint global ignore=CL003\n",
		want: []string{"cachelint file line 3 [CL003@3:27-32] covers 1-3"},
	}, {
		name: "stage, above a FROM, to the end of the stage",
		src:  "# cachelint stage ignore=CL013\nFROM alpine AS a\nRUN apk add curl\n\nFROM a\nRUN true\n",
		want: []string{"cachelint stage line 1 [CL013@1:26-31] covers 2-3"},
	}, {
		name: "stage, not above a FROM",
		src:  "FROM alpine\n# cachelint stage ignore=CL003\nRUN apk add curl\n",
		want: []string{"cachelint stage line 2 [CL003@2:26-31] covers 0-0 problem=a stage suppression must be directly above a FROM, and the instruction below it is RUN"},
	}, {
		name: "malformed",
		src:  "FROM alpine\n# cachelint:ignore=CL003\nRUN true\n# cachelint ignore=CL003 CL025\nRUN true\n# cachelint ignore=\nRUN true\n# Cachelint ignore=CL003\nRUN true\n",
		want: []string{
			"cachelint instruction line 2 [] covers 0-0 problem=it cannot be read as `# cachelint ignore=CODE[,CODE...] [-- reason]`",
			"cachelint instruction line 4 [] covers 0-0 problem=it cannot be read as `# cachelint ignore=CODE[,CODE...] [-- reason]`",
			"cachelint instruction line 6 [] covers 0-0 problem=it cannot be read as `# cachelint ignore=CODE[,CODE...] [-- reason]`",
			"cachelint instruction line 8 [] covers 0-0 problem=it cannot be read as `# cachelint ignore=CODE[,CODE...] [-- reason]`",
		},
	}, {
		name: "malformed, in another case only",
		src:  "FROM alpine\n# Cachelint ignore=CL003\nRUN true\n",
		want: []string{"cachelint instruction line 2 [] covers 0-0 problem=it cannot be read as `# cachelint ignore=CODE[,CODE...] [-- reason]`"},
	}, {
		name: "prose is not a suppression",
		src:  "FROM alpine\n# cachelint reports this step, see the wiki\n# hadolint is happy\n# check the logs\nRUN true\n",
		want: nil,
	}, {
		name: "not in a heredoc body or between continuation lines",
		src: "FROM alpine\nRUN <<EOF\n# cachelint global ignore=CL003\n# cachelint ignore=CL025\napk add curl\nEOF\n" +
			"RUN apk add git \\\n# cachelint ignore=CL003\n  && true\n",
		want: nil,
	}, {
		name: "hadolint: mapped codes only, the line right above only",
		src: "FROM alpine\n# hadolint ignore=DL3018,DL3019 # pinned elsewhere\nRUN apk add curl\n" +
			"# hadolint ignore=DL3019\n# another comment\nRUN apk add git\n" +
			"# hadolint ignore=DL3008\nRUN apt-get install curl\n" +
			"# hadolint global ignore=DL3006, DL3042\n" +
			"# hadolint ignore=DL3009 and more\nRUN true\n",
		want: []string{
			"hadolint instruction line 2 [DL3019=CL025@2:26-32] covers 3-3",
			"hadolint file line 9 [DL3006=CL013@9:26-32 DL3042=CL025@9:34-40] covers 1-11",
		},
	}, {
		name: "hadolint stage",
		src:  "# hadolint stage ignore=DL3007\nFROM alpine:latest\nRUN true\n",
		want: []string{"hadolint stage line 1 [DL3007=CL013@1:25-31] covers 2-3"},
	}, {
		name: "check directive and check comment",
		src: "# syntax=docker/dockerfile:1\n# check=skip=CL017,JSONArgsRecommended;error=true\nFROM alpine\n" +
			"# check=skip=CL003\n\n# a note\nRUN apk add curl\n" +
			"# check=skip=CL025\n#\nRUN apk add git\n" +
			"# check=error=true\n# check=skip=CL003\nRUN apk add curl\n" +
			"  # check=skip=CL003\nRUN apk add curl\n" +
			"# check=skip=all\nRUN apk add curl\n",
		want: []string{
			"check file line 2 [CL017@2:14-19 JSONArgsRecommended@2:20-39] covers 1-17",
			"check instruction line 4 [CL003@4:14-19] covers 7-7",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := dockerfile.Parse("Dockerfile", []byte(tt.src), nil)
			if f.ParseErr != nil {
				t.Fatal(f.ParseErr)
			}
			got := describe(f, suppress.Read(f))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

// TestUnparseable checks that a file BuildKit cannot parse has no
// suppressions.
func TestUnparseable(t *testing.T) {
	f := dockerfile.Parse("Dockerfile", []byte("# cachelint global ignore=CL900\nFROM alpine\nRUN <<EOF\n"), nil)
	if f.ParseErr == nil {
		t.Fatal("expected a parse error")
	}
	if s := suppress.Read(f); len(s.Comments) != 0 {
		t.Errorf("got %v", describe(f, s))
	}
}

// TestHadolintTable checks that every hadolint code maps to a rule that
// exists, and that the mapping is what the rule docs say.
func TestHadolintTable(t *testing.T) {
	want := map[string][]string{
		"package-cache-left-in-layer": {"DL3009", "DL3019", "DL3032", "DL3036", "DL3040", "DL3042", "DL3060"},
		"package-upgrade":             {"DL3005", "DL3017", "DL3035"},
		"base-image-unpinned":         {"DL3006", "DL3007"},
		"secret-in-arg-env":           {"DL3064"},
	}
	n := 0
	for _, r := range rules.All() {
		got := suppress.HadolintCodes(r.Code)
		if !slices.Equal(got, want[r.Name()]) {
			t.Errorf("%s: hadolint codes %v, want %v", r.Name(), got, want[r.Name()])
		}
		for _, dl := range got {
			if code, ok := suppress.HadolintRule(dl); !ok || code != r.Code {
				t.Errorf("HadolintRule(%s) = %s, %v", dl, code, ok)
			}
		}
		n += len(got)
	}
	if n != 13 {
		t.Errorf("%d hadolint codes map to rules, want 13", n)
	}
}

// TestCheckCommentsAsBuildKit checks that the per-instruction check
// comments read here are those BuildKit's linter merges for the
// instruction (linter.WithMergedConfigFromComments on the node's
// PrevComment), on the cases above and on the shared corpus when it is
// present.
func TestCheckCommentsAsBuildKit(t *testing.T) {
	srcs := map[string][]byte{
		"cases": []byte("# check=skip=CL001\nFROM alpine\n# check=skip=CL003\n\n# a note\nRUN apk add curl\n" +
			"# check=skip=CL025\n#\nRUN apk add git\n# check=error=true\n# check=skip=CL003\nRUN true\n" +
			"  # check=skip=CL003\nRUN true\n# check = skip = A , B ; error=false\nRUN true\n" +
			"# check=skip=A,B trailing words\nRUN true\n# CHECK=skip=C\nRUN true\n"),
	}
	_ = filepath.WalkDir(*corpus, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !lint.IsDockerfileName(d.Name()) {
			return nil
		}
		if data, err := os.ReadFile(p); err == nil && strings.Contains(string(data), "check") {
			srcs[p] = data
		}
		return nil
	})
	t.Logf("%d files", len(srcs))
	base := linter.New(&linter.Config{})
	for name, src := range srcs {
		f := dockerfile.Parse(name, src, nil)
		if f.ParseErr != nil {
			continue
		}
		set := suppress.Read(f)
		for _, in := range f.Instructions {
			merged := base.WithMergedConfigFromComments(in.Node.PrevComment)
			var want []string
			for r := range merged.SkippedRules {
				want = append(want, r)
			}
			var got []string
			for _, c := range set.Comments {
				if c.Source == suppress.BuildKit && c.Scope == suppress.Instruction && c.Target == in {
					for _, n := range c.Names {
						got = append(got, n.Text)
					}
				}
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: %s on line %d: got %v, BuildKit skips %v", name, in.Keyword, in.StartLine, got, want)
			}
		}
	}
}
