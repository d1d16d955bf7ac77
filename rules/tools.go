package rules

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
)

// Tool is what cachelint knows about one package manager or build tool.
// Adding a tool means adding a row to tools.
type Tool struct {
	Name      string   // as shown in messages
	Programs  []string // program base names that run it
	Manifests []string // files that declare the dependencies (globs allowed)
	Lockfiles []string // files that pin them
	// Extra are other files the install needs before the sources.
	Extra []string
	// DirFlags are flags whose value names the directory the install
	// reads its manifests from, or a file in it (npm --prefix, pip -r,
	// cargo --manifest-path), when that is not the working directory.
	DirFlags []string
	// installs reports whether a command of this tool (args after the
	// program, flags included) installs the project's dependencies, as
	// opposed to installing a named package or running a script.
	installs func(args []string, getenv func(string) (string, bool)) bool
}

var tools = []*Tool{
	{Name: "npm", Programs: []string{"npm"}, Manifests: []string{"package.json"},
		Lockfiles: []string{"package-lock.json", "npm-shrinkwrap.json"}, DirFlags: []string{"--prefix"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return sub == "ci" || (oneOf(sub, "install", "i", "isntall", "add") && len(operands(rest)) == 0 && !hasFlag(rest, "-g", "--global"))
		}},
	{Name: "yarn", Programs: []string{"yarn"}, Manifests: []string{"package.json"},
		Lockfiles: []string{"yarn.lock"}, Extra: []string{".yarnrc.yml", ".yarn/releases"}, DirFlags: []string{"--cwd"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return (sub == "" && !printsInfo(a)) || (sub == "install" && len(operands(rest)) == 0)
		}},
	{Name: "pnpm", Programs: []string{"pnpm"}, Manifests: []string{"package.json"},
		Lockfiles: []string{"pnpm-lock.yaml"}, Extra: []string{"pnpm-workspace.yaml"}, DirFlags: []string{"-C", "--dir"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return sub == "fetch" || (oneOf(sub, "install", "i") && len(operands(rest)) == 0 && !hasFlag(rest, "-g", "--global"))
		}},
	{Name: "bun", Programs: []string{"bun"}, Manifests: []string{"package.json"},
		Lockfiles: []string{"bun.lock", "bun.lockb"}, DirFlags: []string{"--cwd"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return oneOf(sub, "install", "i") && len(operands(rest)) == 0 && !hasFlag(rest, "-g", "--global")
		}},
	{Name: "pip", Programs: []string{"pip", "pip3"}, Manifests: []string{"requirements*.txt", "pyproject.toml", "setup.py", "setup.cfg"},
		DirFlags: []string{"-r", "--requirement", "-e", "--editable"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return sub == "install" && installsProject(rest)
		}},
	{Name: "poetry", Programs: []string{"poetry"}, Manifests: []string{"pyproject.toml"},
		Lockfiles: []string{"poetry.lock"}, DirFlags: []string{"-C", "--directory", "-P", "--project"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, _ := subcommand(a)
			return oneOf(sub, "install", "sync")
		}},
	{Name: "uv", Programs: []string{"uv"}, Manifests: []string{"pyproject.toml"},
		Lockfiles: []string{"uv.lock"}, DirFlags: []string{"--directory", "--project", "-r", "--requirement", "-e", "--editable"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			if sub == "pip" {
				sub, rest = subcommand(rest)
				return sub == "sync" || (sub == "install" && installsProject(rest))
			}
			return sub == "sync"
		}},
	{Name: "pipenv", Programs: []string{"pipenv"}, Manifests: []string{"Pipfile"},
		Lockfiles: []string{"Pipfile.lock"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return sub == "sync" || (sub == "install" && len(operands(rest)) == 0)
		}},
	{Name: "go", Programs: []string{"go"}, Manifests: []string{"go.mod"},
		Lockfiles: []string{"go.sum"}, DirFlags: []string{"-C"},
		installs: func(a []string, getenv func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			switch sub {
			case "mod":
				sub, _ = subcommand(rest)
				return oneOf(sub, "download", "tidy", "vendor")
			case "get":
				// go get ./... fetches the project's modules; go get pkg
				// adds one named module.
				return !slices.ContainsFunc(operands(rest), func(op string) bool { return !isLocalPath(op) })
			}
			if !oneOf(sub, "build", "test", "vet", "install", "run", "generate") || vendored(rest, getenv) {
				return false
			}
			// go install pkg@version fetches one tool, not the project's modules.
			for _, op := range operands(rest) {
				if strings.Contains(op, "@") {
					return false
				}
			}
			return true
		}},
	{Name: "cargo", Programs: []string{"cargo"}, Manifests: []string{"Cargo.toml"},
		Lockfiles: []string{"Cargo.lock"}, DirFlags: []string{"--manifest-path", "--path"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			switch sub {
			case "build", "fetch", "test", "check", "vendor", "b", "t":
				return true
			case "chef":
				next, _ := subcommand(rest)
				return next == "cook"
			case "install":
				return hasFlag(rest, "--path")
			}
			return false
		}},
	{Name: "maven", Programs: []string{"mvn", "mvnw"}, Manifests: []string{"pom.xml"},
		Extra: []string{".mvn"}, DirFlags: []string{"-f", "--file"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			for _, op := range operands(a) {
				if mavenPhase.MatchString(op) {
					return true
				}
			}
			return false
		}},
	{Name: "gradle", Programs: []string{"gradle", "gradlew"}, Manifests: []string{"build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"},
		Extra: []string{"gradle.properties", "gradle/", "gradlew"}, DirFlags: []string{"-p", "--project-dir"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			return len(operands(a)) > 0
		}},
	{Name: "composer", Programs: []string{"composer", "composer.phar"}, Manifests: []string{"composer.json"},
		Lockfiles: []string{"composer.lock"}, DirFlags: []string{"-d", "--working-dir"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, _ := subcommand(a)
			return oneOf(sub, "install", "i", "update", "u")
		}},
	{Name: "bundler", Programs: []string{"bundle", "bundler"}, Manifests: []string{"Gemfile", "*.gemspec"},
		Lockfiles: []string{"Gemfile.lock"}, DirFlags: []string{"--gemfile"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, _ := subcommand(a)
			return (sub == "" && !printsInfo(a)) || sub == "install"
		}},
	{Name: "dotnet", Programs: []string{"dotnet"}, Manifests: []string{"*.csproj", "*.fsproj", "*.vbproj", "*.sln", "*.slnx"},
		Lockfiles: []string{"packages.lock.json"}, Extra: []string{"Directory.Build.props", "Directory.Packages.props", "nuget.config", "NuGet.Config"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return sub == "restore" || (oneOf(sub, "build", "publish", "test", "pack") && !hasFlag(rest, "--no-restore"))
		}},
	{Name: "mix", Programs: []string{"mix"}, Manifests: []string{"mix.exs"},
		Lockfiles: []string{"mix.lock"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, _ := subcommand(a)
			return sub == "deps.get"
		}},
}

