package rules

import (
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/cachelint/cachelint/dockerfile"
)

// What commands and COPY do to files: used to see whether an earlier step
// changed a configuration file (apt's docker-clean, dnf.conf keepcache,
// the /etc/apk/cache link).

// fileOp is a change a command makes to a file or directory.
type fileOp struct {
	Path string // absolute and clean
	Kind fileOpKind
}

type fileOpKind int

const (
	opWrite  fileOpKind = iota // created or overwritten (>, cp, tee, ln -s target)
	opAppend                   // appended to (>>, tee -a)
	opEdit                     // edited in place (sed -i)
	opRemove                   // deleted, or moved away (rm, mv's sources)
	opMkdir                    // created as a directory
)

// fileOps lists what a command does to files whose names are known: the
// targets of its redirections, and the operands of rm, mv, cp, ln, tee,
// sed -i, truncate and mkdir. Relative names are resolved against the
// command's directory; names that are not known are left out. rm of a
// glob counts as removing the directory the glob is in.
func fileOps(c *dockerfile.Command, e runEnv) []fileOp {
	var ops []fileOp
	abs := func(a dockerfile.Arg) (string, bool) {
		v := a.Value
		if !a.Lit || v == "" || strings.ContainsAny(v, "$`") {
			return "", false
		}
		if !path.IsAbs(v) {
			if c.Dir == "" {
				return "", false
			}
			v = path.Join(c.Dir, v)
		}
		return path.Clean(v), true
	}
	for _, r := range c.Redirs {
		if _, appends, ok := r.Writes(); ok {
			if p, ok := abs(r.Target); ok {
				kind := opWrite
				if appends {
					kind = opAppend
				}
				ops = append(ops, fileOp{p, kind})
			}
		}
	}
	if len(c.Args) == 0 {
		return ops
	}
	var operands []dockerfile.Arg
	var flags []string // the flags, without their values
	valued := fileOpValueFlags[c.Name()]
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		if a.Lit && strings.HasPrefix(a.Value, "-") && len(a.Value) > 1 {
			flags = append(flags, a.Value)
			if valued[a.Value] {
				i++
			}
			continue
		}
		operands = append(operands, a)
	}
	add := func(kind fileOpKind, args ...dockerfile.Arg) {
		for _, a := range args {
			if p, ok := abs(a); ok {
				ops = append(ops, fileOp{p, kind})
			}
		}
	}
	switch c.Name() {
	case "rm", "unlink":
		for _, p := range removedPaths(c, e) {
			ops = append(ops, fileOp{p, opRemove})
		}
	case "mv", "cp", "ln", "install":
		if len(operands) == 0 {
			break
		}
		srcs, dst := operands[:len(operands)-1], operands[len(operands)-1]
		if c.Name() == "ln" && len(operands) == 1 { // ln -s TARGET: a link in the current directory
			add(opWrite, dockerfile.Arg{Value: path.Base(operands[0].Value), Lit: operands[0].Lit})
			break
		}
		if c.Name() == "mv" {
			add(opRemove, srcs...)
		}
		add(opWrite, dst)
		// into a directory: DST/base(SRC)
		for _, s := range srcs {
			if s.Lit && dst.Lit {
				add(opWrite, dockerfile.Arg{Value: path.Join(dst.Value, path.Base(s.Value)), Lit: true})
			}
		}
	case "tee":
		kind := opWrite
		if slices.Contains(flags, "-a") || slices.Contains(flags, "--append") {
			kind = opAppend
		}
		add(kind, operands...)
	case "sed":
		inPlace := false
		script := true // the first operand is the script unless -e or -f gives it
		for _, f := range flags {
			long := strings.HasPrefix(f, "--")
			switch {
			case long && (f == "--in-place" || strings.HasPrefix(f, "--in-place=")):
				inPlace = true
			case !long && strings.Contains(f[1:], "i"): // -i, -i.bak, -ri, -Ei
				inPlace = true
			}
			if f == "-e" || f == "-f" || f == "--expression" || f == "--file" ||
				strings.HasPrefix(f, "--expression=") || strings.HasPrefix(f, "--file=") {
				script = false
			}
		}
		if !inPlace {
			break
		}
		if script && len(operands) > 0 {
			operands = operands[1:]
		}
		add(opEdit, operands...)
	case "truncate":
		add(opWrite, operands...)
	case "mkdir":
		add(opMkdir, operands...)
	}
	return ops
}

