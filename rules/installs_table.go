package rules

import (
	"path"
	"slices"
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
)

// Where commands put what they install: the package trees, virtualenvs
// and programs a step leaves for later steps and for the image
// (node_modules, vendor, .venv, GEM_HOME, GOBIN ...). Used by
// cache-mount-hides-output: a cache mount over one of these directories
// keeps the install out of the image.

// install is one directory a command of a RUN installs into.
type install struct {
	Cmd  *dockerfile.Command
	Dir  string // absolute, clean
	What string // for messages, after the command: "installs packages"
	// Download is the tool's own cache that could be mounted instead
	// (set by the caller from cacheNeeds), "" when there is none.
	Download string
	// Bin is the program a go install or cargo install puts in Dir.
	Bin string
	// uses reports whether a later command needs what was installed
	// without naming its path (npm run build needs node_modules; poetry
	// run needs poetry's virtualenv); nil when only a path says so.
	uses func(c *dockerfile.Command, e runEnv) bool
}

// installsOf lists what the commands of a RUN install and where, in order.
// earlier are the instructions before the RUN in its stage chain (for
// poetry config and virtualenvs created there).
// poetryToml is set when the build context may hold a poetry.toml.
func installsOf(in *dockerfile.Instruction, earlier []*dockerfile.Instruction, poetryToml bool) []install {
	if in.Run == nil {
		return nil
	}
	var out []install
	for i, c := range in.Run.Commands {
		if c.Dir == "" {
			continue
		}
		env := newRunEnv(in, c)
		argv := c.Argv()
		name := c.Name()
		if name == "" {
			continue
		}
		if d, ok := venvCreated(c); ok {
			out = append(out, install{Cmd: c, Dir: d, What: "makes a virtualenv", uses: venvUse(d)})
			continue
		}
		t, args := toolCommand(c)
		if t == nil {
			if name == "gem" && firstOperand(argv[1:], nil) == "install" {
				if d, ok := flagValue(argv, "-i", "--install-dir"); ok {
					out = appendInstall(out, c, absIn(c.Dir, d), "installs gems", nil)
				} else if d, ok := env.get("GEM_HOME"); ok && path.IsAbs(d) {
					out = appendInstall(out, c, d, "installs gems", rubyUse)
				}
			}
			continue
		}
		plain := t.withoutLeadingDirFlags(args)
		sub, rest := subcommand(plain)
		proj := c.Dir
		if dirs := t.projectDirs(args, c.Dir); len(dirs) > 0 {
			proj = dirs[0]
		}
		switch t.Name {
		case "npm", "pnpm", "bun":
			if oneOf(sub, "ci", "install", "i", "isntall", "add", "update", "up", "upgrade") && !hasFlag(rest, "-g", "--global") {
				out = appendInstall(out, c, path.Join(proj, "node_modules"), "installs packages", nodeUse(proj))
			}
		case "yarn":
			if (sub == "" && !printsInfo(plain)) || oneOf(sub, "install", "add", "upgrade", "up") {
				out = appendInstall(out, c, path.Join(proj, "node_modules"), "installs packages", nodeUse(proj))
			}
		case "composer":
			if oneOf(sub, "install", "i", "update", "u", "upgrade", "require", "r") {
				vendor := path.Join(proj, "vendor")
				if v, set, known := env.lookup("COMPOSER_VENDOR_DIR"); set {
					if !known {
						continue
					}
					vendor = absIn(proj, v)
				}
				out = appendInstall(out, c, vendor, "installs packages", projectUse(proj, "php", "composer", "php-fpm", "artisan"))
			}
		case "bundler":
			if (sub == "" && !printsInfo(plain)) || oneOf(sub, "install", "update", "add") {
				if d, ok := bundlePath(env, plain, proj); ok {
					out = appendInstall(out, c, d, "installs gems", rubyUse)
				}
			}
		case "pip":
			if sub != "install" {
				continue
			}
			if d, ok := pipInstallDir(c, env, rest, earlier, in); ok {
				out = appendInstall(out, c, d, "installs packages", nil)
			}
		case "uv":
			switch sub {
			case "sync":
				d := path.Join(proj, ".venv")
				if v, set, known := env.lookup("UV_PROJECT_ENVIRONMENT"); set {
					if !known {
						continue
					}
					d = absIn(proj, v)
				}
				out = appendInstall(out, c, d, "makes the project's virtualenv", anyUse(projectUse(proj, "uv"), venvUse(d)))
			case "venv":
				d := path.Join(c.Dir, ".venv")
				if ops := operands(rest); len(ops) > 0 {
					d = absIn(c.Dir, ops[0])
				}
				out = appendInstall(out, c, d, "makes a virtualenv", venvUse(d))
			case "pip":
				if firstOperand(rest, nil) != "install" {
					continue
				}
				if d, ok := flagValue(rest, "--target", "-t", "--prefix"); ok {
					out = appendInstall(out, c, absIn(c.Dir, d), "installs packages", nil)
				} else if d, ok := env.get("VIRTUAL_ENV"); ok && path.IsAbs(d) && !hasFlag(rest, "--system", "--python", "-p") {
					out = appendInstall(out, c, path.Clean(d), "installs packages", venvUse(d))
				}
			}
		case "poetry":
			if oneOf(sub, "install", "sync", "add", "update") {
				if d, ok := poetryVenvDir(in, earlier, i, env, proj, poetryToml); ok {
					out = appendInstall(out, c, d, "installs into its virtualenv", anyUse(projectUse(proj, "poetry"), venvUse(d)))
				}
			}
		case "pipenv":
			if oneOf(sub, "install", "sync") {
				d := ""
				if v, ok := env.get("PIPENV_VENV_IN_PROJECT"); ok && truthy(v) {
					d = path.Join(proj, ".venv")
				} else if v, ok := env.get("WORKON_HOME"); ok && path.IsAbs(v) {
					d = path.Clean(v)
				} else if h, ok := env.home(); ok && !varSet(env, "WORKON_HOME") {
					d = path.Join(h, ".local/share/virtualenvs")
				}
				if d != "" && !hasFlag(rest, "--system") {
					out = appendInstall(out, c, d, "installs into its virtualenv", anyUse(projectUse(proj, "pipenv"), venvUse(d)))
				}
			}
		case "go":
			if sub == "install" {
				if d, ok := goBin(env); ok {
					bin := ""
					if ops := operands(rest); len(ops) == 1 {
						bin = goProgramName(ops[0])
					}
					inst := install{Cmd: c, Dir: d, What: "puts its program", Bin: bin}
					if bin != "" {
						inst.uses = programUse(bin)
					}
					out = append(out, inst)
				}
			}
		case "cargo":
			if sub == "install" {
				if d, ok := cargoInstallRoot(env, rest, c.Dir); ok {
					out = append(out, install{Cmd: c, Dir: path.Join(d, "bin"), What: "puts its programs"})
				}
			}
		case "mix":
			if oneOf(sub, "deps.get", "deps.update") {
				d := path.Join(proj, "deps")
				if v, set, known := env.lookup("MIX_DEPS_PATH"); set {
					if !known {
						continue
					}
					d = absIn(proj, v)
				}
				out = appendInstall(out, c, d, "fetches dependencies", projectUse(proj, "mix", "elixir", "iex"))
			}
		}
	}
	return out
}

