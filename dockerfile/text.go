package dockerfile

import (
	"bytes"
	"unicode"
)

// text is a piece of the Dockerfile as BuildKit sees it (line continuations
// joined, comment lines inside continuations dropped) together with the
// file offset of every byte, so that anything found in the text can be
// pointed at in the original file.
type text struct {
	s    string
	offs []int32 // offs[i] is the file offset of s[i]
}

// fileOffset maps an index into t.s (0 ≤ i ≤ len(t.s)) to a file offset.
// The end index maps to just past the last byte.
func (t *text) fileOffset(i int) int {
	switch {
	case len(t.offs) == 0:
		return 0
	case i < 0:
		return int(t.offs[0])
	case i >= len(t.offs):
		return int(t.offs[len(t.offs)-1]) + 1
	}
	return int(t.offs[i])
}

// slice returns the sub-text from i to j.
func (t *text) slice(i, j int) text {
	return text{s: t.s[i:j], offs: t.offs[i:j]}
}

type textBuilder struct {
	buf  []byte
	offs []int32
}

func (b *textBuilder) add(p []byte, off int) {
	b.buf = append(b.buf, p...)
	for i := range p {
		b.offs = append(b.offs, int32(off+i))
	}
}

func (b *textBuilder) text() text { return text{s: string(b.buf), offs: b.offs} }

// lines gives the byte range of each physical line of a file.
type lines struct {
	src    []byte
	starts []int // starts[n-1] is the offset of line n
}

func newLines(src []byte) *lines {
	starts := make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	for i, c := range src {
		if c == '\n' && i+1 < len(src) {
			starts = append(starts, i+1)
		}
	}
	return &lines{src: src, starts: starts}
}

func (l *lines) count() int { return len(l.starts) }

// line returns the content of line n (1-based) without its line ending,
// and the offset where it starts.
func (l *lines) line(n int) ([]byte, int) {
	if n < 1 || n > len(l.starts) {
		return nil, len(l.src)
	}
	start := l.starts[n-1]
	end := len(l.src)
	if n < len(l.starts) {
		end = l.starts[n]
	}
	return bytes.TrimRight(l.src[start:end], "\r\n"), start
}

// instructionText joins the physical lines of an instruction starting at
// line start the way BuildKit's parser does: the first line loses its
// leading white space; a line ending in the escape character continues on
// the next one, skipping comment lines and empty lines; the escape
// character and the white space after it are removed. It returns the joined
// text and the last line it used; any lines after that up to the
// instruction's end are heredoc bodies.
func instructionText(l *lines, start, end int, escape byte) (text, int) {
	var b textBuilder
	n := start
	for ; n <= end; n++ {
		raw, off := l.line(n)
		if n == start {
			trimmed := bytes.TrimLeftFunc(raw, unicode.IsSpace)
			off += len(raw) - len(trimmed)
			raw = trimmed
		} else if isCommentLine(raw) || len(bytes.TrimLeftFunc(raw, unicode.IsSpace)) == 0 {
			continue
		}
		body, cont := trimContinuation(raw, escape)
		b.add(body, off)
		if !cont {
			break
		}
	}
	return b.text(), min(n, end)
}

func isCommentLine(raw []byte) bool {
	t := bytes.TrimLeftFunc(raw, unicode.IsSpace)
	return len(t) > 0 && t[0] == '#'
}

// trimContinuation reports whether line ends with the escape character
// (optionally followed by blanks) and returns the line without it. A
// doubled escape character at the end is not a continuation.
func trimContinuation(line []byte, escape byte) ([]byte, bool) {
	t := bytes.TrimRight(line, " \t")
	if len(t) == 0 || t[len(t)-1] != escape {
		return line, false
	}
	if len(t) >= 2 && t[len(t)-2] == escape {
		return line, false
	}
	return t[:len(t)-1], true
}
