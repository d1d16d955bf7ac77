package rules

import (
	"path"
	"slices"
	"strings"
)

// Cache is a directory where a tool keeps what it downloads or builds
// between runs: the directory a RUN --mount=type=cache should cover.
type Cache struct {
	What string // as shown in messages: "npm cache", "Go module cache"
	// Store is set when later steps read the dependencies from the cache
	// itself rather than from a copy in the image (Go modules, Maven,
	// Gradle, Cargo, NuGet, Composer, sbt), so a step that runs the tool
	// again needs the same mount.
	Store bool
	// Locked is set when the tool needs exclusive use of the directory
	// (apt, dnf): its mounts want sharing=locked.
	Locked bool
	// Flags name the directory on the command line (--cache-dir DIR).
	Flags []string
	// Marks are path tails that name this cache in a mount target
	// (".npm", "pkg/mod"): a mount whose target has one is meant for it,
	// even when it is not where the tool looks.
	Marks []string
	// dirs are the directories the cache may be, in the command's
	// environment; the first is where the tool writes by default, the
	// others are also right (a version or image that uses another
	// place). A mount on one of them or on a directory above covers the
	// cache. ok is false when the place cannot be known.
	dirs func(e runEnv) (dirs []string, ok bool)
	// usedBy reports whether a command of the tool (the arguments after
	// the program) uses this cache; nil means every command that uses the
	// tool's caches does.
	usedBy func(args []string, getenv func(string) (string, bool)) bool
	// cleanedBy reports whether a cleanup command of the tool (one its
	// cleans accepts, arguments after the program) wipes this cache; nil
	// means every cleanup of the tool does. apt-get clean empties the
	// package cache but not the lists; go clean -modcache the module
	// cache but not the build cache.
	cleanedBy func(args []string) bool
}

// dirRule is one way a tool finds its cache directory: applies is false
// when the rule does not apply (its variable is not set), known false
// when it applies but its value is not known here.
type dirRule func(e runEnv) (dir string, applies, known bool)

// fromEnv is the directory a variable names, joined with sub.
func fromEnv(name, sub string) dirRule {
	return func(e runEnv) (string, bool, bool) {
		v, set, known := e.lookup(name)
		if !set || (known && v == "") {
			return "", false, false
		}
		// GOPATH and friends may list several directories: the first counts.
		v, _, _ = strings.Cut(v, ":")
		return path.Join(v, sub), true, known && path.IsAbs(v)
	}
}

// fromHome is a directory under HOME.
func fromHome(sub string) dirRule {
	return func(e runEnv) (string, bool, bool) {
		h, ok := e.home()
		return path.Join(h, sub), true, ok
	}
}

// fixed is a directory that does not move.
func fixed(dir string) dirRule {
	return func(runEnv) (string, bool, bool) { return dir, true, true }
}

// rootOr is dir for root and the next rule for anyone else (Yarn 1 keeps
// root's cache outside /root).
func rootOr(dir string, other dirRule) dirRule {
	return func(e runEnv) (string, bool, bool) {
		if e.isRoot() {
			if _, set, _ := e.lookup("HOME"); !set {
				return dir, true, true
			}
		}
		return other(e)
	}
}

// first resolves the first rule that applies.
func first(rules ...dirRule) func(e runEnv) (string, bool) {
	return func(e runEnv) (string, bool) {
		for _, r := range rules {
			if d, applies, known := r(e); applies {
				return d, known
			}
		}
		return "", false
	}
}

// oneDir is a cache in one place, found by the first rule that applies.
func oneDir(rules ...dirRule) func(e runEnv) ([]string, bool) {
	f := first(rules...)
	return func(e runEnv) ([]string, bool) {
		d, ok := f(e)
		return []string{d}, ok
	}
}

// anyDir is a cache that may be in any of several places (depending on
// the tool's version or configuration); each alternative is resolved on
// its own and those that cannot be known are left out.
func anyDir(alternatives ...func(e runEnv) (string, bool)) func(e runEnv) ([]string, bool) {
	return func(e runEnv) ([]string, bool) {
		var dirs []string
		for _, alt := range alternatives {
			if d, ok := alt(e); ok && !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
			}
		}
		return dirs, len(dirs) > 0
	}
}

// inProject is a directory inside the project, the directory the command
// runs in.
func inProject(sub string) func(e runEnv) (string, bool) {
	return func(e runEnv) (string, bool) {
		if e.c == nil || e.c.Dir == "" {
			return "", false
		}
		return path.Join(e.c.Dir, sub), true
	}
}

// xdgCache is the XDG cache rule followed by HOME/.cache/sub.
func xdgCache(override, sub string) func(e runEnv) (string, bool) {
	return first(fromEnv(override, ""), fromEnv("XDG_CACHE_HOME", sub), fromHome(".cache/"+sub))
}

// dirsOf resolves a cache's directories for a command: a flag on the
// command line wins, resolved against the command's directory.
func (c *Cache) dirsOf(e runEnv, args []string) ([]string, bool) {
	for i, a := range args {
		for _, f := range c.Flags {
			var v string
			switch {
			case a == f && i+1 < len(args):
				v = args[i+1]
			case strings.HasPrefix(a, f+"="):
				v = a[len(f)+1:]
			case len(f) == 2 && strings.HasPrefix(a, f) && len(a) > 2 && f[1] != '-':
				v = a[2:] // -gDIR
			default:
				continue
			}
			if strings.ContainsAny(v, "$`") || v == "" {
				return nil, false
			}
			if !path.IsAbs(v) {
				if e.c == nil || e.c.Dir == "" {
					return nil, false
				}
				v = path.Join(e.c.Dir, v)
			}
			return []string{path.Clean(v)}, true
		}
	}
	return c.dirs(e)
}

// meantFor reports whether a mount target names this cache: one of its
// marks is the target's tail or a run of whole path elements inside it.
func (c *Cache) meantFor(target string) bool {
	if target == "" {
		return false
	}
	t := "/" + strings.Trim(target, "/") + "/"
	for _, m := range c.Marks {
		if strings.Contains(t, "/"+m+"/") {
			return true
		}
	}
	return false
}

// truthy reports whether an environment value switches a setting on.
func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
