package rules

import (
	"path"
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
)

// This file knows which commands of a RUN are expensive (they download or
// compile) and which ones may read any variable of their environment
// without naming it on the command line (make, build scripts, npm run ...).

// firstOperand returns the first argument that is not a flag nor the value
// of one of valueFlags.
func firstOperand(args []string, valueFlags []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case oneOf(a, valueFlags...):
			i++
		case strings.HasPrefix(a, "-"):
		default:
			return a
		}
	}
	return ""
}

// installsOSPackages reports whether a command installs or upgrades OS
// packages: apt-get install, apk add, dnf install, zypper in, pacman -S ...
func installsOSPackages(c *dockerfile.Command) bool {
	t, args := toolCommand(c)
	return t != nil && t.System && t.installs(t.withoutLeadingDirFlags(args), nil)
}

// otherInstallers are installers outside the tool table, with the
// subcommands that download something ("" means any use).
var otherInstallers = map[string][]string{
	"gem":                    {"install", "update"},
	"conda":                  {"install", "create", "update", "env"},
	"mamba":                  {"install", "create", "update", "env"},
	"micromamba":             {"install", "create", "update", "env"},
	"pipx":                   {"install"},
	"cpanm":                  {""},
	"luarocks":               {"install"},
	"opam":                   {"install"},
	"rustup":                 {"toolchain", "target", "component"},
	"pecl":                   {"install"},
	"docker-php-ext-install": {""},
	"install-php-extensions": {""},
	// configuration only
	"docker-php-ext-enable":    nil,
	"docker-php-source":        nil,
	"docker-php-ext-configure": nil,
}

// compilers are programs that compile what they are given on the command
// line and read no other variable from the environment that matters here.
var compilers = map[string]bool{
	"gcc": true, "g++": true, "cc": true, "c++": true, "clang": true, "clang++": true,
	"rustc": true, "javac": true, "kotlinc": true, "tsc": true, "swiftc": true, "ghc": true,
}

// envReadingBuilders are build programs that run the project's own build
// scripts, which may read any environment variable (make imports the whole
// environment as make variables; package.json scripts, Gradle, Maven,
// MSBuild, build.rs and setup.py can all read it).
var envReadingBuilders = map[string]bool{
	"make": true, "gmake": true, "cmake": true, "ninja": true, "meson": true,
	"bazel": true, "bazelisk": true, "scons": true, "autoreconf": true, "just": true,
	"rake": true, "webpack": true, "vite": true, "next": true, "ng": true, "nuxt": true,
	"gulp": true, "grunt": true, "turbo": true, "nx": true, "lerna": true, "hugo": true,
	"cabal": true, "stack": true, "zig": true, "swift": true, "sbt": true, "lein": true,
	"mvn": true, "mvnw": true, "gradle": true, "gradlew": true, "ant": true,
}

// interpreters run the script file named by their first operand.
var interpreters = map[string]bool{
	"sh": true, "bash": true, "dash": true, "ash": true, "zsh": true, "ksh": true,
	"python": true, "python2": true, "python3": true, "node": true, "ruby": true,
	"perl": true, "php": true, "deno": true,
}

// buildScriptWords mark a package.json script or task name as a build.
var buildScriptWords = []string{"build", "compile", "dist", "bundle", "prod", "release", "package", "generate", "export"}

// stepKind classifies one command of a RUN.
type stepKind struct {
	expensive bool // downloads or compiles
	readsEnv  bool // may read any variable of its environment
}

// classifyCommand says whether a command is an expensive step and whether
// it may read variables it does not name.
func classifyCommand(in *dockerfile.Instruction, c *dockerfile.Command) stepKind {
	name := c.Name()
	if name == "" {
		return stepKind{readsEnv: true} // an unknown program
	}
	argv := c.Argv()
	args := argv[1:]
	if t, targs := toolCommand(c); t != nil {
		if t.System {
			return stepKind{expensive: installsOSPackages(c)}
		}
		return classifyTool(in, c, t, targs)
	}
	switch {
	case envReadingBuilders[name]:
		return stepKind{expensive: true, readsEnv: true}
	case compilers[name]:
		return stepKind{expensive: true}
	case name == "npx" || name == "pnpx" || name == "bunx":
		return stepKind{expensive: true, readsEnv: true}
	case interpreters[name]:
		return classifyInterpreter(args)
	}
	if subs, ok := otherInstallers[name]; ok {
		sub, _ := subcommand(args)
		if subs != nil && (oneOf("", subs...) || oneOf(sub, subs...)) {
			return stepKind{expensive: true}
		}
		return stepKind{}
	}
	if strings.Contains(argv[0], "/") {
		// ./build.sh, /scripts/install.sh: a script of the project.
		return stepKind{expensive: true, readsEnv: true}
	}
	return stepKind{}
}

