package rules

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/dfgitutil"

	"github.com/cachelint/cachelint/dockerfile"
)

// What cachelint knows about fetching things from the network: the
// programs that download URLs, git's command line, and the words that make
// a URL or a Git ref move. Used by remote-add-without-checksum,
// base-image-unpinned and stale-remote-fetch.

// downloaders are the programs whose URL operands are fetched, with the
// flags whose value is a URL that is not downloaded (a proxy, a referer).
var downloaders = map[string]map[string]bool{
	"curl": {"-x": true, "--proxy": true, "--preproxy": true, "-e": true, "--referer": true, "--doh-url": true, "--proxy1.0": true},
	"wget": {"-e": true, "--execute": true, "--referer": true},
}

// gitGlobalFlagsWithValue are the options before git's subcommand that take
// the next argument as their value.
var gitGlobalFlagsWithValue = map[string]bool{
	"-C": true, "-c": true, "--git-dir": true, "--work-tree": true, "--namespace": true,
	"--config-env": true, "--super-prefix": true, "--attr-source": true, "--list-cmds": true,
}

// gitCloneFlagsWithValue are the options of `git clone` that take the next
// argument as their value (git 2.49).
var gitCloneFlagsWithValue = map[string]bool{
	"-b": true, "--branch": true, "-o": true, "--origin": true, "-u": true, "--upload-pack": true,
	"--template": true, "-c": true, "--config": true, "--depth": true, "--shallow-since": true,
	"--shallow-exclude": true, "--reference": true, "--reference-if-able": true,
	"--separate-git-dir": true, "-j": true, "--jobs": true, "--filter": true,
	"--server-option": true, "--bundle-uri": true, "--revision": true, "--ref-format": true,
}

// gitRefFlagsWithValue are, per subcommand that moves HEAD, the options
// whose value is not the ref checked out: a new branch's name.
var gitRefFlagsWithValue = map[string]map[string]bool{
	"checkout": {"-b": true, "-B": true, "--orphan": true, "--pathspec-from-file": true},
	"switch":   {"-c": true, "-C": true, "--create": true, "--force-create": true, "--orphan": true},
	"reset":    {"--pathspec-from-file": true},
}

// movingWords make any part of a URL's path or query move: a URL with
// "latest" or "nightly" in it names whatever is newest today.
var movingWords = map[string]bool{"latest": true, "nightly": true}

// branchNames are the usual default branch names; a URL path segment that
// is one of them, or git's HEAD (raw/main/install.sh, archive/master.zip),
// names the tip of a branch.
var branchNames = map[string]bool{"main": true, "master": true}

// archiveExts are the suffixes of a branch archive (archive/main.tar.gz).
var archiveExts = []string{".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip"}

var (
	// commitLike is a full or abbreviated commit hash (SHA-1 or SHA-256).
	commitLike = regexp.MustCompile(`^[0-9a-fA-F]{7,40}$|^[0-9a-fA-F]{64}$`)
	// versionLike is a release tag: v1.2, 1.2.3, v2.0.0-rc1, 1.21+build.
	versionLike = regexp.MustCompile(`^[vV]?\d+(\.\d+)+([-+_.].*)?$`)
	// taggedVersion is a tag with a name before a full version or a date:
	// jq-1.7.1, curl-8_4_0, OpenSSL_1_1_1w, go1.22.3, release-2024-01-15.
	// A name and a two-part version (release-1.2, openssl-3.0) is usually
	// a maintenance branch and does not match.
	taggedVersion = regexp.MustCompile(`\d+[._]\d+[._]\d+|\d{4}-\d{2}-\d{2}`)
)

// refKind says what a Git ref (a branch or tag name, a commit) pins.
type refKind int

const (
	refUnknown refKind = iota // depends on a variable
	refBranch                 // a branch or anything that may move
	refTag                    // a release tag: stable in practice
	refCommit                 // a commit hash
)

// classifyRef tells a commit hash and a release tag from a branch name.
// value is the ref with unknown parts replaced by unknownMark.
func classifyRef(value string) refKind {
	switch {
	case strings.Contains(value, unknownMark):
		return refUnknown
	case commitLike.MatchString(value):
		return refCommit
	}
	v := value
	if t, ok := strings.CutPrefix(v, "refs/tags/"); ok {
		return refKindOfTag(t)
	}
	if t, ok := strings.CutPrefix(v, "tags/"); ok {
		return refKindOfTag(t)
	}
	if strings.HasPrefix(v, "refs/heads/") || hasBranchWord(v) {
		return refBranch // named as a branch: refs/heads/..., 3.24-stable, 2.x
	}
	if versionLike.MatchString(v) || taggedVersion.MatchString(v) {
		return refTag
	}
	return refBranch
}

// refKindOfTag classifies an explicit tag: a tag named like a moving
// pointer (latest, nightly) moves; any other tag is treated as released.
func refKindOfTag(t string) refKind {
	if movingPart(t) != "" {
		return refBranch
	}
	return refTag
}

// branchWords in a ref name mark a branch even next to a version:
// 3.24-stable, 1.x, release-2.0-dev, v3-maint.
var branchWords = toSet("stable branch dev devel develop maint maintenance main master trunk head next latest nightly snapshot x")

func toSet(lists ...string) map[string]bool {
	m := map[string]bool{}
	for _, l := range lists {
		for _, w := range strings.Fields(l) {
			m[w] = true
		}
	}
	return m
}

func hasBranchWord(ref string) bool {
	for _, w := range strings.FieldsFunc(ref, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if branchWords[strings.ToLower(w)] {
			return true
		}
	}
	return false
}

// unknownMark stands for a part of a word whose value is not known here (a
// variable without a default, a command substitution).
const unknownMark = "\x00"

