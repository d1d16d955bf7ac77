package rules

import (
	"path"
	"slices"
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
)

// Build tools whose build command also downloads the project's
// dependencies (go build, cargo build, mvn package, gradle build, dotnet
// publish) need the whole source tree, so moving that command above the
// COPY of the sources is no fix: the dependencies are fetched alone, from
// the manifests, by another command of the same tool. Used by
// copy-before-install for its help and to tell a build from an install.

// fetchSubcommands is, for each such tool, what follows the program to
// download the dependencies without building (go mod download).
var fetchSubcommands = map[string]string{
	"go":     "mod download",
	"cargo":  "fetch",
	"maven":  "dependency:go-offline",
	"gradle": "dependencies",
	"dotnet": "restore",
}

// fetchNotes say what a fetch command needs besides the manifests.
var fetchNotes = map[string]string{
	"cargo": " (it needs a stub src/main.rs or src/lib.rs; cargo-chef also compiles them)",
}

// buildsProject reports whether an install command of a build tool also
// compiles the project, and so reads all its sources, not only the
// manifests. args are the command's arguments after the program.
func buildsProject(t *Tool, args []string) bool {
	sub, _ := subcommand(args)
	switch t.Name {
	case "go":
		return oneOf(sub, "build", "test", "vet", "install", "run", "generate")
	case "cargo":
		return oneOf(sub, "build", "b", "test", "t", "check", "c", "install")
	case "maven":
		return slices.ContainsFunc(operands(args), func(op string) bool {
			return mavenPhase.MatchString(op) && !strings.HasPrefix(op, "dependency:")
		})
	case "gradle":
		return slices.ContainsFunc(operands(args), func(op string) bool { return op != "dependencies" })
	case "dotnet":
		return oneOf(sub, "build", "publish", "test", "pack")
	}
	return false
}

// fetchCommand is the command that downloads the dependencies of a
// project c builds, with c's program as written (./gradlew dependencies),
// and a note on what it needs; "" when the tool has none.
func fetchCommand(t *Tool, c *dockerfile.Command) string {
	sub, ok := fetchSubcommands[t.Name]
	argv := c.Argv()
	if !ok || len(argv) == 0 {
		return ""
	}
	return "`" + argv[0] + " " + sub + "`" + fetchNotes[t.Name]
}

// buildCachesMounted reports whether every cache a build command uses is
// on a cache mount of its RUN, so that running it again after a change to
// the sources downloads nothing and recompiles no dependency: Go's module
// and build caches, NuGet's packages folder, the Maven repository, and
// for Cargo also the target directory, where it compiles the dependencies.
func buildCachesMounted(in *dockerfile.Instruction, c *dockerfile.Command, t *Tool, args []string) bool {
	mounts := cacheMounts(in)
	if len(mounts) == 0 {
		return false
	}
	uses := 0
	for _, n := range cacheNeeds(in) {
		if n.Cmd != c {
			continue
		}
		if n.Dirs == nil || n.mountFor(mounts) == nil {
			return false
		}
		uses++
	}
	if uses == 0 {
		return false
	}
	if t.Name != "cargo" {
		return true
	}
	covered := func(d string) bool {
		return slices.ContainsFunc(mounts, func(m cacheMount) bool { return m.covers(d) })
	}
	if d, ok := flagValue(args, "--target-dir"); ok {
		return c.Dir != "" && covered(absIn(c.Dir, d))
	}
	env := newRunEnv(in, c)
	if d, set, known := env.lookup("CARGO_TARGET_DIR"); set {
		return known && c.Dir != "" && covered(absIn(c.Dir, d))
	}
	// target/ of the package or of the workspace it belongs to.
	for d := c.Dir; d != "" && path.IsAbs(d); d = path.Dir(d) {
		if covered(path.Join(d, "target")) {
			return true
		}
		if d == "/" {
			break
		}
	}
	return false
}
