package rules

import (
	"fmt"
	"go/token"
	"slices"
	"strings"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
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

A name is read as BuildKit reads it, without quotes (ENV "API_KEY"=x
declares API_KEY), and split into words at underscores, dashes, dots and
camelCase (npmAuthToken and NPM_AUTH_TOKEN are both npm auth token). It
is reported when it has one of the words token, secret(s), password(s),
passwd, pwd, psw, pass, passphrase, credential(s), creds, apikey,
authkey, privatekey, ..., a word ending in password, passwd, token,
secret, creds or credentials (PGPASSWORD, githubcreds), auth as the
last word, or one of the pairs api key, private key, access key, signing
key, client secret, ssh key, ...; unless

- it has the word public, pub or publishable (NEXT_PUBLIC_API_KEY), or
  starts with a prefix whose variables a web bundler compiles into the
  code it ships to browsers: VITE_, REACT_APP_, VUE_APP_, GATSBY_
  (VITE_MAPS_API_KEY is public by design);
- a word that makes it a switch comes before the secret word: enable,
  disable, use, skip, no, allow, always, require, with, without
  (ENABLE_AUTH, ALLOW_EMPTY_PASSWORD);
- it ends in a word that names something other than the secret itself
  (file, path, dir, url, endpoint, config, version, name, length, enabled, ttl,
  ...), as in PASSWORD_FILE or TOKEN_ENDPOINT;
- it is a well-known variable that holds no credential: PWD, OLDPWD and
  GOOGLE_APPLICATION_CREDENTIALS (the path of a key file).

A value of true or false (or yes, no, on, off) is not reported, nor is an
ENV that sets the variable to the empty string. The message never shows
the value.

Sources:
- https://docs.docker.com/build/building/secrets/
- https://docs.docker.com/reference/dockerfile/#run---mounttypesecret
- https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/`,
	URL:      docURL("secret-in-arg-env"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runSecretInArgEnv,
}

func runSecretInArgEnv(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	lex := f.Lex()
	for _, in := range f.Instructions {
		switch c := in.Command.(type) {
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				value := ""
				if kv.Value != nil {
					value = *kv.Value
				}
				reportSecretName(pass, lex, in, "ARG", kv.Key, value)
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				if strings.Trim(kv.Value, `"'`) == "" {
					continue // ENV X="" stores no value: it clears one
				}
				reportSecretName(pass, lex, in, "ENV", kv.Key, kv.Value)
			}
		}
	}
	return nil, nil
}

