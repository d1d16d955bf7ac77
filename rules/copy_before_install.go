package rules

import (
	"cmp"
	"fmt"
	"go/token"
	"path"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// CopyBeforeInstall flags a whole-context COPY placed before a dependency
// install.
var CopyBeforeInstall = &analysis.Analyzer{
	Name: "copy_before_install",
	Doc: `the whole build context is copied before the dependency install

Why it matters for the cache: BuildKit keys a COPY on the checksum of the
files it copies, and every later step on the step before it. When
"COPY . ." comes before "npm ci" (or pip, go mod download, cargo, maven,
gradle, composer, bundler, dotnet restore, mix ...), editing any source
file changes the COPY, so the install runs again from scratch on every
build, even though the dependencies did not change.

Example:

    FROM node:22
    WORKDIR /app
    COPY . .
    RUN npm ci
    RUN npm run build

Fix: copy only the dependency manifests and lockfile, install, then copy
the rest. The install step is then reused until the manifests change:

    FROM node:22
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci
    COPY . .
    RUN npm run build

A copy counts as "whole context" when its source is ".", "./", "*", "/" or
"**", when it copies a directory to exactly the directory where the install
runs, or when a RUN bind-mounts the whole context. Where the install runs is
its working directory, or the directory a flag points it at
(pip install -r /app/requirements.txt, npm --prefix web ci,
cargo build --manifest-path, mvn -f). The install is looked for in the same
stage and in stages built FROM it. Installs of named packages
(npm install -g pnpm, pip install awscli, go install tool@version) do not
depend on the context and are not reported; nor is an install that already
ran before the copy (the later one then reuses what it fetched). Some
projects need their sources to install (a setup.py that reads the version
from the code, postinstall scripts); move only what the install reads.

A build that downloads the dependencies itself (go build, cargo build,
mvn package, gradle build, dotnet publish) needs all the sources: the help
then says to download the dependencies first, from the manifests, with the
tool's own command (go mod download, cargo fetch, mvn
dependency:go-offline, gradle dependencies, dotnet restore). Such a build
is not reported when its RUN has cache mounts on every cache it uses (for
Cargo also on its target directory, where the dependencies are compiled):
it runs again with each change to the sources anyway, and then downloads
and recompiles nothing again.

Sources:
- https://docs.docker.com/build/cache/optimize/#order-your-layers
- https://docs.docker.com/build/cache/invalidation/#general-rules
- https://docs.astral.sh/uv/guides/integration/docker/#intermediate-layers`,
	URL:      docURL("copy-before-install"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runCopyBeforeInstall,
}

// contextCopy is an instruction that brings the whole context in.
type contextCopy struct {
	in       *dockerfile.Instruction
	dest     string // directory the context lands in; "" unknown
	exact    bool   // counts only for an install run in dest itself
	pos, end token.Pos
	what     string // how to name it in a message
	scope    string // what it brings in: "the context" or the directory
}

func runCopyBeforeInstall(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	reported := map[string]bool{}
	for _, s := range f.Stages {
		checkInstallOrder(pass, f, stageChain(s), reported)
	}
	return nil, nil
}

// stageChain returns the instructions of s preceded by those of the stages
// it is built FROM, oldest first.
func stageChain(s *dockerfile.Stage) []*dockerfile.Instruction {
	var stages []*dockerfile.Stage
	for st := s; st != nil; st = st.BaseStage { // BaseStage is always earlier: no cycle
		stages = append(stages, st)
	}
	var chain []*dockerfile.Instruction
	for i := len(stages) - 1; i >= 0; i-- {
		chain = append(chain, stages[i].Instructions...)
	}
	return chain
}

func checkInstallOrder(pass *analysis.Pass, f *dockerfile.File, chain []*dockerfile.Instruction, reported map[string]bool) {
	var copies []contextCopy
	installedAt := map[*Tool]int{} // chain index of the tool's first install
	for idx, in := range chain {
		copies = append(copies, wholeContextCopies(in)...)
		if in.Run == nil {
			continue
		}
		for _, c := range in.Run.Commands {
			t, args := toolCommand(c)
			if t == nil {
				continue
			}
			getenv := func(name string) (string, bool) { return c.Getenv(in, name) }
			if t.System || t.installs == nil || !t.installs(t.withoutLeadingDirFlags(args), getenv) {
				continue
			}
			if first, ok := installedAt[t]; ok && first < idx {
				continue
			}
			installedAt[t] = idx
			if buildsProject(t, t.withoutLeadingDirFlags(args)) && buildCachesMounted(in, c, t, args) {
				continue // the build re-runs with the sources anyway, and fetches nothing again
			}
			dirs := append([]string{c.Dir}, t.projectDirs(args, c.Dir)...)
			for _, cp := range copies {
				if !slices.ContainsFunc(dirs, cp.covers) {
					continue
				}
				key := fmt.Sprintf("%d:%s", cp.pos, t.Name)
				if reported[key] {
					break
				}
				reported[key] = true
				reportCopyBeforeInstall(pass, f, cp, in, c, t)
				break
			}
		}
	}
}

func reportCopyBeforeInstall(pass *analysis.Pass, f *dockerfile.File, cp contextCopy, in *dockerfile.Instruction, c *dockerfile.Command, t *Tool) {
	install := commandText(f, in, c)
	files := strings.Join(t.firstFiles(), ", ")
	// A build (go build, dotnet publish) needs the sources: what moves
	// above them is the tool's own download of the dependencies.
	fetch := ""
	if _, args := toolCommand(c); buildsProject(t, t.withoutLeadingDirFlags(args)) {
		fetch = fetchCommand(t, c)
	}
	var msg, help string
	switch {
	case cp.in == in && fetch != "":
		msg = fmt.Sprintf("%s in the same RUN as `%s`: any change to any file in %s re-runs the install", cp.what, install, cp.scope)
		help = fmt.Sprintf("download the dependencies with %s in an earlier step that copies or bind-mounts only %s, or give this RUN cache mounts on the tool's caches", fetch, files)
	case cp.in == in:
		msg = fmt.Sprintf("%s in the same RUN as `%s`: any change to any file in %s re-runs the install", cp.what, install, cp.scope)
		help = fmt.Sprintf("bind-mount only %s for the install, or install in an earlier step that copies just those files", files)
	case fetch != "":
		msg = fmt.Sprintf("%s before `%s` on line %d: any change to any file in %s re-runs the install",
			cp.what, install, f.Tok.Line(c.Pos), cp.scope)
		help = fmt.Sprintf("copy %s first and download the dependencies with %s, then copy the rest of the context for `%s`", files, fetch, install)
	default:
		msg = fmt.Sprintf("%s before `%s` on line %d: any change to any file in %s re-runs the install",
			cp.what, install, f.Tok.Line(c.Pos), cp.scope)
		help = fmt.Sprintf("copy %s first, run `%s`, then copy the rest of the context", files, install)
	}
	pass.Report(analysis.Diagnostic{
		Pos:            cp.pos,
		End:            cp.end,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{{Message: help}},
	})
}

// firstFiles lists the files to copy before installing: manifests, the
// usual lockfile and the other files the install reads.
func (t *Tool) firstFiles() []string {
	files := append([]string{}, t.Manifests...)
	if len(t.Lockfiles) > 0 {
		files = append(files, t.Lockfiles[0])
	}
	return append(files, t.Extra...)
}

// commandText is the command as written (its argv for exec form),
// shortened for messages.
func commandText(f *dockerfile.File, in *dockerfile.Instruction, c *dockerfile.Command) string {
	start, end := f.Tok.Offset(c.Pos), f.Tok.Offset(c.End)
	s := strings.Join(strings.Fields(withoutContinuations(f, string(f.Src[start:max(start, end)]))), " ")
	if in.Run.Exec {
		s = strings.Join(c.Argv(), " ")
	}
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return s
}

// withoutContinuations drops the escape character that ends a line
// continued on the next one (\ or the # escape=` character).
func withoutContinuations(f *dockerfile.File, text string) string {
	esc := string(rune(cmp.Or(f.Escape, '\\')))
	var b strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		if body := strings.TrimRight(line, " \t\r\n"); strings.HasSuffix(line, "\n") && strings.HasSuffix(body, esc) {
			line = strings.TrimSuffix(body, esc) + " "
		}
		b.WriteString(line)
	}
	return b.String()
}

// wholeContextCopies returns the ways an instruction copies or mounts the
// whole build context.
func wholeContextCopies(in *dockerfile.Instruction) []contextCopy {
	switch {
	case in.Copy != nil && in.Copy.From == "":
		dest := copyDestDir(in)
		for _, src := range in.Copy.Sources {
			p := unquote(src.Text)
			if in.Copy.Add && (strings.Contains(p, "://") || strings.HasPrefix(p, "git@")) {
				continue // a URL or Git repository, not the context
			}
			if isWholeContext(p) {
				return []contextCopy{{in: in, dest: dest, pos: src.Pos, end: src.End,
					what: fmt.Sprintf("%s %s copies the whole build context", in.Keyword, src.Text), scope: "the context"}}
			}
			if dest != "" && looksLikeDir(p) {
				return []contextCopy{{in: in, dest: dest, exact: true, pos: src.Pos, end: src.End,
					what: fmt.Sprintf("%s %s copies the whole directory into %s", in.Keyword, src.Text, dest), scope: src.Text}}
			}
		}
	case in.Run != nil:
		var out []contextCopy
		for _, m := range in.Run.Mounts {
			if m.Type != "bind" || m.From != "" || !m.Known("source") || !isWholeContext(cmp.Or(m.Source, ".")) {
				continue
			}
			target := m.Target
			if !path.IsAbs(target) && in.Workdir != "" {
				target = path.Join(in.Workdir, target)
			}
			out = append(out, contextCopy{in: in, dest: target, pos: m.Flag.Pos, end: m.Flag.End,
				what: "RUN bind-mounts the whole build context", scope: "the context"})
		}
		return out
	}
	return nil
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// isWholeContext reports whether a COPY source names the whole context.
func isWholeContext(p string) bool {
	switch strings.ReplaceAll(p, "\\", "/") {
	case ".", "./", "*", "/", "**", "./*", "./**", "/*":
		return true
	}
	return false
}

// looksLikeDir reports whether a COPY source looks like a directory: no
// glob, no variable, no file extension, not a well-known file without one
// (Gemfile, Pipfile, gradlew, ...). Copied to the directory where an
// install runs, it holds the manifest and all the sources with it.
func looksLikeDir(src string) bool {
	if strings.ContainsAny(src, "*?[$") {
		return false
	}
	src = strings.ReplaceAll(src, "\\", "/")
	base := path.Base(strings.TrimSuffix(src, "/"))
	if !strings.HasSuffix(src, "/") && extensionlessFiles[strings.ToLower(base)] {
		return false
	}
	return !strings.Contains(base, ".") && base != "" && base != "/"
}

// extensionlessFiles are common project files with no dot in their name.
var extensionlessFiles = map[string]bool{
	"gemfile": true, "pipfile": true, "gradlew": true, "mvnw": true,
	"dockerfile": true, "containerfile": true, "makefile": true, "gnumakefile": true,
	"procfile": true, "rakefile": true, "justfile": true, "jenkinsfile": true,
	"vagrantfile": true, "brewfile": true, "license": true, "licence": true,
	"readme": true, "version": true, "notice": true, "authors": true,
}

// copyDestDir is the absolute directory a COPY writes to, or "".
func copyDestDir(in *dockerfile.Instruction) string {
	d := strings.ReplaceAll(unquote(in.Copy.Dest.Text), "\\", "/")
	if strings.Contains(d, "$") || d == "" {
		return ""
	}
	if !isAbs(d) {
		if in.Workdir == "" {
			return ""
		}
		d = path.Join(in.Workdir, d)
	}
	return path.Clean(d)
}

// isAbs reports whether a slash-separated path is absolute, on Linux or,
// with a drive letter (C:/app), on Windows.
func isAbs(p string) bool {
	return path.IsAbs(p) || len(p) >= 2 && p[1] == ':'
}

// covers reports whether an install running in dir reads what cp copied.
func (cp contextCopy) covers(dir string) bool {
	if cp.exact {
		return dir != "" && dir == cp.dest
	}
	if cp.dest == "" || dir == "" || cp.dest == "/" {
		return true
	}
	return dir == cp.dest || strings.HasPrefix(dir, cp.dest+"/")
}