// fileOpValueFlags are flags of the commands fileOps reads that take a
// value as the next argument.
var fileOpValueFlags = map[string]map[string]bool{
	"sed":      set("-e", "--expression", "-f", "--file", "-l", "--line-length"),
	"truncate": set("-s", "--size", "-r", "--reference"),
	"mkdir":    set("-m", "--mode"),
	"cp":       set("-t", "--target-directory", "-S", "--suffix"),
	"mv":       set("-t", "--target-directory", "-S", "--suffix"),
	"ln":       set("-t", "--target-directory", "-S", "--suffix"),
	"install":  set("-m", "--mode", "-o", "--owner", "-g", "--group", "-t", "--target-directory", "-S", "--suffix"),
}

// copyWrites are the files a COPY or ADD writes, as far as they can be
// known from the instruction: DEST for one source, DEST/base(SRC) when
// DEST is a directory. dirs are the destinations of sources that may be
// directories or globs: what they bring in is not known.
func copyWrites(in *dockerfile.Instruction) (files, dirs []string, heredocs map[string]string) {
	if in.Copy == nil {
		return nil, nil, nil
	}
	dest := unquote(in.Copy.Dest.Text)
	if strings.ContainsAny(dest, "$") || dest == "" {
		return nil, nil, nil
	}
	toDir := strings.HasSuffix(dest, "/")
	if !path.IsAbs(dest) {
		if in.Workdir == "" {
			return nil, nil, nil
		}
		dest = path.Join(in.Workdir, dest)
	}
	dest = path.Clean(dest)
	var srcs []string
	for _, s := range in.Copy.Sources {
		srcs = append(srcs, unquote(s.Text))
	}
	heredocs = map[string]string{}
	var contents []instructions.SourceContent
	switch c := in.Command.(type) {
	case *instructions.CopyCommand:
		contents = c.SourceContents
	case *instructions.AddCommand:
		contents = c.SourceContents
	}
	for _, sc := range contents {
		srcs = append(srcs, sc.Path)
	}
	many := len(srcs) > 1
	for _, s := range srcs {
		var written []string
		if toDir || many {
			written = []string{path.Join(dest, path.Base(s))}
		} else {
			written = []string{dest, path.Join(dest, path.Base(s))}
		}
		files = append(files, written...)
		for _, sc := range contents {
			if sc.Path == s {
				for _, w := range written {
					heredocs[w] = sc.Data
				}
			}
		}
		if !isHeredocSource(s, contents) && (strings.ContainsAny(s, "*?[") || looksLikeDir(s) || isWholeContext(s)) {
			dirs = append(dirs, dest)
		}
	}
	return files, dirs, heredocs
}

func isHeredocSource(s string, contents []instructions.SourceContent) bool {
	for _, sc := range contents {
		if sc.Path == s {
			return true
		}
	}
	return false
}

// under reports whether p is dir or inside it.
func under(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// settingValue finds "name" in a text of configuration or a command-line
// option (Keep-Downloaded-Packages "true"; keepcache=1; keepcache True)
// and returns the value after it, and whether it was found. The last
// occurrence counts (sed 's/keepcache=0/keepcache=1/').
func settingValue(text, name string) (string, bool) {
	lower, lname := strings.ToLower(text), strings.ToLower(name)
	i := strings.LastIndex(lower, lname)
	if i < 0 {
		return "", false
	}
	rest := strings.TrimLeft(text[i+len(name):], " \t\"'=:")
	end := strings.IndexFunc(rest, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if end < 0 {
		end = len(rest)
	}
	return rest[:end], true
}

// texts are the words and heredoc bodies of a command: where the content
// it writes to a file is found.
func texts(c *dockerfile.Command) []string {
	var out []string
	for _, a := range c.Args {
		if a.Lit {
			out = append(out, a.Value)
		}
	}
	for _, r := range c.Redirs {
		if r.Body != "" {
			out = append(out, r.Body)
		}
	}
	return out
}

// setsTrue reports whether one of the texts switches the named setting on.
func setsTrue(ts []string, name string) bool {
	found := false
	for _, t := range ts {
		if v, ok := settingValue(t, name); ok {
			found = truthy(v)
		}
	}
	return found
}
