package report

import "strings"

// EscapeControls makes text that may come from a file safe to print on a
// terminal, as the text format prints it: control characters (but tab,
// and newline when keepNewlines is set), DEL, C1 controls and bytes that
// are not UTF-8 are shown as visible escapes (\x1b), so that a Dockerfile,
// a file name or an error quoting either cannot send escape sequences to
// the reader's terminal.
func EscapeControls(s string, keepNewlines bool) string {
	if keepNewlines {
		return escapeControlsBut(s, "\n")
	}
	return escapeControls(s)
}

// escapeControlsBut is escapeControls leaving the bytes of keep as they
// are.
func escapeControlsBut(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.IndexByte(keep, s[i]) >= 0 {
			b.WriteByte(s[i])
			i++
			continue
		}
		shown, size := escapeRune(s[i:])
		b.WriteString(shown)
		i += size
	}
	return b.String()
}
