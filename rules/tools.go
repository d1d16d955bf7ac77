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
	// ValueFlags are other flags that may come before the subcommand and
	// take a separate value (apt-get -o Opt=1 install).
	ValueFlags []string
	// System is set for the operating system's package managers.
	System bool
	// installs reports whether a command of this tool (args after the
	// program, flags included) installs the project's dependencies, as
	// opposed to installing a named package or running a script; for a
	// System tool, whether it installs or upgrades packages. nil for tools
	// that install nothing.
	installs func(args []string, getenv func(string) (string, bool)) bool

	// Caches are the directories the tool keeps between runs.
	Caches []*Cache
	// uses reports whether a command downloads or builds through the
	// tool's caches (any install, named packages included; a build).
	uses func(args []string) bool
	// NoCacheFlags and NoCacheEnv turn the cache off for one command
	// (pip --no-cache-dir, PIP_NO_CACHE_DIR=1).
	NoCacheFlags []string
	NoCacheEnv   []string
	// cleans reports whether a command wipes the tool's cache
	// (npm cache clean, go clean -modcache).
	cleans func(args []string) bool
	// Offline are flags that make a command use only what the cache
	// already holds: without it, the command fails.
	Offline []string

	// lockMode reports how an install (args after the program, leading
	// DirFlags dropped) treats the lockfile by its subcommand alone:
	// npm ci requires it, poetry install follows it when there is one.
	// nil means lockIgnored.
	lockMode func(args []string) lockUse
	// LockFlags make an install require the lockfile and fail rather
	// than change it (yarn --frozen-lockfile, cargo --locked); the first
	// is the one to suggest. LockEnv are variables that do the same when
	// true (UV_LOCKED, BUNDLE_FROZEN).
	LockFlags []string
	LockEnv   []string
	// CIFrozen is set when installs require the lockfile by default
	// once the CI variable is set (pnpm, Yarn 2+).
	CIFrozen bool
	// relocks reports whether a command may write the lockfile anew
	// although one is present (npm install, composer update, poetry
	// lock), unless LockFlags, LockEnv or freezes forbid it.
	relocks func(args []string) bool
	// freezes reports whether a command turns lockfile mode on for the
	// installs after it (bundle config set frozen true).
	freezes func(args []string) bool
	// readsLock reports whether an install reads Lockfiles at all (uv
	// pip install reads requirements, not uv.lock); nil means it does.
	readsLock func(args []string) bool
}

// lockUse is how an install treats its lockfile.
type lockUse int

const (
	lockIgnored   lockUse = iota // resolves afresh, or may rewrite the lockfile
	lockPreferred                // installs what the lockfile pins when there is one
	lockRequired                 // fails without the lockfile or when it is out of date
)

