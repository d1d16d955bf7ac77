package rules

import (
	"regexp"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// BuildKit's SecretsUsedInArgOrEnv looks at the name an ARG or ENV
// declares: a word of it (between underscores, in any case) names a secret
// and none says it is public, a file or a version.
var (
	secretName    = regexp.MustCompile(`(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)`)
	notSecretName = regexp.MustCompile(`(?i)(?:_|^)(?:public|file|version)(?:_|$)`)
)

func checkSecretName(instruction, name string, loc []parser.Range, lint *linter.Linter) {
	if secretName.MatchString(name) && !notSecretName.MatchString(name) {
		lint.Run(&linter.RuleSecretsUsedInArgOrEnv, loc, linter.RuleSecretsUsedInArgOrEnv.Format(instruction, name))
	}
}
