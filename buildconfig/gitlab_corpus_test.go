package buildconfig

import (
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cachelint/cachelint/internal/testfiles"
)

// TestCorpusGitLabScripts loads the GitLab CI files, shell scripts and
// Makefiles of every repository of the shared corpus, and logs what it
// finds: files, jobs, builds and parse errors by kind.
func TestCorpusGitLabScripts(t *testing.T) {
	corpus, ok := testfiles.Shared("corpus")
	if !ok {
		t.Skip("no shared corpus")
	}
	repos, err := os.ReadDir(corpus)
	if err != nil {
		t.Fatal(err)
	}
	files := map[Kind]int{}
	builds := map[Kind]int{}
	errs := map[Kind]int{}
	jobs, jobsWithBuilds := 0, 0
	for _, r := range repos {
		if !r.IsDir() {
			continue
		}
		root := filepath.Join(corpus, r.Name())
		var inputs []Input
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			switch KindOf(filepath.ToSlash(rel)) {
			case GitLab, Script, Makefile:
				inputs = append(inputs, Input{Path: filepath.Join(r.Name(), rel), Abs: p})
			}
			return nil
		})
		if len(inputs) == 0 {
			continue
		}
		fset := token.NewFileSet()
		repo := Load(fset, root, inputs, os.ReadFile)
		seen := map[*Job]bool{}
		for _, f := range repo.Files {
			files[f.Kind]++
			if f.Kind == GitLab {
				jobs += countGitLabJobs(f.Src)
			}
		}
		for _, b := range repo.Builds {
			builds[b.File.Kind]++
			if b.Job != nil && !seen[b.Job] {
				seen[b.Job] = true
				jobsWithBuilds++
			}
			t.Logf("build %s", describe(fset, b)+" name="+b.Name)
		}
		for _, e := range repo.Errors {
			errs[e.File.Kind]++
			t.Logf("error %s: %s", fset.Position(e.Pos), e.Msg)
		}
	}
	for _, k := range []Kind{GitLab, Script, Makefile} {
		t.Logf("%s: %d files, %d builds, %d parse errors", k, files[k], builds[k], errs[k])
	}
	t.Logf("GitLab jobs: %d, %d of them with builds", jobs, jobsWithBuilds)
}

// countGitLabJobs counts the top-level keys of a GitLab file that are jobs.
func countGitLabJobs(src []byte) int {
	var m map[string]any
	if yaml.Unmarshal(src, &m) != nil {
		return 0
	}
	n := 0
	for k, v := range m {
		if _, ok := v.(map[string]any); ok && !gitlabKeywords[k] && !strings.HasPrefix(k, ".") {
			n++
		}
	}
	return n
}