// mavenPhase matches the Maven goals and phases that resolve dependencies.
var mavenPhase = regexp.MustCompile(`^(dependency:(go-offline|resolve|resolve-plugins|copy-dependencies)|compile|test|package|verify|install|deploy|spring-boot:.*|quarkus:build)$`)

var toolByProgram = func() map[string]*Tool {
	m := map[string]*Tool{}
	for _, t := range tools {
		for _, p := range t.Programs {
			m[p] = t
		}
	}
	return m
}()

// toolCommand identifies the tool a command runs and returns the arguments
// after the program. It sees through `python -m pip`, `php composer.phar`
// and versioned names such as pip3.12.
func toolCommand(c *dockerfile.Command) (*Tool, []string) {
	name := c.Name()
	argv := c.Argv()
	switch {
	case name == "":
		return nil, nil
	case strings.HasPrefix(name, "python") && len(argv) >= 3 && argv[1] == "-m":
		if t := toolByProgram[argv[2]]; t != nil {
			return t, argv[3:]
		}
		return nil, nil
	case name == "php" && len(argv) >= 2:
		if t := toolByProgram[path.Base(argv[1])]; t != nil {
			return t, argv[2:]
		}
		return nil, nil
	case strings.HasPrefix(name, "pip") && !strings.ContainsFunc(name[3:], func(r rune) bool { return r != '.' && (r < '0' || r > '9') }):
		return toolByProgram["pip"], argv[1:]
	}
	if t := toolByProgram[name]; t != nil {
		return t, argv[1:]
	}
	return nil, nil
}