// reportSecretName reports the variable declared as key (as written, quotes
// included) when its name looks like a credential. value is used only to
// recognise booleans and never appears in the diagnostic.
func reportSecretName(pass *analysis.Pass, lex *shell.Lex, in *dockerfile.Instruction, kind, key, value string) {
	name := variableName(lex, key)
	if !looksLikeSecretName(name) || isBooleanWord(value) {
		return
	}
	pos, end := keyPosition(in, key)
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

// variableName is the name BuildKit gives the variable declared as key: the
// key with its quotes and escapes removed (ENV "API_KEY"=x declares
// API_KEY). A key that refers to other variables is kept as written, so
// that no variable's value can end up in a message.
func variableName(lex *shell.Lex, key string) string {
	if strings.Contains(key, "$") || !strings.ContainsAny(key, "\"'\\`") {
		return key
	}
	name, _, err := lex.ProcessWord(key, shell.EnvsFromSlice(nil))
	if err != nil || name == "" {
		return key
	}
	return name
}

// keyPosition finds the variable's key, as written, among the
// instruction's words.
func keyPosition(in *dockerfile.Instruction, key string) (token.Pos, token.Pos) {
	for _, w := range in.Args {
		if w.Text == key || strings.HasPrefix(w.Text, key+"=") {
			return w.Pos, w.Pos + token.Pos(len(key))
		}
	}
	return in.Pos, in.Pos + token.Pos(len(in.Keyword))
}

var (
	secretWords = map[string]bool{
		"token": true, "secret": true, "secrets": true, "password": true, "passwords": true,
		"passwd": true, "pwd": true, "psw": true, "pass": true, "passphrase": true,
		"credential": true, "credentials": true, "creds": true, "apikey": true,
		"privatekey": true, "accesskey": true, "secretkey": true, "authkey": true,
		"masterkey": true,
	}
	// secretSuffixes end single words that name a secret: PGPASSWORD,
	// GITHUBTOKEN, clientsecret, githubcreds. (No common word ends in
	// these; "key" and "pass" are left out for monkey and compass.)
	secretSuffixes = []string{"password", "passwd", "token", "secret", "creds", "credentials"}
	// secretPairs are two consecutive words that together name a secret.
	secretPairs = map[[2]string]bool{
		{"api", "key"}: true, {"private", "key"}: true, {"access", "key"}: true,
		{"signing", "key"}: true, {"encryption", "key"}: true, {"master", "key"}: true,
		{"client", "secret"}: true, {"ssh", "key"}: true, {"deploy", "key"}: true,
		{"license", "key"}: true, {"secret", "key"}: true, {"auth", "key"}: true,
	}
	// publicWords mark a value meant to be public (NEXT_PUBLIC_*, SSH_PUB_KEY,
	// STRIPE_PUBLISHABLE_KEY).
	publicWords = map[string]bool{"public": true, "pub": true, "publishable": true}
	// switchWords, before the secret word, make the name a switch about
	// the secret: ENABLE_AUTH, ALLOW_EMPTY_PASSWORD, USE_SECRETS.
	switchWords = map[string]bool{
		"enable": true, "disable": true, "use": true, "skip": true, "no": true,
		"allow": true, "always": true, "require": true, "with": true, "without": true,
	}
	// notSecretLast are final words that make the name refer to something
	// about the secret rather than the secret itself.
	notSecretLast = map[string]bool{
		"file": true, "files": true, "filename": true, "path": true, "paths": true,
		"dir": true, "directory": true, "folder": true,
		"url": true, "uri": true, "endpoint": true, "host": true, "server": true, "version": true,
		"name": true, "names": true, "length": true, "len": true, "size": true, "type": true,
		"enabled": true, "enable": true, "disabled": true, "disable": true, "required": true, "mode": true,
		"header": true, "prefix": true, "suffix": true, "ttl": true, "expiry": true,
		"expires": true, "expiration": true, "lifetime": true, "duration": true, "interval": true,
		"seconds": true, "secs": true, "minutes": true, "hours": true, "days": true,
		"timeout": true, "location": true, "format": true, "method": true, "mechanism": true,
		"provider": true, "scope": true, "scopes": true, "count": true,
		"limit": true, "min": true, "max": true, "policy": true, "algorithm": true, "alg": true,
		"mount": true, "env": true, "var": true, "ref": true, "arn": true, "store": true, "manager": true,
		"helper": true, "plugin": true, "config": true, "command": true, "cmd": true, "sock": true, "socket": true,
		"backend": true, "realm": true, "domain": true, "issuer": true, "audience": true, "port": true,
	}
	// notSecretNames are well-known variables whose names look like a
	// credential but are not one: the shell's working directories, and the
	// path of a Google Cloud key file.
	notSecretNames = map[string]bool{
		"pwd": true, "oldpwd": true, "google_application_credentials": true,
	}
)

// looksLikeSecretName reports whether a variable name names a credential.
func looksLikeSecretName(name string) bool {
	words := nameWords(name)
	if len(words) == 0 || notSecretNames[strings.Join(words, "_")] {
		return false
	}
	if slices.ContainsFunc(words, func(w string) bool { return publicWords[w] }) || clientBundlePrefix(words) {
		return false
	}
	last := words[len(words)-1]
	if notSecretLast[last] {
		return false
	}
	for i, w := range words {
		if switchWords[w] {
			return false
		}
		if isSecretWord(w) || i+1 < len(words) && secretPairs[[2]string{w, words[i+1]}] {
			return true
		}
	}
	return last == "auth"
}

// clientBundlePrefix reports whether a name starts with a prefix that a
// web bundler compiles into the JavaScript it ships to browsers: Vite
// (VITE_), Create React App (REACT_APP_), Vue CLI (VUE_APP_) and Gatsby
// (GATSBY_) expose exactly those variables to client code, so their
// values are public by design (like NEXT_PUBLIC_).
func clientBundlePrefix(words []string) bool {
	switch {
	case len(words) > 1 && (words[0] == "vite" || words[0] == "gatsby"):
		return true
	case len(words) > 2 && (words[0] == "react" || words[0] == "vue") && words[1] == "app":
		return true
	}
	return false
}

// isSecretWord reports whether a single word names a secret.
func isSecretWord(w string) bool {
	if secretWords[w] {
		return true
	}
	for _, s := range secretSuffixes {
		if strings.HasSuffix(w, s) {
			return true
		}
	}
	return false
}

// nameWords splits a variable name into lower-case words at _, -, . and
// camelCase boundaries: "npmAuthToken" and "NPM_AUTH_TOKEN" both give
// [npm auth token], "APIKey" gives [api key] and "oauth2Token" gives
// [oauth2 token].
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
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(runes[i-1]) || unicode.IsDigit(runes[i-1])):
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

// LooksLikeSecretName reports whether a variable or build argument name
// looks like it holds a credential (NPM_TOKEN, DB_PASSWORD), as CL014
// decides; the driver masks such values in configuration files too.
func LooksLikeSecretName(name string) bool { return looksLikeSecretName(name) }
