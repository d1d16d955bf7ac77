package suppress

import (
	"strings"
	"testing"

	"github.com/cachelint/cachelint/dockerfile"
	"github.com/cachelint/cachelint/internal/testfiles"
)

// FuzzRead checks the reading of suppression comments: no Dockerfile may
// make it panic; every comment and every name it gives lies inside the
// file, on the comment's own line, each name where its text is written
// (as written, or in any case for the check directive); the lines a
// comment covers are inside the file and in order; and a comment that
// covers nothing says why (or is BuildKit's, which is not reported).
//
// The seeds are the fixtures' Dockerfiles (the suppression fixtures among
// them) and comments of every form.
func FuzzRead(f *testing.F) {
	for _, src := range testfiles.Dockerfiles() {
		f.Add(src)
	}
	for _, s := range []string{
		"# check=skip=CL017,JSONArgsRecommended\nFROM a\n# cachelint ignore=CL003,missing-cache-mount -- reason\nRUN npm ci\n",
		"# cachelint global ignore=CL017\n# cachelint stage ignore=CL003\nFROM a AS b\nRUN x\n# cachelint ignore=\nRUN y\n",
		"FROM a\n# hadolint ignore=DL3009,SC2086 # why\nRUN apt-get update\n# hadolint global ignore=DL3006\n",
		"\xef\xbb\xbf# check = skip = all\r\nFROM a\r\n#  check=skip=CL001\r\n\r\nCOPY . .\r\n",
		"FROM a\nRUN <<EOF\n# cachelint ignore=CL003\nEOF\nRUN a \\\n# cachelint ignore=CL003\n b\n# cachelint ignore=CL001\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file := dockerfile.Parse("Dockerfile", src, nil)
		set := Read(file)
		lines := file.Tok.LineCount()
		for _, c := range set.Comments {
			p, e := file.Tok.Offset(c.Pos), file.Tok.Offset(c.End)
			if p < 0 || e > len(src) || e < p || file.Tok.Position(c.Pos).Line != c.Line {
				t.Fatalf("comment on line %d at %d-%d in a %d-byte file", c.Line, p, e, len(src))
			}
			for _, n := range c.Names {
				np, ne := file.Tok.Offset(n.Pos), file.Tok.Offset(n.End)
				if np < p || ne > e || ne < np {
					t.Fatalf("name %q at %d-%d outside its comment %d-%d", n.Text, np, ne, p, e)
				}
				if written := string(src[np:ne]); written != n.Text && !strings.EqualFold(written, n.Text) {
					t.Fatalf("name %q is written %q", n.Text, written)
				}
				if n.Rule == "" {
					t.Fatalf("name %q stands for no rule", n.Text)
				}
			}
			if c.StartLine != 0 || c.EndLine != 0 {
				if c.StartLine < 1 || c.EndLine < c.StartLine || c.EndLine > max(lines, 1) {
					t.Fatalf("comment on line %d covers %d-%d of %d lines", c.Line, c.StartLine, c.EndLine, lines)
				}
			} else if c.Problem == "" && c.Source == Cachelint {
				t.Fatalf("cachelint comment on line %d covers nothing and says not why", c.Line)
			}
		}
	})
}
