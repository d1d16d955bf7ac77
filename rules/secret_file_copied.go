package rules

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// SecretFileCopied flags COPY and ADD of credential files.
var SecretFileCopied = &analysis.Analyzer{
	Name: "secret_file_copied",
	Doc: `a credential file is copied into the image

Why it matters for the cache: whatever COPY or ADD brings in is stored in
the layer, and the layer is part of the build cache. Anyone who can pull
the image, or read a cache exported with --cache-to (mode=max exports the
layers of every stage, builder stages included), can unpack the file. A
later "RUN rm" hides it from the final filesystem but not from the layer
below. The copy also ties the cache to the file: rotating the token re-runs
every step after the COPY.

Example:

    FROM node:22
    WORKDIR /app
    COPY .npmrc package.json package-lock.json ./
    RUN npm ci && rm .npmrc

Fix: mount the file as a build secret on the RUN that needs it; it is
never written to a layer:

    # syntax=docker/dockerfile:1
    FROM node:22
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci

and build with --secret id=npmrc,src=.npmrc. For SSH keys use an SSH
mount instead (RUN --mount=type=ssh git clone ..., built with --ssh
default).

A source is reported when its file name (or a glob that would match it)
is one of: .npmrc, .pypirc, .netrc or _netrc, .git-credentials, an SSH
private key (id_rsa, id_dsa, id_ecdsa, id_ed25519 and names that start with
them, but not *.pub), a private key or key store (*.pem, *.key, *.p12,
*.pfx), credentials.json, service-account*.json, auth.json (Composer),
kubeconfig, .env and .env.*, the file .aws/credentials or .docker/config.json,
or the directories .ssh, .aws, .gnupg and .kube. A copy whose destination is
such a file or directory is reported too (COPY deploy_key /root/.ssh/id_rsa,
COPY --from=profile . /root/.aws), except for files that hold no secret
there (known_hosts, authorized_keys, config in .ssh; config in .aws).

The rule has one severity, error. For files that only sometimes hold a
secret (.npmrc can hold just a registry URL, .env can hold plain settings,
a .pem or .key can be a public certificate or a signing key) the message
says the file may contain one. Not reported: templates (.env.example,
.env.sample, .env.template, .env.dist, .env.defaults, names with example,
sample or template in them), public keys (*.pub, and .pem or .key files
named as certificates, CA bundles, public or GPG keys, such as ca.pem,
fullchain.pem, nginx_public_keys.key, repo.gpg.key, or copied to a *.pub,
*.asc, *.gpg or *.crt destination or into a directory of CA certificates
or signing keys such as /usr/local/share/ca-certificates/ or
/usr/share/keyrings/), files under test, tests, testdata,
fixtures, spec, e2e or mocks directories, *.env files other than .env itself,
.yarnrc.yml (a committed configuration file in most projects), and heredoc
sources (their text is in the Dockerfile). COPY --from a stage of the same
Dockerfile is not reported: the file came from the context into that stage
(reported there) or was made by the build; COPY --from an image or a named
build context is. A whole-context COPY . . that brings such a file along is
another check's business (it needs the list of files in the context). The
message names the file, never its contents.

Sources:
- https://docs.docker.com/build/building/secrets/
- https://docs.docker.com/reference/dockerfile/#run---mounttypesecret
- https://docs.docker.com/reference/dockerfile/#run---mounttypessh
- https://docs.docker.com/build/cache/backends/`,
	URL:      docURL("secret-file-copied"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runSecretFileCopied,
}

// credentialFile is a kind of file that holds credentials.
type credentialFile struct {
	what   string // the file, in a message: "an SSH private key"
	holds  string // for files that may not hold one: "a registry auth token"
	id     string // build secret id for the help
	target string // where its tool reads it, "" when there is no usual place
	ssh    bool   // fixed with an SSH mount
	// home is where the file usually is in a user's home directory, for
	// credentials kept in a directory (.aws/credentials): the file to
	// mount when the whole directory is copied.
	home string
}

var (
	credNpmrc          = &credentialFile{what: "npm's config file", holds: "a registry auth token", id: "npmrc", target: "/root/.npmrc"}
	credPypirc         = &credentialFile{what: "a PyPI credentials file", id: "pypirc", target: "/root/.pypirc"}
	credNetrc          = &credentialFile{what: "a .netrc file of logins and passwords", id: "netrc", target: "/root/.netrc"}
	credGitCredentials = &credentialFile{what: "Git's stored credentials", id: "git_credentials", target: "/root/.git-credentials"}
	credSSHKey         = &credentialFile{what: "an SSH private key", ssh: true}
	credSSHDir         = &credentialFile{what: "an SSH directory", holds: "private keys", ssh: true}
	credKey            = &credentialFile{what: "a key file", holds: "a private key", id: "key"}
	credPrivateKey     = &credentialFile{what: "a private key", id: "key"}
	credKeyStore       = &credentialFile{what: "a PKCS#12 key store", holds: "a private key", id: "keystore"}
	credJSON           = &credentialFile{what: "a credentials file", holds: "an OAuth client secret or a service account key", id: "credentials"}
	credServiceAccount = &credentialFile{what: "a service account key", id: "service_account"}
	credComposerAuth   = &credentialFile{what: "Composer's auth.json", holds: "registry tokens", id: "composer_auth", target: "/root/.composer/auth.json"}
	credKubeconfig     = &credentialFile{what: "a kubeconfig", holds: "cluster credentials", id: "kubeconfig", target: "/root/.kube/config", home: ".kube/config"}
	credDotenv         = &credentialFile{what: "a .env file", holds: "secrets", id: "dotenv"}
	credAWS            = &credentialFile{what: "AWS credentials", id: "aws", target: "/root/.aws/credentials", home: ".aws/credentials"}
	credAWSDir         = &credentialFile{what: "an AWS config directory", holds: "access keys", id: "aws", target: "/root/.aws/credentials", home: ".aws/credentials"}
	credDockerConfig   = &credentialFile{what: "a Docker client config", holds: "registry credentials", id: "docker_config", target: "/root/.docker/config.json", home: ".docker/config.json"}
	credGnupg          = &credentialFile{what: "a GnuPG home directory", holds: "private keys", id: "gnupg"}
)

// credentialNames are exact file names (lower case).
var credentialNames = map[string]*credentialFile{
	".npmrc": credNpmrc, ".pypirc": credPypirc, ".netrc": credNetrc, "_netrc": credNetrc,
	".git-credentials": credGitCredentials, "credentials.json": credJSON, "auth.json": credComposerAuth,
	"kubeconfig": credKubeconfig, ".env": credDotenv,
	".ssh": credSSHDir, ".aws": credAWSDir, ".gnupg": credGnupg, ".kube": credKubeconfig,
}

// sshKeyNames are the default names of SSH private keys.
var sshKeyNames = []string{"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}

// keyExtensions are extensions of private keys and key stores.
var keyExtensions = map[string]*credentialFile{".pem": credKey, ".key": credKey, ".p12": credKeyStore, ".pfx": credKeyStore}

// templateWords mark a file as a template without real values.
var templateWords = map[string]bool{
	"example": true, "examples": true, "sample": true, "samples": true, "template": true, "templates": true,
	"dist": true, "default": true, "defaults": true, "tpl": true, "tmpl": true, "skel": true, "placeholder": true,
}

// publicKeyWords mark a .pem or .key file as public: a certificate, a CA
// bundle, a public or GPG key.
var publicKeyWords = map[string]bool{
	"pub": true, "public": true, "pubkey": true, "cert": true, "certs": true, "certificate": true,
	"ca": true, "cacert": true, "chain": true, "fullchain": true, "bundle": true, "root": true,
	"trust": true, "truststore": true, "crt": true, "gpg": true, "pgp": true, "asc": true,
	"signing": true, "keyring": true, "gpgkey": true, "repo": true, "release": true, "archive": true,
	"apt": true, "yum": true, "rpm": true,
}

// privateKeyWords mark a .pem file as a private key.
var privateKeyWords = map[string]bool{"key": true, "privkey": true, "private": true, "priv": true}

// publicDestExtensions mark a destination file as public.
var publicDestExtensions = map[string]bool{".pub": true, ".asc": true, ".gpg": true, ".crt": true, ".cer": true}

// testDirs are directories of test data, whose keys are throwaway.
var testDirs = map[string]bool{
	"test": true, "tests": true, "testdata": true, "test-data": true, "test_data": true,
	"fixtures": true, "fixture": true, "__fixtures__": true, "__tests__": true,
	"spec": true, "specs": true, "e2e": true, "mocks": true, "__mocks__": true,
}

// sshNonSecrets are files of an .ssh directory that hold no secret.
var sshNonSecrets = map[string]bool{"known_hosts": true, "config": true, "authorized_keys": true, "environment": true, "rc": true}

func runSecretFileCopied(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	lex := f.Lex()
	for _, in := range f.Instructions {
		if in.Copy == nil || in.Copy.Heredoc && len(in.Copy.Sources) == 0 || copiesFromStage(f, lex, in) {
			continue
		}
		dest, destOK := expandPath(lex, in, in.Copy.Dest.Text)
		for _, src := range in.Copy.Sources {
			p, ok := expandPath(lex, in, src.Text)
			if !ok || in.Copy.Add && (strings.Contains(p, "://") || strings.HasPrefix(p, "git@")) {
				continue
			}
			name := src.Text
			cred := credentialSource(p)
			if cred == nil && destOK {
				cred = credentialDest(p, dest)
				name += " to " + in.Copy.Dest.Text
			}
			if cred == nil || destOK && (publicDest(dest) || cred == credKey && publicKeyDir(dest)) {
				continue
			}
			reportSecretFile(pass, in, src, p, name, dest, destOK, cred)
		}
	}
	return nil, nil
}

// copiesFromStage reports whether a COPY --from names a stage of the file
// (or an index), or a value cachelint cannot know.
func copiesFromStage(f *dockerfile.File, lex *shell.Lex, in *dockerfile.Instruction) bool {
	if in.Copy.From == "" {
		return false
	}
	from, ok := expandPath(lex, in, in.Copy.From)
	if !ok {
		return true
	}
	from = strings.ToLower(from)
	if _, err := strconv.Atoi(from); err == nil {
		return true
	}
	return slices.ContainsFunc(f.Stages, func(s *dockerfile.Stage) bool { return s.Name == from })
}

// expandPath expands a COPY word as BuildKit does (variables, quotes,
// escapes) and turns backslashes into slashes. ok is false when the word
// depends on a value not known here.
func expandPath(lex *shell.Lex, in *dockerfile.Instruction, word string) (string, bool) {
	p := word
	if strings.ContainsAny(word, "$'\"\\`") {
		res, err := lex.ProcessWordWithMatches(word, in.Env)
		if err != nil || len(res.Unmatched) > 0 {
			return "", false
		}
		p = res.Result
	}
	return strings.ReplaceAll(p, "\\", "/"), p != ""
}

// credentialSource classifies a COPY source path: the kind of credential
// it names, or nil.
func credentialSource(p string) *credentialFile {
	dirs, base := splitPath(p)
	if base == "" || slices.ContainsFunc(dirs, func(d string) bool { return testDirs[strings.ToLower(d)] }) {
		return nil
	}
	parent := ""
	if len(dirs) > 0 {
		parent = strings.ToLower(dirs[len(dirs)-1])
	}
	if strings.ContainsAny(base, "*?[") {
		return credentialGlob(base, parent)
	}
	return credentialName(base, parent)
}

// credentialName classifies a file name, given its parent directory.
func credentialName(base, parent string) *credentialFile {
	b := strings.ToLower(base)
	words := nameWords(b)
	if strings.HasSuffix(b, ".pub") || slices.ContainsFunc(words, func(w string) bool { return templateWords[w] }) {
		return nil
	}
	switch {
	case parent == ".aws" && b == "credentials":
		return credAWS
	case parent == ".docker" && b == "config.json":
		return credDockerConfig
	case parent == ".kube" && b == "config":
		return credKubeconfig
	case b == ".env" || strings.HasPrefix(b, ".env."):
		return credDotenv
	case strings.HasPrefix(b, "service-account") && strings.HasSuffix(b, ".json") ||
		strings.HasPrefix(b, "service_account") && strings.HasSuffix(b, ".json"):
		return credServiceAccount
	}
	if c := credentialNames[b]; c != nil {
		return c
	}
	for _, k := range sshKeyNames {
		if b == k || strings.HasPrefix(b, k+"_") || strings.HasPrefix(b, k+"-") || strings.HasPrefix(b, k+".") {
			return credSSHKey
		}
	}
	ext := path.Ext(b)
	c := keyExtensions[ext]
	if c == nil {
		return nil
	}
	stem := nameWords(strings.TrimSuffix(b, ext))
	if slices.ContainsFunc(stem, func(w string) bool { return publicKeyWords[w] }) {
		return nil
	}
	if ext == ".pem" && slices.ContainsFunc(stem, func(w string) bool { return privateKeyWords[w] }) ||
		ext == ".key" && slices.ContainsFunc(stem, func(w string) bool { return w == "private" || w == "privkey" }) {
		return credPrivateKey
	}
	return c
}

// credentialGlob classifies a glob source: it counts when it would match a
// credential file and its literal text names that file (.env*, id_rsa*,
// *.pem), not when it is a wildcard that happens to match one (*, *.json).
func credentialGlob(glob, parent string) *credentialFile {
	g := strings.ToLower(glob)
	prefix := g[:strings.IndexAny(g, "*?[")]
	candidates := []string{".npmrc", ".pypirc", ".netrc", ".git-credentials", ".env", ".env.production", ".env.local",
		"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "credentials.json", "service-account.json", "kubeconfig"}
	for _, c := range candidates {
		if ok, _ := path.Match(g, c); ok && len(prefix) >= 3 && strings.HasPrefix(c, prefix) {
			return credentialName(c, parent)
		}
	}
	for ext, cred := range keyExtensions {
		if !strings.HasSuffix(g, ext) {
			continue
		}
		stem := nameWords(strings.Trim(strings.TrimSuffix(g, ext), "*?"))
		if slices.ContainsFunc(stem, func(w string) bool { return publicKeyWords[w] || templateWords[w] }) {
			return nil
		}
		return cred
	}
	return nil
}

// credentialDest classifies a copy by its destination: a file or directory
// where credentials live (/root/.ssh/id_rsa, /root/.aws/).
func credentialDest(src, dest string) *credentialFile {
	dirs, base := splitPath(dest)
	srcDirs, srcBase := splitPath(src)
	if slices.ContainsFunc(srcDirs, func(d string) bool { return testDirs[strings.ToLower(d)] }) {
		return nil
	}
	srcBase = strings.ToLower(srcBase)
	if srcBase == "" || srcBase == "." {
		srcBase = "."
	}
	if strings.HasSuffix(dest, "/") || srcBase == "." {
		// Copied into the directory dest.
		dirs, base = append(dirs, base), srcBase
	}
	if len(dirs) == 0 {
		return nil
	}
	dir := strings.ToLower(dirs[len(dirs)-1])
	b := strings.ToLower(base)
	if strings.HasSuffix(b, ".pub") || strings.HasSuffix(srcBase, ".pub") {
		return nil
	}
	switch dir {
	case ".ssh":
		if sshNonSecrets[b] {
			return nil
		}
		if b == "." {
			return credSSHDir
		}
		if c := credentialName(b, dir); c == credSSHKey {
			return c
		}
		return &credentialFile{what: "a file", holds: "an SSH private key", ssh: true}
	case ".aws":
		if b == "config" {
			return nil
		}
		if b == "credentials" {
			return credAWS
		}
		return credAWSDir
	case ".docker":
		if b == "config.json" || b == "." {
			return credDockerConfig
		}
	case ".kube":
		if b == "config" || b == "." {
			return credKubeconfig
		}
	}
	if b != "." {
		if c := credentialName(b, dir); c != nil && c != credDotenv && c != credKey && c != credKeyStore && c != credJSON && c != credComposerAuth {
			return c
		}
	}
	return nil
}

// publicDest reports whether a destination names a public key or a
// certificate (COPY jenkins.key /war/jenkins-key.pub).
func publicDest(dest string) bool {
	if strings.HasSuffix(dest, "/") {
		return false
	}
	return publicDestExtensions[strings.ToLower(path.Ext(dest))]
}

// publicKeyDirs are directories for CA certificates and package signing
// keys: a .pem or .key copied there is public.
var publicKeyDirs = map[string]bool{
	"certs": true, "ca-certificates": true, "ca-trust": true, "anchors": true, "cacerts": true,
	"trusted.gpg.d": true, "keyrings": true, "rpm-gpg": true,
}

// publicKeyDir reports whether a destination is in a directory of CA
// certificates or signing keys.
func publicKeyDir(dest string) bool {
	dirs, base := splitPath(dest)
	if strings.HasSuffix(dest, "/") {
		dirs = append(dirs, base)
	}
	return slices.ContainsFunc(dirs, func(d string) bool { return publicKeyDirs[strings.ToLower(d)] })
}

// splitPath splits a slash path into its directories and base name,
// dropping "." and empty segments and a trailing slash.
func splitPath(p string) ([]string, string) {
	var segs []string
	for _, s := range strings.Split(p, "/") {
		if s != "" && s != "." {
			segs = append(segs, s)
		}
	}
	if len(segs) == 0 {
		return nil, ""
	}
	return segs[:len(segs)-1], segs[len(segs)-1]
}

// secretFileHelp says how to pass the file as a build secret instead. p is
// the source path; dest is used as the mount target when it names a file
// and fromContext is true.
func secretFileHelp(c *credentialFile, p, dest string, fromContext bool) string {
	switch {
	case c.ssh:
		return "do not copy SSH keys: use an SSH mount on the step that needs one (RUN --mount=type=ssh git clone git@host:org/repo.git) and build with --ssh default"
	case c == credGnupg:
		return "import the private key from a secret mount on the RUN that needs it (RUN --mount=type=secret,id=gpg_key gpg --import /run/secrets/gpg_key && ...) and build with --secret id=gpg_key,src=<exported key file>"
	}
	glob := strings.ContainsAny(p, "*?[")
	target, src := c.target, p
	_, base := splitPath(p)
	switch {
	case c.home != "" && (!fromContext || glob || strings.HasPrefix(base, ".") && !strings.Contains(base[1:], ".")):
		// a directory such as .aws, or a file from elsewhere
		src = "$HOME/" + c.home
		if fromContext && strings.EqualFold(base, path.Dir(c.home)) {
			src = strings.TrimSuffix(p, "/") + "/" + path.Base(c.home)
		}
	case glob || !fromContext:
		src = "<file>"
	}
	if c.home == "" && fromContext && !glob && !strings.HasSuffix(dest, "/") && isAbs(dest) {
		target = dest
	}
	mount := "--mount=type=secret,id=" + c.id
	if target != "" {
		mount += ",target=" + target
	}
	command := "<command>"
	if c == credNpmrc {
		command = "npm ci"
	}
	help := fmt.Sprintf("mount it only on the RUN that needs it: RUN %s %s, and build with --secret id=%s,src=%s", mount, command, c.id, src)
	if target == "" {
		help += fmt.Sprintf(" (the file is then at /run/secrets/%s)", c.id)
	}
	if c == credDotenv || c == credKey || c == credPrivateKey || c == credKeyStore {
		help += "; if the running container needs it, provide it at run time (an env file, a volume or a secret store) instead"
	}
	return help
}

func reportSecretFile(pass *analysis.Pass, in *dockerfile.Instruction, src dockerfile.Word, p, name, dest string, destOK bool, c *credentialFile) {
	what := c.what
	if c.holds != "" {
		what += ", which may contain " + c.holds + ","
	}
	msg := fmt.Sprintf("%s %s copies %s into a layer: it stays readable in the image and in any exported build cache, even if a later step deletes it",
		in.Keyword, name, what)
	help := secretFileHelp(c, p, dest, destOK && in.Copy.From == "")
	pass.Report(analysis.Diagnostic{
		Pos:            src.Pos,
		End:            src.End,
		Message:        msg,
		SuggestedFixes: []analysis.SuggestedFix{{Message: help}},
	})
}