func appendInstall(out []install, c *dockerfile.Command, dir, what string, uses func(*dockerfile.Command, runEnv) bool) []install {
	return append(out, install{Cmd: c, Dir: path.Clean(dir), What: what, uses: uses})
}

// varSet reports whether a variable is set for the command, known or not.
func varSet(e runEnv, name string) bool {
	_, set, _ := e.lookup(name)
	return set
}

// absIn makes p absolute against dir.
func absIn(dir, p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(dir, p)
}

// flagValue returns the value of the first of names in args (--flag v,
// --flag=v, -fv for one-letter flags), when it is a plain value.
func flagValue(args []string, names ...string) (string, bool) {
	for i, a := range args {
		for _, n := range names {
			var v string
			switch {
			case a == n && i+1 < len(args):
				v = args[i+1]
			case strings.HasPrefix(a, n+"="):
				v = a[len(n)+1:]
			case len(n) == 2 && n[1] != '-' && strings.HasPrefix(a, n) && len(a) > 2 && !strings.HasPrefix(a, "--"):
				v = a[2:]
			default:
				continue
			}
			if v == "" || strings.ContainsAny(v, "$`") {
				return "", false
			}
			return v, true
		}
	}
	return "", false
}

// venvCreated returns the directory a command makes a virtualenv in:
// python -m venv DIR, virtualenv DIR.
func venvCreated(c *dockerfile.Command) (string, bool) {
	argv := c.Argv()
	var ops []string
	switch name := c.Name(); {
	case strings.HasPrefix(name, "python") && len(argv) >= 3 && argv[1] == "-m" && (argv[2] == "venv" || argv[2] == "virtualenv"):
		ops = operands(argv[3:])
	case name == "virtualenv":
		ops = operands(argv[1:])
	default:
		return "", false
	}
	if len(ops) == 0 || !c.Args[len(c.Args)-1].Lit || strings.ContainsAny(ops[len(ops)-1], "$`") {
		return "", false
	}
	return absIn(c.Dir, ops[len(ops)-1]), true
}

