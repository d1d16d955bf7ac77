package lint

import (
	"errors"
	"fmt"
	"go/token"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
	"github.com/cachelint/cachelint/rules"
	"github.com/cachelint/cachelint/suppress"
)

// RepoUnit is the build configuration of one repository: its CI
// workflows, bake files, GitLab CI files, scripts and Makefiles. The rules
// that check the build configuration run once over it.
type RepoUnit struct {
	Root  string // absolute path of the repository root
	Files []buildconfig.Input
	// Context are the repository's other configuration files: loaded,
	// since a rule may compare builds across files (a cache one workflow
	// exports and another imports), but not reported on.
	Context []buildconfig.Input
}

// LintRepo lints the build configuration of a repository and returns one
// result for each of its configuration files (those it includes too).
func (l *Linter) LintRepo(ru RepoUnit) []FileResult {
	fset := token.NewFileSet()
	repo := buildconfig.Load(fset, ru.Root, slices.Concat(ru.Files, ru.Context), l.readText)
	context := map[string]bool{}
	for _, in := range ru.Context {
		context[in.Path] = true
	}
	if len(repo.Files) == 0 {
		return nil
	}
	first := repo.Files[0]
	settings := l.settings(Unit{Path: first.Path, AbsPath: absOf(repo, first)})
	files := make(map[string][]byte, len(repo.Files))
	other := make([]string, 0, len(repo.Files))
	for _, f := range repo.Files {
		files[f.Path] = f.Src
		other = append(other, f.Path)
	}
	provided := map[*analysis.Analyzer]any{buildconfig.Analyzer: repo}
	diags, _, err := l.run(l.plan(settings, true), fset, other, files, provided)

	byFile := map[string][]diag{}
	for _, d := range diags {
		name := fset.Position(d.Pos).Filename
		byFile[name] = append(byFile[name], d)
	}
	secretSpans := configSecrets(repo)
	out := make([]FileResult, 0, len(repo.Files))
	for _, f := range repo.Files {
		if context[f.Path] {
			continue
		}
		u := Unit{Path: f.Path, AbsPath: absOf(repo, f)}
		s := l.settings(u)
		res := FileResult{Path: f.Path, AbsPath: u.AbsPath, Lines: splitLines(f.Src)}
		res.Findings = l.findings(fset, u, byFile[f.Path], s)
		res.Findings = l.suppressed(fset, u, suppress.ReadConfig(f.Tok, f.Src), res.Findings, s)
		sec := newSecrets(f.Tok, f.Src, secretSpans[f])
		sec.apply(res.Findings)
		res.Secrets = sec.ranges
		setFingerprints(res.Findings, nil, res.Lines, RepoPath(l.Root, u.AbsPath, u.Path), sec)
		for _, e := range repo.Errors {
			switch {
			case e.File != f || res.Err != nil:
			case strings.HasPrefix(e.Msg, buildconfig.CannotRead):
				res.Err = errors.New(strings.TrimPrefix(e.Msg, buildconfig.CannotRead))
			default:
				res.Err = fmt.Errorf("cannot parse it (line %d): %s", fset.Position(e.Pos).Line, e.Msg)
			}
		}
		if err != nil && f == first && res.Err == nil {
			res.Err = err
		}
		out = append(out, res)
	}
	return out
}

// readText reads a configuration file or a Dockerfile a build names, with
// the size limit and the text check of Dockerfiles.
func (l *Linter) readText(abs string) ([]byte, error) {
	data, err := l.readFile(abs)
	if err != nil {
		return nil, Cause(err) // the file is named where the error is reported
	}
	if err := checkText(data); err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), ErrNotDockerfile.Error()+": "))
	}
	return data, nil
}

// absOf is the absolute path of a configuration file.
func absOf(repo *buildconfig.Repo, f *buildconfig.File) string {
	return filepath.Join(repo.Root, filepath.FromSlash(f.Rel))
}

// configSecrets finds the literal values of build arguments whose names
// look like credentials (--build-arg NPM_TOKEN=..., a build-args line), as
// byte spans of the file they are written in.
func configSecrets(repo *buildconfig.Repo) map[*buildconfig.File][][2]int {
	out := map[*buildconfig.File][][2]int{}
	for _, b := range repo.Builds {
		for _, a := range b.BuildArgs {
			v := a.Value
			if !a.HasValue || v.Dynamic || v.Text == "" || !v.Verbatim() || !rules.LooksLikeSecretName(a.Name) {
				continue
			}
			if f := repo.FileAt(v.Pos); f != nil {
				out[f] = append(out[f], [2]int{f.Tok.Offset(v.Pos), f.Tok.Offset(v.End)})
			}
		}
	}
	return out
}
