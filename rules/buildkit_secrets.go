package rules

import (
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// BuildKit's SecretsUsedInArgOrEnv looks at the name an ARG or ENV
// declares: a word of it (between underscores, in any case) names a
// secret, and none says it is public, a file or a version. (BuildKit
// writes it as two regular expressions; comparing the words is the same
// and cheaper.)
var (
	bkSecretWords = []string{"apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token"}
	bkPublicWords = []string{"public", "file", "version"}
)

func checkSecretName(instruction, name string, loc []parser.Range, lint *linter.Linter) {
	words := strings.Split(name, "_")
	if hasWord(words, bkSecretWords) && !hasWord(words, bkPublicWords) {
		lint.Run(&linter.RuleSecretsUsedInArgOrEnv, loc, linter.RuleSecretsUsedInArgOrEnv.Format(instruction, name))
	}
}

// hasWord reports whether one of words is one of list, in any case.
func hasWord(words, list []string) bool {
	return slices.ContainsFunc(words, func(w string) bool {
		return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(w, s) })
	})
}