// venvOf returns the virtualenv a program runs from: one whose path is
// DIR/bin/..., or VIRTUAL_ENV.
func venvOf(c *dockerfile.Command, e runEnv) (string, bool) {
	if p := c.Args[0].Value; c.Args[0].Lit && strings.Contains(p, "/bin/") {
		p = absIn(c.Dir, p)
		if d := path.Dir(path.Dir(p)); path.Base(path.Dir(p)) == "bin" && d != "/" && d != "/usr" && d != "/usr/local" {
			return d, true
		}
	}
	if v, ok := e.get("VIRTUAL_ENV"); ok && path.IsAbs(v) {
		return path.Clean(v), true
	}
	return "", false
}

// pipInstallDir is where a pip install puts packages when that is a
// directory of its own: --target, --prefix, --root, --user (the user's
// site), or a virtualenv the program belongs to, or a virtualenv made
// earlier in the stage whose bin directory is on the PATH.
func pipInstallDir(c *dockerfile.Command, e runEnv, rest []string, earlier []*dockerfile.Instruction, in *dockerfile.Instruction) (string, bool) {
	if d, ok := flagValue(rest, "--target", "-t", "--prefix", "--root"); ok {
		return absIn(c.Dir, d), true
	}
	if hasFlag(rest, "--user") {
		if v, ok := e.get("PYTHONUSERBASE"); ok && path.IsAbs(v) {
			return path.Clean(v), true
		}
		if h, ok := e.home(); ok && !varSet(e, "PYTHONUSERBASE") {
			return path.Join(h, ".local"), true
		}
		return "", false
	}
	if d, ok := venvOf(c, e); ok {
		return d, true
	}
	pathVar, _ := e.get("PATH")
	for _, prev := range append(append([]*dockerfile.Instruction{}, earlier...), in) {
		if prev.Run == nil {
			continue
		}
		for _, pc := range prev.Run.Commands {
			if pc == c {
				break
			}
			if d, ok := venvCreated(pc); ok && slices.Contains(strings.Split(pathVar, ":"), d+"/bin") {
				return d, true
			}
		}
	}
	return "", false
}

