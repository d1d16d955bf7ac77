package buildconfig

import (
	"cmp"
	"fmt"
	"go/token"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
)

// Input is a configuration file to load.
type Input struct {
	Path string // as shown to the user
	Abs  string // absolute path
}

// KindOf tells which kind of configuration file a path is, from its path
// relative to the repository root (slash-separated); 0 when it is none.
func KindOf(rel string) Kind {
	base := path.Base(rel)
	dir := path.Dir(rel)
	switch {
	case strings.HasSuffix(dir, ".github/workflows") && (strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".yaml")):
		return Workflow
	case slices.Contains([]string{"docker-bake.hcl", "docker-bake.json", "docker-bake.override.hcl", "docker-bake.override.json"}, base):
		return Bake
	case base == ".gitlab-ci.yml" || base == ".gitlab-ci.yaml":
		return GitLab
	case base == "Makefile" || base == "makefile" || base == "GNUmakefile" || strings.HasSuffix(base, ".mk"):
		return Makefile
	case strings.HasSuffix(base, ".sh") || strings.HasSuffix(base, ".bash"):
		return Script
	}
	return 0
}

// CannotRead starts the message of a ParseErr for a file that could not
// be read at all.
const CannotRead = "cannot read it: "

// loader builds a Repo.
type loader struct {
	repo  *Repo
	fset  *token.FileSet
	read  func(abs string) ([]byte, error)
	files map[string]*File            // by Rel
	dfs   map[string]*dockerfile.File // Dockerfiles parsed, by Rel; nil when unreadable
}

// Load reads the configuration files of the repository at root (an
// absolute path), adds each to fset, and finds the builds they run. read
// reads a file by its absolute path; it is also how the Dockerfiles the
// builds name are read. Files that cannot be read or parsed are in
// Repo.Errors; the others still load.
func Load(fset *token.FileSet, root string, inputs []Input, read func(abs string) ([]byte, error)) *Repo {
	l := &loader{repo: &Repo{Root: root}, fset: fset, read: read, files: map[string]*File{}, dfs: map[string]*dockerfile.File{}}
	inputs = slices.Clone(inputs)
	slices.SortFunc(inputs, func(a, b Input) int { return cmp.Compare(a.Path, b.Path) })
	for _, in := range inputs {
		rel, ok := l.rel(in.Abs)
		if !ok {
			continue
		}
		if f, done := l.files[rel]; done {
			if f.Kind == Bake && f.Src != nil && KindOf(rel) == Bake {
				// Opened first by a bake invocation; it is also a bake
				// file found on its own.
				l.bakeFile(f)
			}
			continue
		}
		kind := KindOf(rel)
		if kind == 0 {
			continue
		}
		f := l.register(in.Path, rel, kind)
		if f == nil {
			continue
		}
		l.parse(f)
	}
	for _, b := range l.repo.Builds {
		l.link(b)
	}
	slices.SortStableFunc(l.repo.Files, func(a, b *File) int { return cmp.Compare(a.Path, b.Path) })
	return l.repo
}