// subcommand returns the first operand and the arguments after it.
func subcommand(args []string) (string, []string) {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a, args[i+1:]
		}
	}
	return "", nil
}

// operands are the arguments that are not flags.
func operands(args []string) []string {
	var ops []string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			ops = append(ops, a)
		}
	}
	return ops
}

func hasFlag(args []string, names ...string) bool {
	for _, a := range args {
		for _, n := range names {
			if a == n || strings.HasPrefix(a, n+"=") {
				return true
			}
		}
	}
	return false
}

// printsInfo reports whether bare-command flags only ask for the version or
// help (yarn --version, bundle -v), so the command installs nothing.
func printsInfo(args []string) bool {
	return hasFlag(args, "-v", "--version", "-h", "--help")
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}

// installsProject reports whether pip-style install arguments install from
// a requirements file or a local project rather than named packages.
func installsProject(args []string) bool {
	for i, a := range args {
		switch {
		case a == "-r" || a == "--requirement" || a == "-c" || a == "--constraint":
			return i+1 < len(args)
		case strings.HasPrefix(a, "-r") || strings.HasPrefix(a, "--requirement="):
			return true
		case a == "-e" || a == "--editable":
			continue
		case !strings.HasPrefix(a, "-") && (a == "." || strings.HasPrefix(a, "./") || strings.HasPrefix(a, ".[") || strings.HasPrefix(a, "/")):
			return true
		}
	}
	return false
}

// vendored reports whether a go command builds from the vendor directory.
func vendored(args []string, getenv func(string) (string, bool)) bool {
	for i, a := range args {
		if a == "-mod=vendor" || a == "-mod" && i+1 < len(args) && args[i+1] == "vendor" {
			return true
		}
	}
	flags, _ := getenv("GOFLAGS")
	return strings.Contains(flags, "-mod=vendor")
}

// isLocalPath reports whether an argument names a path on disk (".",
// "./...", "../x", "/src") rather than a package or module name.
func isLocalPath(a string) bool {
	return a == "." || a == ".." || strings.HasPrefix(a, "./") || strings.HasPrefix(a, "../") || strings.HasPrefix(a, "/")
}

// projectDirs returns the directories that the tool's DirFlags point the
// install at, resolved against dir, the directory it runs in: /app for
// `pip install -r /app/requirements.txt`, dir/web for `npm --prefix web ci`.
// A value that depends on a variable is skipped.
func (t *Tool) projectDirs(args []string, dir string) []string {
	var dirs []string
	for i, a := range args {
		for _, f := range t.DirFlags {
			var v string
			switch {
			case a == f && i+1 < len(args):
				v = args[i+1]
			case strings.HasPrefix(a, f+"="):
				v = a[len(f)+1:]
			default:
				continue
			}
			v = strings.ReplaceAll(v, "\\", "/")
			if v == "" || strings.ContainsAny(v, "$`") || strings.Contains(v, "://") {
				continue
			}
			if t.namesFile(path.Base(v)) {
				v = path.Dir(v)
			}
			switch {
			case isAbs(v):
				dirs = append(dirs, path.Clean(v))
			case dir != "":
				dirs = append(dirs, path.Join(dir, v))
			}
		}
	}
	return dirs
}

// withoutLeadingDirFlags drops the DirFlags written before the subcommand,
// with their values (npm --prefix web ci, yarn --cwd web, go -C cmd build),
// so that a value is not taken for the subcommand.
func (t *Tool) withoutLeadingDirFlags(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case !strings.HasPrefix(a, "-"):
			return append(out, args[i:]...)
		case slices.Contains(t.DirFlags, a):
			i++ // and its value
		default:
			out = append(out, a)
		}
	}
	return out
}

// namesFile reports whether the base name of a DirFlags value is a file (a
// manifest, a lockfile or any name with an extension) rather than a
// directory.
func (t *Tool) namesFile(base string) bool {
	if base == "." || base == ".." {
		return false
	}
	if strings.Contains(strings.TrimPrefix(base, "."), ".") {
		return true
	}
	for _, m := range append(append([]string{}, t.Manifests...), t.Lockfiles...) {
		if ok, _ := path.Match(m, base); ok {
			return true
		}
	}
	return false
}