var (
	npmCache  = &Cache{What: "npm cache", Marks: []string{".npm", "npm-cache", "_cacache"}, Flags: []string{"--cache"}, dirs: oneDir(fromEnv("npm_config_cache", ""), fromEnv("NPM_CONFIG_CACHE", ""), fromHome(".npm"))}
	yarnCache = &Cache{What: "Yarn cache", Marks: []string{"yarn", ".yarn/cache", "berry/cache", "yarn-cache"}, Flags: []string{"--cache-folder"}, dirs: anyDir(
		first(fromEnv("YARN_CACHE_FOLDER", ""), fromEnv("XDG_CACHE_HOME", "yarn"), rootOr("/usr/local/share/.cache/yarn", fromHome(".cache/yarn"))),
		first(fromEnv("YARN_GLOBAL_FOLDER", "cache"), fromHome(".yarn/berry/cache")),
		inProject(".yarn/cache"), // Yarn 2 and 3 keep the cache in the project
	)}
	pnpmStore = &Cache{What: "pnpm store", Marks: []string{"pnpm", "pnpm/store", ".pnpm-store", "pnpm-store"}, Flags: []string{"--store-dir"}, dirs: oneDir(
		fromEnv("npm_config_store_dir", ""), fromEnv("PNPM_HOME", "store"), fromEnv("XDG_DATA_HOME", "pnpm/store"), fromHome(".local/share/pnpm/store"))}
	bunCache = &Cache{What: "Bun cache", Marks: []string{".bun", "bun/install/cache"}, Flags: []string{"--cache-dir"}, dirs: oneDir(
		fromEnv("BUN_INSTALL_CACHE_DIR", ""), fromEnv("BUN_INSTALL", "install/cache"), fromHome(".bun/install/cache"))}
	pipCache    = &Cache{What: "pip cache", Marks: []string{"pip", "pip-cache"}, Flags: []string{"--cache-dir"}, dirs: anyDir(xdgCache("PIP_CACHE_DIR", "pip"))}
	poetryCache = &Cache{What: "Poetry cache", Marks: []string{"pypoetry", "poetry"}, dirs: anyDir(xdgCache("POETRY_CACHE_DIR", "pypoetry"))}
	uvCache     = &Cache{What: "uv cache", Marks: []string{"uv", "uv-cache"}, Flags: []string{"--cache-dir"}, dirs: anyDir(xdgCache("UV_CACHE_DIR", "uv"))}
	pipenvCache = &Cache{What: "pipenv cache", Marks: []string{"pipenv"}, dirs: anyDir(xdgCache("PIPENV_CACHE_DIR", "pipenv"), xdgCache("PIP_CACHE_DIR", "pip"))}
	goModCache  = &Cache{What: "Go module cache", Marks: []string{"pkg/mod", "gomod", "go-mod", "gomodcache"}, Store: true, dirs: oneDir(
		fromEnv("GOMODCACHE", ""), fromEnv("GOPATH", "pkg/mod"), fromHome("go/pkg/mod")),
		usedBy:    func(a []string, getenv func(string) (string, bool)) bool { return !vendored(a, getenv) },
		cleanedBy: func(a []string) bool { return hasFlag(a, "-modcache") }}
	goBuildCache = &Cache{What: "Go build cache", Marks: []string{"go-build", "gocache", "go-cache"}, dirs: anyDir(xdgCache("GOCACHE", "go-build")),
		usedBy: func(a []string, _ func(string) (string, bool)) bool {
			sub, _ := subcommand(a)
			return oneOf(sub, "build", "test", "install", "run", "vet", "generate")
		},
		cleanedBy: func(a []string) bool { return hasFlag(a, "-cache", "-fuzzcache") }}
	cargoRegistry = &Cache{What: "Cargo registry", Marks: []string{"cargo/registry", ".cargo/registry"}, Store: true, dirs: oneDir(fromEnv("CARGO_HOME", "registry"), fromHome(".cargo/registry"))}
	cargoGit      = &Cache{What: "Cargo git cache", Marks: []string{"cargo/git", ".cargo/git"}, Store: true, dirs: oneDir(fromEnv("CARGO_HOME", "git"), fromHome(".cargo/git"))}
	mavenRepo     = &Cache{What: "Maven repository", Marks: []string{".m2", "m2"}, Store: true, Flags: []string{"-Dmaven.repo.local"}, dirs: oneDir(mavenRepoFromEnv, fromHome(".m2/repository"))}
	gradleHome    = &Cache{What: "Gradle user home", Marks: []string{".gradle", "gradle-cache"}, Store: true, Flags: []string{"-g", "--gradle-user-home", "-Dgradle.user.home"}, dirs: gradleHomeDirs}
	sbtCache      = &Cache{What: "Coursier cache", Marks: []string{"coursier", ".ivy2", ".sbt"}, Store: true, dirs: anyDir(
		first(fromEnv("COURSIER_CACHE", ""), fromHome(".cache/coursier")), first(fromHome(".ivy2")))}
	composerCache = &Cache{What: "Composer cache", Marks: []string{"composer", ".composer"}, Store: true, dirs: anyDir(
		first(fromEnv("COMPOSER_CACHE_DIR", ""), fromEnv("COMPOSER_HOME", "cache"), fromHome(".composer/cache")),
		first(fromEnv("COMPOSER_CACHE_DIR", ""), fromEnv("COMPOSER_HOME", "cache"), fromEnv("XDG_CACHE_HOME", "composer"), fromHome(".cache/composer")),
	)}
	bundlerCache = &Cache{What: "gem cache", Marks: []string{".gem", "bundle/cache", ".bundle/cache"}, dirs: anyDir(
		first(fromEnv("BUNDLE_USER_CACHE", ""), fromHome(".bundle/cache")),
		first(fromEnv("GEM_HOME", "cache")),
		first(fromHome(".gem")),
		first(fromHome(".local/share/gem")),
	)}
	nugetPackages = &Cache{What: "NuGet packages folder", Marks: []string{".nuget", "nuget"}, Store: true, dirs: oneDir(fromEnv("NUGET_PACKAGES", ""), fromHome(".nuget/packages"))}
	hexCache      = &Cache{What: "Hex cache", Marks: []string{".hex"}, dirs: oneDir(fromEnv("HEX_HOME", ""), fromHome(".hex"))}
	ccacheDir     = &Cache{What: "ccache directory", Marks: []string{"ccache", ".ccache"}, dirs: anyDir(xdgCache("CCACHE_DIR", "ccache"), first(fromHome(".ccache")))}
	aptArchives   = &Cache{What: "apt package cache", Marks: []string{"var/cache/apt"}, Locked: true, dirs: oneDir(fixed("/var/cache/apt")),
		usedBy: func(a []string, _ func(string) (string, bool)) bool { sub, _ := subcommand(a); return sub != "update" }}
	// apt-get clean and autoclean empty /var/cache/apt, never the lists;
	// apt-get distclean (apt 2.7+) empties both.
	aptLists = &Cache{What: "apt lists", Marks: []string{"var/lib/apt"}, Locked: true, dirs: oneDir(fixed("/var/lib/apt")),
		cleanedBy: subcommandIn("distclean", "dist-clean")}
	// apk keeps packages only when /etc/apk/cache exists; a mount there
	// makes it exist.
	apkCache = &Cache{What: "apk cache", Marks: []string{"var/cache/apk", "etc/apk/cache"}, Flags: []string{"--cache-dir"}, dirs: func(runEnv) ([]string, bool) {
		return []string{"/etc/apk/cache", "/var/cache/apk"}, true
	}}
	dnfCache = &Cache{What: "dnf cache", Marks: []string{"var/cache/dnf", "var/cache/yum", "var/cache/libdnf5", "var/cache/tdnf"}, Locked: true, dirs: func(e runEnv) ([]string, bool) {
		if e.c != nil && e.c.Name() == "tdnf" {
			return []string{"/var/cache/tdnf"}, true // Photon OS's tdnf keeps its own cache
		}
		if e.c != nil {
			if d := rpmCacheDir(e, e.c.Name()); d != "" {
				return []string{d}, true // the image's release says which (rpm_cache_table.go)
			}
		}
		dirs := []string{"/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/yum"}
		if e.c != nil && oneOf(e.c.Name(), "yum", "microdnf") {
			dirs[0], dirs[2] = dirs[2], dirs[0]
		}
		return dirs, true
	}}
	pacmanCache = &Cache{What: "pacman package cache", Marks: []string{"var/cache/pacman"}, Locked: true, dirs: oneDir(fixed("/var/cache/pacman/pkg"))}
	zypperCache = &Cache{What: "zypper cache", Marks: []string{"var/cache/zypp"}, Locked: true, dirs: oneDir(fixed("/var/cache/zypp"))}
)

