package dockerfile

import (
	"go/token"
)

// Segment maps a part of a script to the file it was taken from: the
// script's bytes from Index on come from the file at Offset on, up to the
// next segment's Index. A script cut out of a YAML block or joined from
// Makefile lines has one segment a line.
type Segment struct{ Index, Offset int }

// ScriptCommands returns the simple commands of a shell script that is a
// piece of some file other than a Dockerfile (a workflow's run: step, a
// Makefile recipe, a shell script), seen through shell syntax as in a RUN.
// Positions are in tok. env holds the variables known before the script
// starts; a variable not in it is unknown. A script that does not parse
// yields no commands.
func ScriptCommands(tok *token.File, script string, segs []Segment, env map[string]string) []*Command {
	if len(segs) == 0 {
		segs = []Segment{{0, 0}}
	}
	t := text{s: script, segs: make([]segment, len(segs))}
	for i, s := range segs {
		t.segs[i] = segment{s.Index, s.Offset}
	}
	b := &builder{f: &File{Tok: tok}}
	var cmds []*Command
	w := &walker{b: b, in: &Instruction{}, cmds: &cmds}
	st := &shellState{}
	for k, v := range env {
		st.setenv(k, v)
	}
	w.script(t, st)
	if b.sh != nil {
		shParsers.Put(b.sh)
	}
	return cmds
}
