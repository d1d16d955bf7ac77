package lint

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
)

// FingerprintScheme names the way Fingerprint is computed. SARIF logs carry
// it as the key of the finding's partial fingerprint and baseline files
// record it; change the version whenever the computation changes, so that
// old fingerprints are never compared with new ones.
const FingerprintScheme = "cachelintHash/v2"

// Fingerprint identifies a finding across edits of its file that do not
// touch it: a SHA-256, in hex, of the rule's code, the file's path (slash
// separated, relative to the repository root), the normalised text of the
// finding's instruction (see InstructionText) and the finding's occurrence,
// counting from 1, among the findings of the file with the same code and
// text. It does not depend on line numbers.
func Fingerprint(code, path, text string, occurrence int) string {
	h := sha256.New()
	for _, part := range []string{code, path, text} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(strconv.AppendInt(nil, int64(occurrence), 10))
	return hex.EncodeToString(h.Sum(nil))
}

// RepoPath is the path a file's fingerprints use: abs relative to root,
// slash separated, when abs is inside root; else abs. Without a root or
// an absolute path (unnamed standard input) it is the path as shown.
func RepoPath(root, abs, shown string) string {
	if root == "" || abs == "" {
		return filepath.ToSlash(shown)
	}
	rel, err := filepath.Rel(root, abs)
	if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(abs)
}

// InstructionText is the normalised text of an instruction, what its
// findings' fingerprints are made of: every line from the keyword to the
// end of its last heredoc body, without comment lines after the first, the
// escape character that continues a line, and the white space around
// words, which is collapsed to one space. Re-indenting an instruction,
// wrapping it differently or commenting inside it leaves it unchanged;
// changing a word changes it.
func InstructionText(f *dockerfile.File, in *dockerfile.Instruction) string {
	return normalise(f.Line, in.StartLine, in.EndLine, f.Escape)
}

// normalise joins lines start to end of a file as InstructionText says;
// line(n) returns line n.
func normalise(line func(int) string, start, end int, escape byte) string {
	var b strings.Builder
	for n := start; n <= end; n++ {
		l := strings.TrimSpace(line(n))
		if n > start && strings.HasPrefix(l, "#") {
			continue
		}
		l = strings.TrimSuffix(l, string(escape))
		for w := range strings.FieldsSeq(l) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
	}
	return b.String()
}

// anchor finds the text a finding at line of the Dockerfile is
// fingerprinted by: the normalised text of the instruction holding the
// line or, for a line outside every instruction (a comment, a parser
// directive, a file BuildKit cannot parse), the line itself with its white
// space collapsed.
func anchor(f *dockerfile.File, lines []string, line int) string {
	text := func(n int) string {
		if n < 1 || n > len(lines) {
			return ""
		}
		return lines[n-1]
	}
	if f != nil {
		ins := f.Instructions
		i := sort.Search(len(ins), func(i int) bool { return ins[i].StartLine > line }) - 1
		if i >= 0 && line <= ins[i].EndLine {
			return normalise(text, ins[i].StartLine, ins[i].EndLine, f.Escape)
		}
	}
	return normalise(text, line, line, 0)
}

// hashInput, when set (by tests), is told what each fingerprint hashes.
var hashInput func(code, path, text string)

// hashedText is the text a finding at line is fingerprinted by (see
// anchor) with its secrets masked: lines have the secrets' ranges masked
// already (secrets.maskLines), and secret values and URL passwords found
// elsewhere in the text are masked too. A fingerprint does not change
// when a secret does, and no secret goes into a hash, where a guess could
// be checked against it. The text of a file without secrets is left as
// it is, and so are its fingerprints.
func hashedText(f *dockerfile.File, lines []string, line int, sec *secrets) string {
	return sec.mask(anchor(f, lines, line))
}

// setFingerprints fills in the fingerprint of each finding of a unit's
// Dockerfile, whose findings are sorted; f is the file's model (nil when
// there is none), lines its lines, as in FileResult.Lines, and sec its
// secrets, which are masked in the text hashed (see hashedText).
func setFingerprints(findings []Finding, f *dockerfile.File, lines []string, path string, sec *secrets) {
	if len(findings) == 0 {
		return
	}
	lines = sec.maskLines(lines)
	seen := map[string]int{}
	texts := map[int]string{} // by line
	for i := range findings {
		fd := &findings[i]
		text, ok := texts[fd.Line]
		if !ok {
			text = hashedText(f, lines, fd.Line, sec)
			texts[fd.Line] = text
		}
		key := fd.Code + "\x00" + text
		seen[key]++
		if hashInput != nil {
			hashInput(fd.Code, path, text)
		}
		fd.Fingerprint = Fingerprint(fd.Code, path, text, seen[key])
	}
}
