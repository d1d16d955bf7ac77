package rules

import (
	"fmt"
	"go/token"
	"strings"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// SecretInArgEnv flags ARG and ENV names that look like credentials.
var SecretInArgEnv = &analysis.Analyzer{
	Name: "secret_in_arg_env",
	Doc: `an ARG or ENV carries what looks like a credential

Why it matters for the cache: build arguments and ENV values are part of
the build's cache keys and metadata. An ENV value is stored in the image
configuration; an ARG value is recorded in the build history, in exported
cache metadata and in max-mode provenance attestations, so anyone who can
pull the image or the cache can read it. Changing the secret (rotating a
token) also changes the cache key of every later RUN in the stage, so the
whole rest of the build is rebuilt.

Example:

    ARG NPM_TOKEN
    RUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc && npm ci

Fix: pass the value as a build secret and read it only in the RUN that
needs it (Dockerfile syntax 1.10 or later for env=):

    RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci

and build with --secret id=npm_token,env=NPM_TOKEN.

Names are split into words at underscores, dashes, dots and camelCase.
A name is reported when it has one of the words token, secret, password,
passwd, pwd, psw, pass, credential(s), creds, auth (as the last word), or
one of the pairs api key, private key, access key, signing key, client
secret; unless it also has the word public, or ends in a word that names
something other than the secret itself (file, path, dir, url, version,
name, length, enabled, ...). A value of true or false is
not reported. The message never shows the value.`,
	URL:      docURL("secret-in-arg-env"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runSecretInArgEnv,
}

func runSecretInArgEnv(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	for _, in := range f.Instructions {
		switch c := in.Command.(type) {
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				value := ""
				if kv.Value != nil {
					value = *kv.Value
				}
				reportSecretName(pass, in, "ARG", kv.Key, value)
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				reportSecretName(pass, in, "ENV", kv.Key, kv.Value)
			}
		}
	}
	return nil, nil
}

func reportSecretName(pass *analysis.Pass, in *dockerfile.Instruction, kind, name, value string) {
	if !looksLikeSecretName(name) || isBooleanWord(value) {
		return
	}
	pos, end := keyPosition(in, name)
	secretID := strings.ToLower(name)
	how := "ARG"
	if kind == "ENV" {
		how = "ENV (it is stored in the image configuration)"
	}
	pass.Report(analysis.Diagnostic{
		Pos: pos,
		End: end,
		Message: fmt.Sprintf("%s %s looks like a credential: a value passed as %s is kept in the build's metadata and cache, "+
			"and changing it re-runs every later RUN", kind, name, how),
		SuggestedFixes: []analysis.SuggestedFix{{
			Message: fmt.Sprintf("use a build secret instead: RUN --mount=type=secret,id=%s,env=%s ... and build with --secret id=%s", secretID, name, secretID),
		}},
	})
}

// keyPosition finds the variable name among the instruction's words.
func keyPosition(in *dockerfile.Instruction, name string) (token.Pos, token.Pos) {
	for _, w := range in.Args {
		if w.Text == name || strings.HasPrefix(w.Text, name+"=") {
			return w.Pos, w.Pos + token.Pos(len(name))
		}
	}
	return in.Pos, in.Pos + token.Pos(len(in.Keyword))
}

var (
	secretWords = map[string]bool{
		"token": true, "secret": true, "secrets": true, "password": true, "passwords": true,
		"passwd": true, "pwd": true, "psw": true, "pass": true, "passphrase": true,
		"credential": true, "credentials": true, "creds": true, "apikey": true,
		"privatekey": true, "accesskey": true, "secretkey": true, "authtoken": true,
	}
	// secretPairs are two consecutive words that together name a secret.
	secretPairs = map[[2]string]bool{
		{"api", "key"}: true, {"private", "key"}: true, {"access", "key"}: true,
		{"signing", "key"}: true, {"encryption", "key"}: true, {"master", "key"}: true,
		{"client", "secret"}: true, {"ssh", "key"}: true, {"deploy", "key"}: true,
		{"license", "key"}: true, {"secret", "key"}: true, {"auth", "key"}: true,
	}
	// notSecretLast are final words that make the name refer to something
	// about the secret rather than the secret itself.
	notSecretLast = map[string]bool{
		"file": true, "files": true, "path": true, "paths": true, "dir": true, "directory": true,
		"url": true, "uri": true, "endpoint": true, "host": true, "server": true, "version": true,
		"name": true, "names": true, "length": true, "len": true, "size": true, "type": true,
		"enabled": true, "enable": true, "disabled": true, "required": true, "mode": true,
		"header": true, "prefix": true, "suffix": true, "ttl": true, "expiry": true,
		"expires": true, "timeout": true, "location": true, "format": true, "method": true,
		"provider": true, "scope": true, "scopes": true, "count": true,
		"limit": true, "min": true, "max": true, "policy": true, "algorithm": true, "alg": true,
		"mount": true, "env": true, "var": true, "ref": true, "store": true, "manager": true,
		"backend": true, "realm": true, "domain": true, "issuer": true, "audience": true, "port": true,
	}
)

// looksLikeSecretName reports whether a variable name names a credential.
func looksLikeSecretName(name string) bool {
	words := nameWords(name)
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		if w == "public" || w == "pub" {
			return false
		}
	}
	if notSecretLast[words[len(words)-1]] {
		return false
	}
	for i, w := range words {
		if secretWords[w] {
			return true
		}
		if i+1 < len(words) && secretPairs[[2]string{w, words[i+1]}] {
			return true
		}
	}
	return words[len(words)-1] == "auth"
}

// nameWords splits a variable name into lower-case words at _, -, . and
// camelCase boundaries: "npmAuthToken" and "NPM_AUTH_TOKEN" both give
// [npm auth token].
func nameWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	runes := []rune(name)
	for i, r := range runes {
		switch {
		case r == '_' || r == '-' || r == '.':
			flush()
		case unicode.IsUpper(r) && i > 0 && unicode.IsLower(runes[i-1]):
			flush()
			cur = append(cur, r)
		case unicode.IsUpper(r) && i > 0 && i+1 < len(runes) && unicode.IsUpper(runes[i-1]) && unicode.IsLower(runes[i+1]):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return words
}

func isBooleanWord(v string) bool {
	switch strings.ToLower(strings.Trim(v, `"'`)) {
	case "true", "false", "yes", "no", "on", "off":
		return true
	}
	return false
}
