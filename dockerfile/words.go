package dockerfile

// span is a half-open range of indices into an instruction's text.
type span struct{ start, end int }

// splitWords splits s into blank-separated words, keeping quoted runs
// ('...' or "...") inside a word together, the way BuildKit separates an
// instruction's flags and arguments. Escape characters protect the next
// byte.
func splitWords(s string, escape byte) []span {
	var words []span
	start := -1
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == escape && quote == '"' && i+1 < len(s) {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			if start >= 0 {
				words = append(words, span{start, i})
				start = -1
			}
		default:
			if start < 0 {
				start = i
			}
			if c == '\'' || c == '"' {
				quote = c
			} else if c == escape && i+1 < len(s) {
				i++
			}
		}
	}
	if start >= 0 {
		words = append(words, span{start, len(s)})
	}
	return words
}
