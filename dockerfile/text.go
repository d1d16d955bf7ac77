package dockerfile

import (
	"bytes"
	"sort"
	"unicode"
)

// text is a piece of the Dockerfile as BuildKit sees it (line continuations
// joined, comment lines inside continuations dropped) together with where
// each byte came from in the file, so that anything found in the text can
// be pointed at in the original file. The mapping is kept as segments: a
// run of bytes copied from one place of the file is one segment.
type text struct {
	s    string
	segs []segment // ordered by idx; segs[0].idx is 0 when s is not empty
}

// segment says that s[idx:] maps to the file from offset off on, up to the
// next segment.
type segment struct{ idx, off int }

// contiguousText maps s to the file bytes from offset off on.
func contiguousText(s string, off int) text {
	return text{s: s, segs: []segment{{0, off}}}
}

// seg returns the index of the segment holding s[i].
func (t *text) seg(i int) int {
	return sort.Search(len(t.segs), func(k int) bool { return t.segs[k].idx > i }) - 1
}

// fileOffset maps an index into t.s (0 ≤ i ≤ len(t.s)) to a file offset.
// The end index maps to just past the last byte.
func (t *text) fileOffset(i int) int {
	switch {
	case len(t.segs) == 0:
		return 0
	case i <= 0:
		return t.segs[0].off
	case i >= len(t.s):
		if len(t.s) == 0 {
			return t.segs[0].off
		}
		return t.fileOffset(len(t.s)-1) + 1
	}
	sg := t.segs[t.seg(i)]
	return sg.off + i - sg.idx
}

// indexOfFileOffset finds the index in t whose file offset is off, or the
// first index past it.
func (t *text) indexOfFileOffset(off int) int {
	for k, sg := range t.segs {
		end := len(t.s)
		if k+1 < len(t.segs) {
			end = t.segs[k+1].idx
		}
		if off < sg.off {
			return sg.idx
		}
		if off < sg.off+end-sg.idx {
			return sg.idx + off - sg.off
		}
	}
	return len(t.s)
}

// slice returns the sub-text from i to j.
func (t *text) slice(i, j int) text {
	if i >= j {
		return contiguousText("", t.fileOffset(i))
	}
	segs := []segment{{0, t.fileOffset(i)}}
	for _, sg := range t.segs[t.seg(i)+1:] {
		if sg.idx >= j {
			break
		}
		segs = append(segs, segment{sg.idx - i, sg.off})
	}
	return text{s: t.s[i:j], segs: segs}
}

type textBuilder struct {
	buf  []byte
	segs []segment
}

// add appends p, which starts at file offset off.
func (b *textBuilder) add(p []byte, off int) {
	if len(p) == 0 {
		return
	}
	if n := len(b.segs); n == 0 || b.segs[n-1].off+len(b.buf)-b.segs[n-1].idx != off {
		b.segs = append(b.segs, segment{len(b.buf), off})
	}
	b.buf = append(b.buf, p...)
}

// addText appends a text with its mapping.
func (b *textBuilder) addText(t text) {
	for k, sg := range t.segs {
		end := len(t.s)
		if k+1 < len(t.segs) {
			end = t.segs[k+1].idx
		}
		b.add([]byte(t.s[sg.idx:end]), sg.off)
	}
}

func (b *textBuilder) text() text { return text{s: string(b.buf), segs: b.segs} }

// lines gives the byte range of each physical line of a file.
type lines struct {
	src    []byte
	starts []int // starts[n-1] is the offset of line n
}

func newLines(src []byte) *lines {
	if len(src) == 0 {
		return &lines{src: src}
	}
	starts := make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	for i, c := range src {
		if c == '\n' && i+1 < len(src) {
			starts = append(starts, i+1)
		}
	}
	return &lines{src: src, starts: starts}
}

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
