package rules

import (
	"github.com/cachelint/cachelint/dockerfile"
)

// trims lists, by tool, the cleanup commands that only trim a cache
// (drop what is stale or unused) rather than empty it: they keep what the
// next build needs, so they do not defeat a cache mount, and they do not
// make a layer much smaller either. The arguments are those after the
// program.
var trims = map[string]func(args []string) bool{
	// apt-get autoclean drops only packages that can no longer be
	// downloaded.
	"apt": subcommandIn("autoclean", "auto-clean"),
	// apk cache clean drops package files no longer needed; purge empties.
	"apk": func(a []string) bool {
		sub, rest := subcommand(a)
		return sub == "cache" && firstOperand(rest, nil) == "clean"
	},
	// pnpm store prune drops packages no project references.
	"pnpm": func(a []string) bool {
		sub, rest := subcommand(a)
		return sub == "store" && firstOperand(rest, nil) == "prune"
	},
	// uv cache prune drops unused entries (uv's documentation advises
	// prune --ci for caches kept between CI runs).
	"uv": func(a []string) bool {
		sub, rest := subcommand(a)
		return sub == "cache" && firstOperand(rest, nil) == "prune"
	},
	// pip cache remove PATTERN drops matching wheels only.
	"pip": func(a []string) bool {
		sub, rest := subcommand(a)
		return sub == "cache" && firstOperand(rest, nil) == "remove"
	},
}

// emptiesCache returns the first command of a RUN that empties the
// need's cache in one of dirs: the tool's own cleanup (apt-get clean, npm
// cache clean, go clean -modcache; not the commands that only trim), or
// an rm of a directory in dirs, of something inside it or of a directory
// above it. It returns nil when no command does.
func emptiesCache(in *dockerfile.Instruction, n cacheNeed, dirs []string) *dockerfile.Command {
	for _, cl := range cleanups(in) {
		if cl.Cache != n.Cache {
			continue
		}
		if trim := trims[cl.Tool.Name]; trim != nil && trim(cl.Args) {
			continue
		}
		return cl.Cmd
	}
	for _, c := range in.Run.Commands {
		if c.Name() != "rm" {
			continue
		}
		for _, d := range dirs {
			if rmDeletes(c, n.Env, d) {
				return c
			}
		}
	}
	return nil
}

// removesDockerClean reports whether a RUN before in (in its stage chain)
// deletes /etc/apt/apt.conf.d/docker-clean, the hook with which Debian
// and Ubuntu images delete downloaded packages after each apt run.
func removesDockerClean(in *dockerfile.Instruction) bool {
	for st := in.Stage; st != nil; st = st.BaseStage {
		if r := dockerCleanRemover(st); r != nil && (st != in.Stage || r.Pos < in.Pos) {
			return true
		}
	}
	return false
}

type dockerCleanKey struct{}

// dockerCleanRemover is the first RUN of a stage's own instructions that
// deletes docker-clean, nil when none does; worked out once a stage.
func dockerCleanRemover(s *dockerfile.Stage) *dockerfile.Instruction {
	if v, ok := s.Memo.Load(dockerCleanKey{}); ok {
		return v.(*dockerfile.Instruction)
	}
	var found *dockerfile.Instruction
	for _, prev := range s.Instructions {
		if prev.Run == nil {
			continue
		}
		for _, c := range prev.Run.Commands {
			if c.Name() != "rm" {
				continue
			}
			for _, p := range removedPaths(c, newRunEnv(prev, c)) {
				if p == "/etc/apt/apt.conf.d/docker-clean" || p == "/etc/apt/apt.conf.d" {
					found = prev
				}
			}
			if found != nil {
				break
			}
		}
		if found != nil {
			break
		}
	}
	v, _ := s.Memo.LoadOrStore(dockerCleanKey{}, found)
	return v.(*dockerfile.Instruction)
}