// markedEnv resolves known variables and turns any other into unknownMark,
// so that the expanded word shows where the unknown parts are.
type markedEnv struct {
	env  *dockerfile.Env
	used []string // known variables the word refers to, in order
}

func (m *markedEnv) Get(name string) (string, bool) {
	if v, ok := m.env.Get(name); ok {
		m.used = append(m.used, name)
		return v, true
	}
	return unknownMark, true
}

func (m *markedEnv) Keys() []string { return m.env.Keys() }

// expandMarked expands an instruction word as BuildKit does (quotes
// removed, variables replaced), with unknownMark for unknown values. It
// also returns the known variables the word used. ok is false when the word
// cannot be expanded.
func expandMarked(f *dockerfile.File, env *dockerfile.Env, word string) (value string, used []string, ok bool) {
	if !strings.ContainsAny(word, "$'\"\\`") {
		return word, nil, true
	}
	m := &markedEnv{env: env}
	res, err := f.Lex().ProcessWordWithMatches(word, m)
	if err != nil {
		return "", nil, false
	}
	return res.Result, m.used, true
}

// markUnknown returns the value of a shell argument with each part the
// walker could not resolve ($VAR, ${VAR...}, $(...), `...`) replaced by
// unknownMark. Literal arguments are scanned too: a variable assigned a
// command's output earlier in the RUN (V=$(curl ...)) is substituted with
// the command's text.
func markUnknown(a dockerfile.Arg) string {
	s := a.Value
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '`':
			j := strings.IndexByte(s[i+1:], '`')
			if j < 0 {
				i = len(s)
			} else {
				i += j + 1
			}
			b.WriteString(unknownMark)
		case c == '$' && i+1 < len(s) && (s[i+1] == '{' || s[i+1] == '(' || s[i+1] == '['):
			open := s[i+1]
			closer := map[byte]byte{'{': '}', '(': ')', '[': ']'}[open]
			depth := 0
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == open {
					depth++
				} else if s[j] == closer {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			i = j
			b.WriteString(unknownMark)
		case c == '$' && i+1 < len(s) && (isNameByte(s[i+1]) || strings.IndexByte("@*#?$!-0123456789", s[i+1]) >= 0):
			j := i + 1
			if isNameByte(s[j]) && (s[j] < '0' || s[j] > '9') {
				for j < len(s) && isNameByte(s[j]) {
					j++
				}
				i = j - 1
			} else {
				i = j
			}
			b.WriteString(unknownMark)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isHTTPURL reports whether s starts with a literal http:// or https://.
func isHTTPURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// unknownWord stands for unknownMark where a URL parser must accept it.
const unknownWord = "cachelint-unknown"

// gitSource parses an ADD source as BuildKit does and returns it when it
// is a Git repository (https://host/repo.git, git@host:repo, ssh://,
// git://, each with an optional #ref:subdir or ?ref=). Unknown parts come
// back as unknownMark.
func gitSource(value string) *dfgitutil.GitRef {
	ref, isGit, err := dfgitutil.ParseGitRef(strings.ReplaceAll(value, unknownMark, unknownWord))
	if err != nil || !isGit || ref == nil || ref.IndistinguishableFromLocal {
		return nil
	}
	for _, s := range []*string{&ref.Remote, &ref.Ref, &ref.Checksum, &ref.SubDir} {
		*s = strings.ReplaceAll(*s, unknownWord, unknownMark)
	}
	return ref
}

// movingPart returns the part of a URL path segment, a query value or a
// ref that names something that moves: "latest", "nightly", or a branch
// name (main, master, HEAD) as the whole segment or archive name; "" when
// there is none. Unknown parts never match.
func movingPart(seg string) string {
	for _, w := range strings.FieldsFunc(seg, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if movingWords[strings.ToLower(w)] {
			return w
		}
	}
	base := seg
	for _, ext := range archiveExts {
		if b, ok := strings.CutSuffix(base, ext); ok {
			base = b
			break
		}
	}
	if base == "HEAD" || branchNames[strings.ToLower(base)] {
		return base
	}
	return ""
}

// movingURLPart returns what makes an http(s) URL name a moving target:
// a path segment or a query value for which movingPart is not "". u is the
// URL with unknown parts marked.
func movingURLPart(u string) string {
	parsed, err := url.Parse(strings.ReplaceAll(u, unknownMark, "_"))
	if err != nil || parsed.Host == "" {
		return ""
	}
	p := parsed.EscapedPath()
	for _, seg := range strings.Split(p, "/") {
		if s, err := url.PathUnescape(seg); err == nil {
			seg = s
		}
		// A release or commit named before the moving word pins what
		// follows: gitlab.com/o/r/-/archive/2.1.0/r-latest.tar.gz,
		// releases/download/v1.2/tool-nightly.
		if commitLike.MatchString(seg) || versionLike.MatchString(seg) {
			return ""
		}
		if m := movingPart(seg); m != "" {
			return m
		}
	}
	for _, vs := range parsed.Query() {
		for _, v := range vs {
			if m := movingPart(v); m != "" {
				return m
			}
		}
	}
	return ""
}

// withoutUserinfo drops the user and password of a scheme://user:pw@host
// URL: they may hold a token.
func withoutUserinfo(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndexByte(rest[:end], '@'); at >= 0 {
		return s[:i+3] + rest[at+1:]
	}
	return s
}

// displayURL is a URL as a message shows it: without user information
// (which may hold a token) or query (which may hold a signature), and
// shortened when long.
func displayURL(s string) string {
	s = withoutUserinfo(strings.ReplaceAll(s, unknownMark, "…"))
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i] + "?…"
	}
	if len(s) > 100 {
		s = s[:97] + "..."
	}
	return s
}