// poetryVenvDir is the virtualenv poetry installs into when it is not in
// the project: POETRY_VIRTUALENVS_PATH, a path set with poetry config, or
// {cache-dir}/virtualenvs. ok is false when poetry makes no virtualenv
// (virtualenvs.create false, an active VIRTUAL_ENV) or puts it in the
// project, or when that cannot be known (a poetry.toml copied in, or a
// copy of the whole context that may hold one).
func poetryVenvDir(in *dockerfile.Instruction, earlier []*dockerfile.Instruction, idx int, e runEnv, proj string, poetryToml bool) (string, bool) {
	settings := map[string]string{}
	for _, prev := range append(append([]*dockerfile.Instruction{}, earlier...), in) {
		if prev.Copy != nil && slices.ContainsFunc(prev.Copy.Sources, func(w dockerfile.Word) bool { return path.Base(unquote(w.Text)) == "poetry.toml" }) ||
			poetryToml && len(wholeContextCopies(prev)) > 0 {
			return "", false // a poetry.toml of the project may say where the virtualenv goes
		}
		if prev.Run == nil {
			continue
		}
		for j, pc := range prev.Run.Commands {
			if prev == in && j >= idx {
				break
			}
			argv := pc.Argv()
			if pc.Name() == "poetry" && firstOperand(argv[1:], nil) == "config" {
				ops := operands(argv[1:])
				if len(ops) >= 3 {
					settings[ops[1]] = ops[2]
				}
			}
		}
	}
	setting := func(key, envName string) (string, bool, bool) {
		if v, set, known := e.lookup(envName); set {
			return v, true, known
		}
		v, ok := settings[key]
		return v, ok, true
	}
	if v, set, known := setting("virtualenvs.create", "POETRY_VIRTUALENVS_CREATE"); set && (!known || !truthy(v)) {
		return "", false
	}
	if v, set, known := setting("virtualenvs.in-project", "POETRY_VIRTUALENVS_IN_PROJECT"); set && (!known || truthy(v)) {
		if known {
			return path.Join(proj, ".venv"), true
		}
		return "", false
	}
	if varSet(e, "VIRTUAL_ENV") {
		return "", false
	}
	if v, set, known := setting("virtualenvs.path", "POETRY_VIRTUALENVS_PATH"); set {
		if !known || strings.Contains(v, "{") {
			return "", false
		}
		return absIn(proj, v), true
	}
	dirs, ok := poetryCache.dirsOf(e, nil)
	if !ok || len(dirs) == 0 {
		return "", false
	}
	return path.Join(dirs[0], "virtualenvs"), true
}

// bundlePath is where bundle install puts gems: --path, BUNDLE_PATH,
// vendor/bundle for a deployment, else GEM_HOME.
func bundlePath(e runEnv, args []string, proj string) (string, bool) {
	if d, ok := flagValue(args, "--path"); ok {
		return absIn(proj, d), true
	}
	if v, set, known := e.lookup("BUNDLE_PATH"); set {
		return absIn(proj, v), known
	}
	if v, ok := e.get("BUNDLE_DEPLOYMENT"); hasFlag(args, "--deployment") || ok && truthy(v) {
		return path.Join(proj, "vendor/bundle"), true
	}
	if v, ok := e.get("GEM_HOME"); ok && path.IsAbs(v) {
		return path.Clean(v), true
	}
	return "", false
}

// goBin is where go install puts programs: GOBIN, else GOPATH/bin.
func goBin(e runEnv) (string, bool) {
	if v, set, known := e.lookup("GOBIN"); set {
		return path.Clean(v), known && path.IsAbs(v)
	}
	d, ok := first(fromEnv("GOPATH", "bin"), fromHome("go/bin"))(e)
	return d, ok
}

// goProgramName is the name go install gives the program of a package
// path: its last element, without @version and a /vN major suffix.
func goProgramName(pkg string) string {
	pkg, _, _ = strings.Cut(pkg, "@")
	pkg = strings.TrimSuffix(pkg, "/...")
	base := path.Base(pkg)
	if len(base) > 1 && base[0] == 'v' && isNumeric(base[1:]) {
		base = path.Base(path.Dir(pkg))
	}
	if base == "." || base == "/" || strings.ContainsAny(base, "$`.") {
		return ""
	}
	return base
}

// cargoInstallRoot is where cargo install puts bin/: --root,
// CARGO_INSTALL_ROOT, CARGO_HOME, ~/.cargo.
func cargoInstallRoot(e runEnv, args []string, dir string) (string, bool) {
	if d, ok := flagValue(args, "--root"); ok {
		return absIn(dir, d), true
	}
	d, ok := first(fromEnv("CARGO_INSTALL_ROOT", ""), fromEnv("CARGO_HOME", ""), fromHome(".cargo"))(e)
	return d, ok
}