var tools = []*Tool{
	{Name: "npm", Programs: []string{"npm"}, Manifests: []string{"package.json"},
		Lockfiles: []string{"package-lock.json", "npm-shrinkwrap.json"}, DirFlags: []string{"--prefix"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return sub == "ci" || (oneOf(sub, "install", "i", "isntall", "add") && len(operands(rest)) == 0 && !hasFlag(rest, "-g", "--global"))
		},
		Caches: []*Cache{npmCache}, Offline: []string{"--offline"},
		uses: subcommandIn("ci", "install", "i", "isntall", "add", "update", "up", "upgrade"),
		cleans: func(a []string) bool {
			sub, rest := subcommand(a)
			return sub == "cache" && firstOperand(rest, nil) == "clean"
		},
		lockMode: func(a []string) lockUse {
			if sub, _ := subcommand(a); oneOf(sub, "ci", "clean-install", "ic", "install-clean", "isntall-clean") {
				return lockRequired
			}
			return lockIgnored
		},
		relocks: func(a []string) bool {
			sub, rest := subcommand(a)
			return oneOf(sub, "install", "i", "isntall", "add") && len(operands(rest)) == 0 && !hasFlag(rest, "-g", "--global") &&
				!hasFlag(rest, "--no-package-lock", "--package-lock=false", "--package-lock-only")
		}},
	{Name: "yarn", Programs: []string{"yarn"}, Manifests: []string{"package.json"},
		Lockfiles: []string{"yarn.lock"}, Extra: []string{".yarnrc.yml", ".yarn/releases"}, DirFlags: []string{"--cwd"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return (sub == "" && !printsInfo(a)) || (sub == "install" && len(operands(rest)) == 0)
		},
		Caches: []*Cache{yarnCache}, Offline: []string{"--offline"},
		uses: func(a []string) bool {
			sub, rest := subcommand(a)
			return (sub == "" && !printsInfo(a)) || oneOf(sub, "install", "add", "upgrade", "up") || (sub == "global" && firstOperand(rest, nil) == "add")
		},
		cleans: func(a []string) bool {
			sub, rest := subcommand(a)
			return sub == "cache" && firstOperand(rest, nil) == "clean"
		},
		LockFlags: []string{"--frozen-lockfile", "--immutable"}, LockEnv: []string{"YARN_ENABLE_IMMUTABLE_INSTALLS"}, CIFrozen: true,
		relocks: func(a []string) bool {
			sub, rest := subcommand(a)
			return ((sub == "" && !printsInfo(a)) || (sub == "install" && len(operands(rest)) == 0)) &&
				!hasFlag(a, "--pure-lockfile", "--no-lockfile", "--mode=update-lockfile")
		}},
	{Name: "pnpm", Programs: []string{"pnpm"}, Manifests: []string{"package.json"},
		Lockfiles: []string{"pnpm-lock.yaml"}, Extra: []string{"pnpm-workspace.yaml"}, DirFlags: []string{"-C", "--dir"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return sub == "fetch" || (oneOf(sub, "install", "i") && len(operands(rest)) == 0 && !hasFlag(rest, "-g", "--global"))
		},
		Caches: []*Cache{pnpmStore}, Offline: []string{"--offline"},
		uses: subcommandIn("install", "i", "fetch", "add", "update", "up"),
		cleans: func(a []string) bool {
			sub, rest := subcommand(a)
			return sub == "store" && firstOperand(rest, nil) == "prune"
		},
		lockMode: func(a []string) lockUse {
			if sub, _ := subcommand(a); sub == "fetch" {
				return lockRequired
			}
			return lockIgnored
		},
		LockFlags: []string{"--frozen-lockfile"}, LockEnv: []string{"npm_config_frozen_lockfile"}, CIFrozen: true,
		relocks: func(a []string) bool {
			sub, rest := subcommand(a)
			return oneOf(sub, "install", "i") && len(operands(rest)) == 0 && !hasFlag(rest, "-g", "--global") &&
				!hasFlag(rest, "--no-lockfile", "--lockfile-only", "--fix-lockfile")
		}},
	{Name: "bun", Programs: []string{"bun"}, Manifests: []string{"package.json"},
		Lockfiles: []string{"bun.lock", "bun.lockb"}, DirFlags: []string{"--cwd"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return oneOf(sub, "install", "i") && len(operands(rest)) == 0 && !hasFlag(rest, "-g", "--global")
		},
		Caches: []*Cache{bunCache}, NoCacheFlags: []string{"--no-cache"}, LockFlags: []string{"--frozen-lockfile"},
		uses: subcommandIn("install", "i", "add")},
	{Name: "pip", Programs: []string{"pip", "pip3"}, Manifests: []string{"requirements*.txt", "pyproject.toml", "setup.py", "setup.cfg"},
		DirFlags: []string{"-r", "--requirement", "-e", "--editable"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return sub == "install" && installsProject(rest)
		},
		Caches: []*Cache{pipCache}, NoCacheFlags: []string{"--no-cache-dir", "--no-cache"}, NoCacheEnv: []string{"PIP_NO_CACHE_DIR"},
		Offline: []string{"--no-index"},
		uses:    subcommandIn("install", "download", "wheel"),
		cleans: func(a []string) bool {
			sub, rest := subcommand(a)
			return sub == "cache" && oneOf(firstOperand(rest, nil), "purge", "remove")
		}},
	{Name: "poetry", Programs: []string{"poetry"}, Manifests: []string{"pyproject.toml"},
		Lockfiles: []string{"poetry.lock"}, DirFlags: []string{"-C", "--directory", "-P", "--project"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, _ := subcommand(a)
			return oneOf(sub, "install", "sync")
		},
		Caches: []*Cache{poetryCache}, NoCacheFlags: []string{"--no-cache"},
		uses: subcommandIn("install", "sync", "add", "update", "lock"),
		cleans: func(a []string) bool {
			sub, rest := subcommand(a)
			return sub == "cache" && firstOperand(rest, nil) == "clear"
		},
		lockMode: func(a []string) lockUse {
			if sub, _ := subcommand(a); oneOf(sub, "install", "sync") {
				return lockPreferred
			}
			return lockIgnored
		},
		relocks: func(a []string) bool {
			sub, rest := subcommand(a)
			return sub == "lock" && !hasFlag(rest, "--check")
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
		},
		Caches: []*Cache{uvCache}, NoCacheFlags: []string{"--no-cache", "--no-cache-dir", "-n"}, NoCacheEnv: []string{"UV_NO_CACHE"},
		Offline: []string{"--offline"},
		uses: func(a []string) bool {
			sub, rest := subcommand(a)
			switch sub {
			case "pip":
				return oneOf(firstOperand(rest, nil), "install", "sync", "compile")
			case "tool":
				return oneOf(firstOperand(rest, nil), "install", "run")
			}
			return oneOf(sub, "sync", "add", "lock", "run", "build")
		},
		cleans: func(a []string) bool {
			sub, rest := subcommand(a)
			return sub == "cache" && oneOf(firstOperand(rest, nil), "clean", "prune")
		},
		LockFlags: []string{"--locked", "--frozen"}, LockEnv: []string{"UV_LOCKED", "UV_FROZEN"},
		readsLock: func(a []string) bool { sub, _ := subcommand(a); return sub != "pip" }},
	{Name: "pdm", Programs: []string{"pdm"}, Manifests: []string{"pyproject.toml"},
		Lockfiles: []string{"pdm.lock"}, DirFlags: []string{"-p", "--project"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, _ := subcommand(a)
			return oneOf(sub, "install", "sync")
		},
		lockMode: func(a []string) lockUse {
			if sub, _ := subcommand(a); sub == "sync" {
				return lockRequired
			}
			return lockIgnored
		},
		LockFlags: []string{"--frozen-lockfile", "--check"}},
	{Name: "pipenv", Programs: []string{"pipenv"}, Manifests: []string{"Pipfile"},
		Lockfiles: []string{"Pipfile.lock"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return sub == "sync" || (sub == "install" && len(operands(rest)) == 0)
		},
		Caches: []*Cache{pipenvCache}, NoCacheEnv: []string{"PIP_NO_CACHE_DIR"},
		uses: subcommandIn("install", "sync", "lock"),
		lockMode: func(a []string) lockUse {
			if sub, _ := subcommand(a); sub == "sync" {
				return lockRequired
			}
			return lockIgnored
		},
		LockFlags: []string{"--deploy", "--ignore-pipfile"}},
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
		},
		Caches: []*Cache{goModCache, goBuildCache},
		uses: func(a []string) bool {
			sub, rest := subcommand(a)
			if sub == "mod" {
				return oneOf(firstOperand(rest, nil), "download", "tidy", "vendor", "graph", "verify")
			}
			return oneOf(sub, "build", "test", "vet", "install", "run", "generate", "get")
		},
		cleans: func(a []string) bool {
			sub, rest := subcommand(a)
			return sub == "clean" && hasFlag(rest, "-cache", "-modcache", "-testcache", "-fuzzcache")
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
		},
		Caches: []*Cache{cargoRegistry, cargoGit}, Offline: []string{"--offline", "--frozen"},
		uses: func(a []string) bool {
			sub, rest := subcommand(a)
			return oneOf(sub, "build", "b", "test", "t", "check", "c", "run", "r", "fetch", "install", "vendor", "doc", "clippy", "update", "generate-lockfile", "bench") ||
				(sub == "chef" && firstOperand(rest, nil) == "cook")
		},
		LockFlags: []string{"--locked", "--frozen"}},
	{Name: "maven", Programs: []string{"mvn", "mvnw"}, Manifests: []string{"pom.xml"},
		Extra: []string{".mvn"}, DirFlags: []string{"-f", "--file"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			for _, op := range operands(a) {
				if mavenPhase.MatchString(op) {
					return true
				}
			}
			return false
		},
		Caches: []*Cache{mavenRepo}, Offline: []string{"-o", "--offline"},
		uses: func(a []string) bool { return len(operands(a)) > 0 }},
	{Name: "gradle", Programs: []string{"gradle", "gradlew"}, Manifests: []string{"build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"},
		Extra: []string{"gradle.properties", "gradle/", "gradlew"}, DirFlags: []string{"-p", "--project-dir"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			return len(operands(a)) > 0
		},
		Caches: []*Cache{gradleHome}, Offline: []string{"--offline"},
		uses: func(a []string) bool { return len(operands(a)) > 0 }},
	{Name: "sbt", Programs: []string{"sbt"}, Manifests: []string{"build.sbt"}, Extra: []string{"project/"},
		Caches: []*Cache{sbtCache},
		uses:   func(a []string) bool { return len(operands(a)) > 0 }},
	{Name: "composer", Programs: []string{"composer", "composer.phar"}, Manifests: []string{"composer.json"},
		Lockfiles: []string{"composer.lock"}, DirFlags: []string{"-d", "--working-dir"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, _ := subcommand(a)
			return oneOf(sub, "install", "i", "update", "u")
		},
		Caches: []*Cache{composerCache}, NoCacheFlags: []string{"--no-cache"}, NoCacheEnv: []string{"COMPOSER_NO_CACHE"},
		uses: func(a []string) bool {
			sub, rest := subcommand(a)
			return oneOf(sub, "install", "i", "update", "u", "upgrade", "require", "r", "create-project") ||
				(sub == "global" && oneOf(firstOperand(rest, nil), "require", "install", "update"))
		},
		cleans: subcommandIn("clear-cache", "clearcache", "cc"),
		lockMode: func(a []string) lockUse {
			if sub, _ := subcommand(a); oneOf(sub, "install", "i") {
				return lockPreferred
			}
			return lockIgnored
		},
		relocks: func(a []string) bool {
			sub, rest := subcommand(a)
			return oneOf(sub, "update", "u", "upgrade") && len(operands(rest)) == 0 && !hasFlag(rest, "--lock")
		},
		readsLock: func(a []string) bool { sub, _ := subcommand(a); return !oneOf(sub, "update", "u", "upgrade") }},
	{Name: "bundler", Programs: []string{"bundle", "bundler"}, Manifests: []string{"Gemfile", "*.gemspec"},
		Lockfiles: []string{"Gemfile.lock"}, DirFlags: []string{"--gemfile"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, _ := subcommand(a)
			return (sub == "" && !printsInfo(a)) || sub == "install"
		},
		Caches: []*Cache{bundlerCache}, Offline: []string{"--local"},
		uses: func(a []string) bool {
			sub, _ := subcommand(a)
			return (sub == "" && !printsInfo(a)) || oneOf(sub, "install", "update", "add")
		},
		LockFlags: []string{"--frozen", "--deployment"}, LockEnv: []string{"BUNDLE_FROZEN", "BUNDLE_DEPLOYMENT"},
		relocks: func(a []string) bool {
			sub, _ := subcommand(a)
			return (sub == "" && !printsInfo(a)) || sub == "install"
		},
		freezes: func(a []string) bool {
			sub, rest := subcommand(a)
			if sub != "config" {
				return false
			}
			ops := operands(rest)
			if len(ops) > 0 && ops[0] == "set" {
				ops = ops[1:]
			}
			return len(ops) == 2 && oneOf(ops[0], "frozen", "deployment") && truthy(ops[1])
		}},
	{Name: "dotnet", Programs: []string{"dotnet"}, Manifests: []string{"*.csproj", "*.fsproj", "*.vbproj", "*.sln", "*.slnx"},
		Lockfiles: []string{"packages.lock.json"}, Extra: []string{"Directory.Build.props", "Directory.Packages.props", "nuget.config", "NuGet.Config"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return sub == "restore" || (oneOf(sub, "build", "publish", "test", "pack") && !hasFlag(rest, "--no-restore"))
		},
		Caches: []*Cache{nugetPackages}, Offline: []string{"--no-restore"},
		uses: subcommandIn("restore", "build", "publish", "test", "pack", "run"),
		cleans: func(a []string) bool {
			sub, rest := subcommand(a)
			return sub == "nuget" && firstOperand(rest, nil) == "locals" && hasFlag(rest, "--clear", "-c")
		}},
	{Name: "mix", Programs: []string{"mix"}, Manifests: []string{"mix.exs"},
		Lockfiles: []string{"mix.lock"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, _ := subcommand(a)
			return sub == "deps.get"
		},
		Caches: []*Cache{hexCache},
		uses:   subcommandIn("deps.get", "deps.update")},
	{Name: "ccache", Programs: []string{"ccache"},
		Caches: []*Cache{ccacheDir},
		uses:   func(a []string) bool { return len(operands(a)) > 0 },
		cleans: func(a []string) bool { return hasFlag(a, "-C", "--clear") }},
	{Name: "apt", Programs: []string{"apt-get", "apt", "aptitude"}, System: true,
		ValueFlags: []string{"-o", "--option", "-c", "--config-file", "-t", "--target-release", "--default-release",
			"-a", "--host-architecture", "-P", "--build-profiles", "-F", "--display-format", "-w", "--width", "-S", "--snapshot"},
		installs: systemInstall("install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "reinstall"),
		Caches:   []*Cache{aptArchives, aptLists},
		uses:     subcommandIn("install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "reinstall", "update", "download", "source"),
		cleans:   subcommandIn("clean", "autoclean", "auto-clean", "distclean", "dist-clean")},
	{Name: "apk", Programs: []string{"apk"}, System: true,
		ValueFlags: []string{"-X", "--repository", "--root", "-p", "--cache-dir", "--arch", "--keys-dir",
			"--repositories-file", "-t", "--virtual", "--wait", "--cache-max-age", "--timeout"},
		installs: systemInstall("add", "upgrade"),
		Caches:   []*Cache{apkCache}, NoCacheFlags: []string{"--no-cache"},
		uses: subcommandIn("add", "upgrade", "update", "fetch", "fix"),
		cleans: func(a []string) bool {
			sub, rest := subcommand(a)
			return sub == "cache" && oneOf(firstOperand(rest, nil), "clean", "purge")
		}},
	{Name: "dnf", Programs: []string{"dnf", "dnf5", "yum", "microdnf", "tdnf"}, System: true,
		ValueFlags: []string{"-x", "--exclude", "--excludepkgs", "--enablerepo", "--disablerepo", "--repo", "--repoid",
			"--releasever", "--installroot", "-c", "--config", "--setopt", "-d", "--debuglevel", "-e", "--errorlevel",
			"--rpmverbosity", "--downloaddir", "--destdir", "--forcearch", "--advisory", "--advisories", "--bz",
			"--bzs", "--cve", "--cves", "--sec-severity", "--secseverity", "--color", "--comment", "--setvar",
			"--repofrompath", "--disableplugin", "--enableplugin", "--includepkgs", "--use-host-config"},
		installs: func(a []string, _ func(string) (string, bool)) bool {
			sub, rest := subcommand(a)
			return oneOf(sub, "install", "upgrade", "update", "groupinstall", "reinstall", "builddep", "distro-sync", "localinstall") ||
				oneOf(sub, "group", "groups", "module") && oneOf(firstOperand(rest, nil), "install", "update", "upgrade")
		},
		Caches: []*Cache{dnfCache},
		uses: func(a []string) bool {
			sub, _ := subcommand(a)
			return oneOf(sub, "makecache", "download") || oneOf(sub, "install", "upgrade", "update", "group", "groups", "module", "groupinstall", "reinstall", "builddep", "distro-sync", "localinstall")
		},
		cleans: func(a []string) bool { sub, _ := subcommand(a); return sub == "clean" }},
	{Name: "zypper", Programs: []string{"zypper"}, System: true,
		ValueFlags: []string{"-R", "--root", "-c", "--config", "-D", "--reposd-dir", "-C", "--cache-dir",
			"--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir", "--releasever", "-r", "--repo", "--from",
			"-t", "--type", "--category", "--severity", "--date", "--bugzilla", "--bz", "--cve", "-g"},
		installs: systemInstall("install", "in", "update", "up", "dist-upgrade", "dup", "source-install", "si"),
		Caches:   []*Cache{zypperCache},
		uses:     subcommandIn("install", "in", "update", "up", "dist-upgrade", "dup", "refresh", "ref", "source-install", "si", "patch"),
		cleans:   subcommandIn("clean", "cc")},
	{Name: "pacman", Programs: []string{"pacman"}, System: true,
		installs: func(a []string, _ func(string) (string, bool)) bool { return pacmanSyncs(a) },
		Caches:   []*Cache{pacmanCache},
		uses:     pacmanSyncs,
		cleans: func(a []string) bool {
			return slices.ContainsFunc(a, func(f string) bool { return strings.HasPrefix(f, "-S") && strings.Contains(f, "c") })
		}},
}

// systemInstall returns the installs predicate of an OS package manager
// whose subcommands install or upgrade packages.
func systemInstall(subs ...string) func([]string, func(string) (string, bool)) bool {
	return func(a []string, _ func(string) (string, bool)) bool {
		sub, _ := subcommand(a)
		return oneOf(sub, subs...)
	}
}

// pacmanSyncs reports whether pacman installs or upgrades: -S or -U (and
// their combinations such as -Syu), not a query or a cache cleanup.
func pacmanSyncs(a []string) bool {
	for _, f := range a {
		if f == "--sync" || f == "--upgrade" || (strings.HasPrefix(f, "-S") || strings.HasPrefix(f, "-U")) && !strings.Contains(f, "c") && !strings.ContainsAny(f[2:], "ilsgp") {
			return true
		}
	}
	return false
}

// subcommandIn returns a predicate that is true when the command's first
// operand is one of subs.
func subcommandIn(subs ...string) func(args []string) bool {
	return func(a []string) bool {
		sub, _ := subcommand(a)
		return oneOf(sub, subs...)
	}
}

// mavenRepoFromEnv finds -Dmaven.repo.local in MAVEN_OPTS or MAVEN_ARGS.
func mavenRepoFromEnv(e runEnv) (string, bool, bool) {
	for _, name := range []string{"MAVEN_ARGS", "MAVEN_OPTS"} {
		v, set, known := e.lookup(name)
		if !set {
			continue
		}
		for _, f := range strings.Fields(v) {
			if dir, ok := strings.CutPrefix(f, "-Dmaven.repo.local="); ok {
				return dir, true, known && path.IsAbs(dir)
			}
		}
	}
	return "", false, false
}

// gradleHomeDirs is GRADLE_USER_HOME, else HOME/.gradle; in the gradle
// image /root/.gradle is a link to /home/gradle/.gradle, so both count.
func gradleHomeDirs(e runEnv) ([]string, bool) {
	d, ok := first(fromEnv("GRADLE_USER_HOME", ""), fromHome(".gradle"))(e)
	if !ok {
		return nil, false
	}
	dirs := []string{d}
	if e.img != nil && e.img.Users["gradle"].Home != "" {
		switch d {
		case "/root/.gradle":
			dirs = append(dirs, "/home/gradle/.gradle")
		case "/home/gradle/.gradle":
			dirs = append(dirs, "/root/.gradle")
		}
	}
	return dirs, true
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

// withoutLeadingDirFlags drops the DirFlags and ValueFlags written before
// the subcommand, with their values (npm --prefix web ci, yarn --cwd web,
// go -C cmd build, apt-get -o Opt=1 install), so that a value is not taken
// for the subcommand.
func (t *Tool) withoutLeadingDirFlags(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case !strings.HasPrefix(a, "-"):
			return append(out, args[i:]...)
		case slices.Contains(t.DirFlags, a) || slices.Contains(t.ValueFlags, a):
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