// rel returns abs relative to the root, slash-separated, and whether it is
// inside it.
func (l *loader) rel(abs string) (string, bool) {
	r, err := filepath.Rel(l.repo.Root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// register reads a file and adds it to the repository and the file set;
// nil when it cannot be read (the error is recorded).
func (l *loader) register(shown, rel string, kind Kind) *File {
	data, err := l.read(filepath.Join(l.repo.Root, filepath.FromSlash(rel)))
	f := &File{Path: shown, Rel: rel, Kind: kind, Src: data}
	// An empty or unreadable file gets one byte, so that line 1 exists
	// for what is reported about it.
	f.Tok = l.fset.AddFile(shown, -1, max(len(data), 1))
	f.Tok.SetLinesForContent(data)
	if f.Tok.LineCount() == 0 {
		f.Tok.SetLines([]int{0})
	}
	l.files[rel] = f
	l.repo.Files = append(l.repo.Files, f)
	if err != nil {
		l.errorf(f, token.NoPos, "%s%v", CannotRead, err)
		return nil
	}
	return f
}

// parse finds the builds of a file by its kind.
func (l *loader) parse(f *File) {
	switch f.Kind {
	case Workflow:
		l.workflow(f)
	case Script:
		l.script(f)
	case GitLab:
		l.gitlab(f)
	case Makefile:
		l.makefile(f)
	case Bake:
		l.bakeFile(f)
	}
}

// open reads another file of the repository that a loaded file names (an
// included GitLab file, a bake file), once; nil when it does not exist or
// cannot be read. The file is shown by its path relative to the root's
// parent directory's view: the root-relative path joined to the shown path
// of the root.
func (l *loader) open(rel string, kind Kind) *File {
	rel = path.Clean(strings.TrimPrefix(rel, "./"))
	if rel == ".." || strings.HasPrefix(rel, "../") || path.IsAbs(rel) {
		return nil
	}
	if f, ok := l.files[rel]; ok {
		if f.Src == nil && f.Tok.Size() == 0 {
			return nil
		}
		return f
	}
	abs := filepath.Join(l.repo.Root, filepath.FromSlash(rel))
	if _, err := l.read(abs); err != nil {
		return nil
	}
	return l.register(l.shown(rel), rel, kind)
}

// shown is how a root-relative path is shown: beside the files the user
// named, whose shown paths end in their root-relative ones.
func (l *loader) shown(rel string) string {
	for _, f := range l.repo.Files {
		if prefix, ok := strings.CutSuffix(f.Path, f.Rel); ok {
			return prefix + rel
		}
	}
	return rel
}

// errorf records that a file, or a part of it, could not be parsed.
func (l *loader) errorf(f *File, pos token.Pos, format string, args ...any) {
	if !pos.IsValid() {
		pos = f.Pos(0)
	}
	l.repo.Errors = append(l.repo.Errors, ParseErr{File: f, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// add records a build, filling in what was left out: the default builder,
// the context "." (the directory the invocation runs in). A parser that
// resolved ContextDir and DockerfilePath itself (bake, whose paths are
// relative to the bake file) sets them and they are kept; otherwise
// Context and Dockerfile are resolved against the directory dir
// (repository-relative) in link.
func (l *loader) add(b *Build) {
	if b.Builder == nil {
		b.Builder = &Builder{Driver: "docker", Default: true}
	}
	l.repo.Builds = append(l.repo.Builds, b)
}

// link resolves a build's context and Dockerfile against the repository
// and reads the Dockerfile's model.
func (l *loader) link(b *Build) {
	if b.ContextDir == "" && b.DockerfilePath == "" {
		ctx, ok := expandPath(cmp.Or(b.Context.Text, "."), b.Env)
		if !ok || isRemote(ctx) {
			return
		}
		dir, ok := l.resolve(b.dir, ctx)
		if !ok {
			return
		}
		b.ContextDir = dir
		df, ok := expandPath(b.Dockerfile.Text, b.Env)
		switch {
		case !ok || df == "-":
			return
		case df == "":
			b.DockerfilePath = path.Join(dir, "Dockerfile")
		default:
			base := b.dir
			if b.dockerfileInContext {
				base = dir
			}
			p, ok := l.resolve(base, df)
			if !ok {
				return
			}
			b.DockerfilePath = p
		}
	}
	if b.DockerfilePath == "" {
		return
	}
	b.Stages = l.dockerfile(b.DockerfilePath)
}

// pathVar matches the variables and expressions expandPath answers.
var pathVar = regexp.MustCompile(`\$\{\{\s*(?:env\.)?([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// workspaceVars name the directory a CI job checks the repository out to.
var workspaceVars = map[string]bool{"CI_PROJECT_DIR": true, "GITHUB_WORKSPACE": true, "github.workspace": true}

// expandPath replaces, in a path written in a configuration file, the
// variables that name the repository's checkout (CI_PROJECT_DIR,
// GITHUB_WORKSPACE, ${{ github.workspace }}) by "." and those the
// configuration sets to a constant by their values; ok is false when a
// variable or expression with no known value is left.
func expandPath(p string, env map[string]Value) (string, bool) {
	return expandPathDepth(p, env, 0)
}

// expandPathDepth is expandPath for a value that variables lead to at a
// depth (DOCKERFILE_PATH: $BACKEND_DOCKERFILE_PATH, which is
// $CI_PROJECT_DIR/backend/Dockerfile).
func expandPathDepth(p string, env map[string]Value, depth int) (string, bool) {
	ok := true
	out := pathVar.ReplaceAllStringFunc(p, func(m string) string {
		sub := pathVar.FindStringSubmatch(m)
		name := cmp.Or(sub[1], sub[2], sub[3])
		if workspaceVars[name] {
			return "."
		}
		v, found := env[name]
		if found && v.Dynamic && depth < 8 && strings.Contains(v.Text, "$") {
			// A value made of other variables (GitLab's
			// DOCKERFILE_PATH: $BACKEND_DOCKERFILE_PATH) is known
			// when they are.
			if t, known := expandPathDepth(v.Text, env, depth+1); known {
				return t
			}
		}
		if found && !v.Dynamic && v.Text != "" {
			return v.Text
		}
		ok = false
		return m
	})
	if !ok || strings.ContainsAny(out, "$`") {
		return "", false
	}
	return out, true
}

// resolve joins a path written in a configuration file to the directory
// it is relative to; ok is false when the result leaves the repository.
func (l *loader) resolve(dir, p string) (string, bool) {
	p = filepath.ToSlash(p)
	if path.IsAbs(p) || (len(p) > 1 && p[1] == ':') {
		return "", false
	}
	r := path.Clean(path.Join(dir, p))
	if r == ".." || strings.HasPrefix(r, "../") {
		return "", false
	}
	return r, true
}

// isRemote reports whether a build context is not a local directory: a
// Git or HTTP URL, standard input.
func isRemote(ctx string) bool {
	return ctx == "-" || strings.Contains(ctx, "://") || strings.HasPrefix(ctx, "git@") || strings.HasPrefix(ctx, "github.com/")
}

// dockerfile parses the Dockerfile at a repository-relative path, once.
func (l *loader) dockerfile(rel string) *dockerfile.File {
	if df, ok := l.dfs[rel]; ok {
		return df
	}
	l.dfs[rel] = nil
	data, err := l.read(filepath.Join(l.repo.Root, filepath.FromSlash(rel)))
	if err != nil {
		return nil
	}
	tok := l.fset.AddFile(l.shown(rel), -1, len(data))
	tok.SetLinesForContent(data)
	df := dockerfile.Parse(tok.Name(), data, tok)
	if df.ParseErr != nil {
		return nil
	}
	l.dfs[rel] = df
	return df
}