// nodeUse: a command that runs the project's scripts or node in the
// project needs its node_modules.
func nodeUse(proj string) func(c *dockerfile.Command, e runEnv) bool {
	return func(c *dockerfile.Command, _ runEnv) bool {
		if !within(c.Dir, proj) {
			return false
		}
		argv := c.Argv()
		sub := firstOperand(argv[1:], nil)
		switch c.Name() {
		case "node", "npx", "bunx", "tsc", "nodejs":
			return true
		case "npm", "pnpm":
			return oneOf(sub, "run", "run-script", "test", "t", "start", "exec", "x", "rebuild", "rb", "build", "prune", "dlx")
		case "bun":
			return oneOf(sub, "run", "test", "build", "x") || strings.HasSuffix(sub, ".js") || strings.HasSuffix(sub, ".ts")
		case "yarn":
			return sub != "" && !oneOf(sub, "install", "add", "global", "cache", "config", "set", "policies", "plugin", "init",
				"upgrade", "up", "remove", "login", "logout", "version", "versions", "help", "dedupe", "import", "info", "npm")
		}
		return false
	}
}

// anyUse: any of the uses.
func anyUse(uses ...func(c *dockerfile.Command, e runEnv) bool) func(c *dockerfile.Command, e runEnv) bool {
	return func(c *dockerfile.Command, e runEnv) bool {
		for _, u := range uses {
			if u(c, e) {
				return true
			}
		}
		return false
	}
}

// projectUse: one of programs run in the project.
func projectUse(proj string, programs ...string) func(c *dockerfile.Command, e runEnv) bool {
	return func(c *dockerfile.Command, _ runEnv) bool {
		return within(c.Dir, proj) && oneOf(c.Name(), programs...) && !isInstallCommand(c)
	}
}

// venvUse: a program of the virtualenv, or Python with the virtualenv
// active (VIRTUAL_ENV or its bin on the PATH).
func venvUse(dir string) func(c *dockerfile.Command, e runEnv) bool {
	return func(c *dockerfile.Command, e runEnv) bool {
		if d, ok := venvOf(c, e); ok && d == dir {
			return !isInstallCommand(c)
		}
		name := c.Name()
		if !strings.HasPrefix(name, "python") && !oneOf(name, "gunicorn", "uvicorn", "celery", "flask", "fastapi", "pytest", "alembic", "django-admin",
			"hypercorn", "daphne", "streamlit", "granian", "jupyter", "ipython", "dbt", "mkdocs", "sphinx-build") {
			return false
		}
		p, _ := e.get("PATH")
		return slices.Contains(strings.Split(p, ":"), dir+"/bin") && !isInstallCommand(c)
	}
}

// rubyUse: Ruby programs that load the installed gems.
func rubyUse(c *dockerfile.Command, _ runEnv) bool {
	return oneOf(c.Name(), "ruby", "rails", "rake", "puma", "unicorn", "sidekiq") ||
		c.Name() == "bundle" && firstOperand(c.Argv()[1:], nil) == "exec"
}

// programUse: the program itself, run by name.
func programUse(bin string) func(c *dockerfile.Command, e runEnv) bool {
	return func(c *dockerfile.Command, _ runEnv) bool { return c.Name() == bin }
}

// isInstallCommand reports whether a command installs a project's
// dependencies (npm ci, uv sync, poetry install): such a command writes
// an installed tree rather than reading it.
func isInstallCommand(c *dockerfile.Command) bool {
	t, args := toolCommand(c)
	getenv := func(string) (string, bool) { return "", false }
	return t != nil && t.installs != nil && t.installs(t.withoutLeadingDirFlags(args), getenv)
}

// within reports whether dir is base or inside it.
func within(dir, base string) bool {
	return dir != "" && base != "" && (dir == base || base == "/" || strings.HasPrefix(dir, base+"/"))
}
