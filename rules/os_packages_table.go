package rules

import (
	"slices"
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
)

// What cachelint knows about the commands of the operating system's
// package managers (the System rows of tools): which flags take a value,
// which subcommands refresh the index, download packages or upgrade the
// whole system. Used by apt-cache-mount-defeated, apt-update-alone,
// package-upgrade and os-package-cache-not-retained.

func set(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, it := range items {
		m[it] = true
	}
	return m
}

// pkgCmd is one command of an operating system package manager.
type pkgCmd struct {
	Tool *Tool
	Cmd  *dockerfile.Command
	Prog string   // the program as run: apt-get, apt, yum, microdnf ...
	Args []string // the arguments after the program
	Sub  string   // the subcommand ("" when none)
	Rest []string // the arguments after the subcommand
}

// pkgCommands returns the package manager commands of a RUN, in order.
func pkgCommands(in *dockerfile.Instruction) []pkgCmd {
	if in.Run == nil {
		return nil
	}
	var out []pkgCmd
	for _, c := range in.Run.Commands {
		t, args := toolCommand(c)
		if t == nil || !t.System {
			continue
		}
		sub, rest := sysSubcommand(t, args)
		out = append(out, pkgCmd{Tool: t, Cmd: c, Prog: c.Name(), Args: args, Sub: sub, Rest: rest})
	}
	return out
}

// sysSubcommand is the first operand, the values of flags skipped.
func sysSubcommand(t *Tool, args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return a, args[i+1:]
		}
		if slices.Contains(t.ValueFlags, a) {
			i++
		}
	}
	return "", nil
}

// sysOperands are the arguments that are neither flags nor their values.
func sysOperands(t *Tool, args []string) []string {
	var ops []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(ops, args[i+1:]...)
		case !strings.HasPrefix(a, "-"):
			ops = append(ops, a)
		case slices.Contains(t.ValueFlags, a):
			i++
		}
	}
	return ops
}

// groupSub is the second word of dnf's two-word commands (group install,
// module install), "" otherwise.
func (p pkgCmd) groupSub() string {
	if p.Tool.Name == "dnf" && oneOf(p.Sub, "group", "groups", "module") {
		sub, _ := sysSubcommand(p.Tool, p.Rest)
		return sub
	}
	return ""
}

// namedPackages returns the packages that an install of named packages
// names (apt-get install, apk add, dnf install or group install, zypper
// in); ok is false for any other command.
func (p pkgCmd) namedPackages() (pkgs []string, ok bool) {
	ops := sysOperands(p.Tool, p.Args)
	if len(ops) == 0 {
		return nil, false
	}
	switch {
	case p.groupSub() == "install":
		return ops[2:], true
	case p.Tool.Name == "apt" && oneOf(ops[0], "install", "reinstall"),
		p.Tool.Name == "apk" && ops[0] == "add",
		p.Tool.Name == "dnf" && oneOf(ops[0], "install", "in", "groupinstall", "localinstall", "reinstall"),
		p.Tool.Name == "zypper" && oneOf(ops[0], "install", "in"):
		return ops[1:], true
	}
	return nil, false
}

// refreshes reports whether the command fetches the package index (apt-get
// update, apk update, dnf makecache) without installing anything.
func (p pkgCmd) refreshes() bool {
	switch p.Tool.Name {
	case "apt":
		return p.Sub == "update"
	case "apk":
		return p.Sub == "update"
	case "dnf":
		return oneOf(p.Sub, "makecache", "check-update", "check-upgrade")
	case "zypper":
		return oneOf(p.Sub, "refresh", "ref")
	}
	return false
}

// downloads reports whether the command downloads and installs packages
// (an install, an upgrade, a build-dep), named or not.
func (p pkgCmd) downloads() bool {
	switch p.Tool.Name {
	case "apt":
		return oneOf(p.Sub, "install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade", "safe-upgrade", "build-dep", "satisfy")
	case "apk":
		return oneOf(p.Sub, "add", "upgrade", "fix")
	case "dnf":
		if g := p.groupSub(); g != "" {
			return oneOf(g, "install", "update", "upgrade")
		}
		return oneOf(p.Sub, "install", "in", "reinstall", "upgrade", "update", "up", "upgrade-minimal", "update-minimal",
			"groupinstall", "groupupdate", "localinstall", "distro-sync", "distrosync", "dsync", "downgrade", "builddep", "swap")
	case "zypper":
		return oneOf(p.Sub, "install", "in", "update", "up", "dist-upgrade", "dup", "patch", "source-install", "si")
	}
	return false
}

// upgradesAll reports whether the command upgrades every installed package
// rather than named ones (apt-get upgrade, apk upgrade, dnf update).
func (p pkgCmd) upgradesAll() bool {
	switch p.Tool.Name {
	case "apt":
		// apt-get upgrade pkg still upgrades everything; it also installs pkg.
		return oneOf(p.Sub, "upgrade", "dist-upgrade", "full-upgrade", "safe-upgrade")
	case "apk":
		return p.Sub == "upgrade" && len(sysOperands(p.Tool, p.Rest)) == 0
	case "dnf":
		if g := p.groupSub(); g != "" {
			return false // group upgrade names its groups
		}
		return oneOf(p.Sub, "upgrade", "update", "up", "upgrade-minimal", "update-minimal", "distro-sync", "distrosync", "dsync") &&
			len(sysOperands(p.Tool, p.Rest)) == 0
	case "zypper":
		switch p.Sub {
		case "dist-upgrade", "dup", "patch":
			return true
		case "update", "up":
			return len(sysOperands(p.Tool, p.Rest)) == 0
		}
	}
	return false
}

// pkgText is a command as written, for messages; its argv when the
// written text cannot be located (inside a double-quoted sh -c script with
// escapes, positions are approximate).
func pkgText(f *dockerfile.File, in *dockerfile.Instruction, c *dockerfile.Command) string {
	s := commandText(f, in, c)
	if !strings.HasPrefix(s, c.Args[0].Value) {
		s = strings.Join(c.Argv(), " ")
		if len(s) > 60 {
			s = s[:57] + "..."
		}
	}
	return s
}
