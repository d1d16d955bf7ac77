package dockerfile

import (
	"encoding/json"
	"go/token"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/internal/testfiles"
)

// FuzzRunCommands checks the extraction of simple commands from a RUN: the
// script is put in a Dockerfile in one of several forms (shell form with
// continuation lines, a heredoc, `sh -c '...'`, `bash -c "..."`, exec
// form, after `# escape=`), and no script may make the walker panic, give
// a command without a program, a position outside the file or backwards,
// or a working directory that is not absolute.
//
// The seeds are the RUN instructions of the fixtures' Dockerfiles, each
// in every form.
func FuzzRunCommands(f *testing.F) {
	seen := map[string]bool{}
	for _, src := range testfiles.Dockerfiles() {
		file := Parse("Dockerfile", src, nil)
		for _, in := range file.Instructions {
			if in.Keyword != "RUN" {
				continue
			}
			start, end := file.Tok.Offset(in.Pos)+len("RUN"), file.Tok.Offset(in.End)
			script := strings.TrimSpace(string(src[start:end]))
			if seen[script] {
				continue
			}
			seen[script] = true
			for form := range runForms {
				f.Add(script, uint8(form))
			}
		}
	}
	f.Fuzz(func(t *testing.T, script string, form uint8) {
		src := []byte(runForms[int(form)%len(runForms)](script))
		file := Parse("Dockerfile", src, nil)
		size := len(src)
		for _, in := range file.Instructions {
			if in.Run == nil {
				continue
			}
			for _, c := range in.Run.Commands {
				if len(c.Args) == 0 {
					t.Fatalf("a command without a program in %q", src)
				}
				checkOrder(t, file, "command", c.Pos, c.End, size)
				for _, a := range c.Args {
					checkOrder(t, file, "argument "+a.Value, a.Pos, a.End, size)
				}
				for _, r := range c.Redirs {
					checkOrder(t, file, "redirection "+r.Op, r.Target.Pos, r.Target.End, size)
				}
				if c.Dir != "" && !strings.HasPrefix(c.Dir, "/") {
					t.Fatalf("working directory %q is not absolute", c.Dir)
				}
				_ = c.Argv()
				_ = c.Name()
				_ = c.Files()
			}
		}
	})
}

// runForms put a script in a Dockerfile in different ways.
var runForms = []func(script string) string{
	func(s string) string {
		return "FROM a\nWORKDIR /w\nRUN " + strings.ReplaceAll(s, "\n", " \\\n") + "\n"
	},
	func(s string) string { return "FROM a\nRUN <<EOF\n" + s + "\nEOF\n" },
	func(s string) string {
		return "FROM a\nRUN sh -c '" + strings.ReplaceAll(strings.ReplaceAll(s, "'", `'\''`), "\n", " \\\n") + "'\n"
	},
	func(s string) string {
		r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`", "\n", " \\\n")
		return "FROM a\nUSER app\nRUN bash -ec \"" + r.Replace(s) + "\"\n"
	},
	func(s string) string {
		q, _ := json.Marshal(s)
		return "FROM a\nRUN [\"/bin/sh\", \"-c\", " + string(q) + "]\n"
	},
	func(s string) string {
		return "# escape=`\nFROM a\nRUN " + strings.ReplaceAll(s, "\n", " `\n") + "\n"
	},
	func(s string) string {
		return "FROM a\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN --mount=type=cache,target=/root/.cache " + s + "\n"
	},
}

// checkOrder fails when a range is outside the file or ends before it
// starts.
func checkOrder(t *testing.T, file *File, what string, pos, end token.Pos, size int) {
	t.Helper()
	if !pos.IsValid() || !end.IsValid() {
		t.Fatalf("%s: no position", what)
	}
	p, e := file.Tok.Offset(pos), file.Tok.Offset(end)
	if p < 0 || e > size || e < p {
		t.Fatalf("%s: range %d-%d outside a %d-byte file", what, p, e, size)
	}
}