// classifyInterpreter classifies `python script.py`, `bash build.sh`,
// `python -m build`: a script that may read its environment. Inline code
// (python -c, node -e) names what it reads and is not a step of its own.
func classifyInterpreter(args []string) stepKind {
	if hasFlag(args, "-c", "-e", "--eval", "-p", "--print") {
		return stepKind{}
	}
	for i, a := range args {
		if a == "-m" && i+1 < len(args) {
			if oneOf(args[i+1], "venv", "virtualenv", "ensurepip", "compileall", "pip") {
				return stepKind{}
			}
			return stepKind{expensive: true, readsEnv: true}
		}
	}
	if firstOperand(args, []string{"-W", "-X", "-O", "-o", "+o", "-r", "-I"}) != "" {
		return stepKind{expensive: true, readsEnv: true}
	}
	return stepKind{}
}

// classifyTool classifies a command of a tool of the tool table.
func classifyTool(in *dockerfile.Instruction, c *dockerfile.Command, t *Tool, args []string) stepKind {
	getenv := func(name string) (string, bool) { return c.Getenv(in, name) }
	args = t.withoutLeadingDirFlags(args)
	sub, rest := subcommand(args)
	switch t.Name {
	case "npm", "pnpm", "bun", "yarn":
		script := ""
		switch {
		case oneOf(sub, "run", "run-script", "exec", "x", "dlx"):
			script, _ = subcommand(rest)
		case oneOf(sub, "test", "t", "start", "stop", "restart"):
			script = sub
		case t.Name != "npm" && sub != "" && !oneOf(sub, "install", "i", "add", "ci", "fetch", "remove", "rm", "global", "config", "cache", "set", "link", "init", "create", "audit", "why", "info", "list", "ls", "outdated", "upgrade", "up", "update", "prune", "dedupe", "patch", "pack", "publish", "version", "import", "licenses", "login", "logout", "store", "env", "setup", "rebuild", "plugin"):
			script = sub // yarn build, pnpm build, yarn workspace app build
		}
		if script != "" || oneOf(sub, "rebuild") {
			build := sub == "exec" || sub == "x" || sub == "dlx" || containsAny(script, buildScriptWords)
			return stepKind{expensive: build, readsEnv: true}
		}
	case "maven", "gradle":
		return stepKind{expensive: true, readsEnv: true}
	case "cargo":
		if oneOf(sub, "build", "b", "test", "t", "run", "r", "install", "rustc", "doc", "bench") && (sub != "install" || hasFlag(rest, "--path")) {
			return stepKind{expensive: true, readsEnv: true}
		}
	case "dotnet":
		if oneOf(sub, "build", "publish", "test", "pack", "run", "msbuild") {
			return stepKind{expensive: true, readsEnv: true}
		}
	case "mix":
		if sub != "" && !oneOf(sub, "deps.get", "local.hex", "local.rebar", "hex.info") {
			return stepKind{expensive: oneOf(sub, "compile", "release", "assets.deploy", "phx.digest", "deps.compile"), readsEnv: true}
		}
	case "go":
		if oneOf(sub, "generate", "run") {
			return stepKind{expensive: true, readsEnv: true}
		}
		if oneOf(sub, "build", "install", "test", "vet") {
			return stepKind{expensive: true}
		}
	case "pip", "uv":
		// Building a local project runs its build backend, which may
		// read the environment (a version from a variable).
		if sub == "install" && installsLocalProject(rest) || oneOf(sub, "wheel", "build") {
			return stepKind{expensive: true, readsEnv: true}
		}
	case "poetry":
		if oneOf(sub, "build", "run") {
			return stepKind{expensive: sub == "build", readsEnv: true}
		}
	case "bundler":
		if sub == "exec" {
			return stepKind{expensive: true, readsEnv: true}
		}
	case "composer":
		if oneOf(sub, "run-script", "run", "exec") {
			return stepKind{readsEnv: true}
		}
	}
	if t.installs != nil && t.installs(args, getenv) || oneOf(sub, "install", "i", "add", "ci", "sync", "fetch", "download", "restore", "require", "update", "upgrade", "get") {
		return stepKind{expensive: true}
	}
	return stepKind{}
}

// installsLocalProject reports whether pip-style install arguments name a
// local project (., ./pkg, /src) rather than requirements or packages.
func installsLocalProject(args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if oneOf(a, "-r", "--requirement", "-c", "--constraint") {
			i++ // its value is a file, not a project
			continue
		}
		if a == "." || strings.HasPrefix(a, "./") || strings.HasPrefix(a, ".[") || strings.HasPrefix(a, "../") ||
			(strings.HasPrefix(a, "/") && path.Ext(a) == "") {
			return true
		}
	}
	return false
}

func containsAny(s string, words []string) bool {
	s = strings.ToLower(s)
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
