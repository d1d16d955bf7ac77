package rules

import (
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// Edits inside a RUN --mount flag: the flag's text is a comma-separated
// list of key=value fields after "--mount=". An edit is offered only when
// the part it touches is plain text (no quotes, variables or escapes), so
// that the result means what the edit says.

// flagText returns the mount flag's text as it is in the file and its file
// offset, or false when the flag is not one contiguous piece of the file.
func flagText(f *dockerfile.File, m *dockerfile.Mount) (string, int, bool) {
	if m.Flag.Pos == token.NoPos || m.Flag.End <= m.Flag.Pos {
		return "", 0, false
	}
	start, end := f.Tok.Offset(m.Flag.Pos), f.Tok.Offset(m.Flag.End)
	if end > len(f.Src) || string(f.Src[start:end]) != m.Flag.Text {
		return "", 0, false
	}
	return m.Flag.Text, start, true
}

// mountFields splits a mount flag's text into its fields, as offsets into
// the text. Commas inside quotes do not split.
func mountFields(text string) [][2]int {
	i := strings.IndexByte(text, '=')
	if i < 0 {
		return nil
	}
	var fields [][2]int
	start := i + 1
	var quote byte
	for j := start; j <= len(text); j++ {
		if j == len(text) || quote == 0 && text[j] == ',' {
			fields = append(fields, [2]int{start, j})
			start = j + 1
			continue
		}
		switch c := text[j]; {
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		}
	}
	return fields
}

// plainValue reports whether a piece of flag text can be edited safely.
func plainValue(s string, escape byte) bool {
	return !strings.ContainsAny(s, "\"'$`") && strings.IndexByte(s, escape) < 0
}

// mountFieldValue finds the value of the first field named by one of keys
// and returns its offsets in the text; ok is false when there is none.
func mountFieldValue(text string, keys ...string) (start, end int, ok bool) {
	for _, fd := range mountFields(text) {
		key, _, found := strings.Cut(text[fd[0]:fd[1]], "=")
		if !found {
			continue
		}
		for _, k := range keys {
			if strings.EqualFold(key, k) {
				return fd[0] + len(key) + 1, fd[1], true
			}
		}
	}
	return 0, 0, false
}

// replaceMountTarget is the edit that sets a mount's target (target=,
// dst= or destination=) to dir.
func replaceMountTarget(f *dockerfile.File, m *dockerfile.Mount, dir string) (analysis.TextEdit, bool) {
	text, off, ok := flagText(f, m)
	if !ok {
		return analysis.TextEdit{}, false
	}
	start, end, ok := mountFieldValue(text, "target", "dst", "destination")
	if !ok || start == end || !plainValue(text[start:end], f.Escape) {
		return analysis.TextEdit{}, false
	}
	return analysis.TextEdit{Pos: f.Pos(off + start), End: f.Pos(off + end), NewText: []byte(dir)}, true
}

// appendMountOptions is the edit that adds options (",uid=1000,gid=1000")
// at the end of a mount flag.
func appendMountOptions(f *dockerfile.File, m *dockerfile.Mount, opts string) (analysis.TextEdit, bool) {
	text, off, ok := flagText(f, m)
	if !ok || strings.ContainsAny(text[len(text)-1:], "\"'") {
		return analysis.TextEdit{}, false
	}
	p := f.Pos(off + len(text))
	return analysis.TextEdit{Pos: p, End: p, NewText: []byte(opts)}, true
}

// ownerOptions are the uid and gid options that give a cache mount to the
// user a command runs as, "" when the uid is not known.
func ownerOptions(e runEnv) string {
	uid := e.uid()
	if uid == "" {
		return ""
	}
	opts := ",uid=" + uid
	if gid := e.gid(); gid != "" {
		opts += ",gid=" + gid
	}
	return opts
}

// mountPos is where a finding about a mount goes: its flag, or the first
// line of the RUN when the flag's position is not known.
func mountPos(f *dockerfile.File, in *dockerfile.Instruction, m *dockerfile.Mount) (token.Pos, token.Pos) {
	if m.Flag.Pos.IsValid() {
		return m.Flag.Pos, m.Flag.End
	}
	return in.Pos, endOfFirstLine(f, in)
}
