package rules

import (
	"go/token"
	"path"
	"strings"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// BuildKit's own checks, what `docker build --check` reports, one rule
// each. They are built from BuildKit's rule values (linter.Rule...): the
// rule's name is both its code and its name, its summary is BuildKit's
// description and its URL BuildKit's page. What cachelint adds is in
// bkSpec: the doc's paragraphs, where a finding points and the help line.
// The BuildKit analyzer runs them all at once; each rule reports the
// warnings of its name.

// buildkitVersion is the BuildKit release whose checks cachelint runs, the
// version of github.com/moby/buildkit in go.mod (a test keeps them equal).
const buildkitVersion = "v0.34.2"

// bkSpec is cachelint's part of one of BuildKit's checks.
type bkSpec struct {
	why     string // the "Why it matters" paragraph
	example string // a Dockerfile the check reports (unindented)
	fix     string // the "Fix" paragraph
	good    string // the example fixed (unindented)
	points  string // what a finding points at, completing "cachelint points at "
	notes   string // more paragraphs, if any
	// skipAbove names what a "# check=skip=" comment must be directly
	// above to turn the check off there ("the FROM"); "" when BuildKit
	// honours only the directive at the top of the file.
	skipAbove string
	help      string // the help line of every finding
	// at is where a finding points; nil means the instruction's keyword.
	at func(c *bkFinding) (token.Pos, token.Pos)
	// edits is a mechanical fix, if there is one.
	edits func(c *bkFinding) []analysis.TextEdit
	// keep filters the warnings; nil keeps them all.
	keep func(c *bkFinding) bool
}

// bkFinding is one warning of a check with the instruction it is on.
type bkFinding struct {
	f  *dockerfile.File
	in *dockerfile.Instruction // nil when no instruction starts on its line
	w  BuildKitWarning
}

// newBuildKitCheck builds the analyzer of one of BuildKit's rules.
func newBuildKitCheck[F any](r *linter.LinterRule[F], spec bkSpec) *analysis.Analyzer {
	url := r.URL
	if url == "" {
		url = docURL(r.Name)
	}
	name := r.Name
	return &analysis.Analyzer{
		Name:     name,
		Doc:      buildkitDoc(r.Name, r.Description, r.URL, spec),
		URL:      url,
		Requires: []*analysis.Analyzer{dockerfile.Analyzer, BuildKit},
		Run: func(pass *analysis.Pass) (any, error) {
			f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
			res := pass.ResultOf[BuildKit].(*BuildKitResult)
			category := ""
			if res.ErrorOnWarning {
				category = RaiseToError
			}
			for _, w := range res.Of(name) {
				c := &bkFinding{f: f, in: instructionAt(f, w.StartLine), w: w}
				if spec.keep != nil && !spec.keep(c) {
					continue
				}
				pos, end := c.keyword()
				if spec.at != nil && c.in != nil {
					pos, end = spec.at(c)
				}
				fix := analysis.SuggestedFix{Message: spec.help}
				if spec.edits != nil && c.in != nil {
					fix.TextEdits = spec.edits(c)
				}
				pass.Report(analysis.Diagnostic{
					Pos: pos, End: end, Category: category,
					Message:        w.Message,
					SuggestedFixes: []analysis.SuggestedFix{fix},
				})
			}
			return nil, nil
		},
	}
}

// buildkitDoc writes the doc of one of BuildKit's rules.
func buildkitDoc(name, description, url string, spec bkSpec) string {
	var b strings.Builder
	b.WriteString(summaryOf(description) + "\n\n")
	b.WriteString("Why it matters: " + spec.why + "\n\n")
	if spec.example != "" {
		b.WriteString("Example:\n\n" + indent(spec.example) + "\n")
	}
	b.WriteString("Fix: " + spec.fix + "\n")
	if spec.good != "" {
		b.WriteString("\n" + indent(spec.good))
	}
	how := "How cachelint runs it: this is BuildKit's own check, from BuildKit " + buildkitVersion +
		", which cachelint runs as `docker build --check` does, on its own parse of the file, with BuildKit's " +
		"rule and linter and no daemon or network: every stage, no build arguments, for linux/amd64 " +
		"(windows/amd64 when a stage is built on Windows), each base image standing in as an empty image " +
		"(a test keeps it equal to BuildKit's own run of its checks). The message is BuildKit's. BuildKit gives the lines " +
		"of the instruction; cachelint points at " + spec.points + ". As in a build, \"# check=skip=" + name +
		"\" (or skip=all) as a parser directive at the top of the file turns the check off"
	if spec.skipAbove != "" {
		how += ", and so does the same comment directly above " + spec.skipAbove + " for that instruction alone"
	}
	how += "; \"# check=error=true\" makes its findings errors. Where BuildKit stops at an error (a base " +
		"image name that is empty without build arguments, say), the checks of what follows do not run, " +
		"as in docker build."
	// "# check=..." stays on one line: a line starting "check=" would
	// not read as the directive it is.
	how = strings.ReplaceAll(how, "\"# ", "\"#\x00")
	b.WriteString("\n" + strings.ReplaceAll(wrap(how, 72), "\x00", " ") + "\n")
	if spec.notes != "" {
		b.WriteString("\n" + spec.notes + "\n")
	}
	b.WriteString("\nSources:\n")
	if url != "" {
		b.WriteString("- " + url + "\n")
	}
	b.WriteString("- https://github.com/moby/buildkit/blob/" + buildkitVersion + "/frontend/dockerfile/linter/ruleset.go")
	return b.String()
}

// summaryOf turns BuildKit's description into a rule summary: its first
// letter in lower case unless it starts an acronym (JSON, FROM), no final
// period.
func summaryOf(description string) string {
	s := strings.TrimSuffix(strings.TrimSpace(description), ".")
	if len(s) > 1 && unicode.IsUpper(rune(s[0])) && !unicode.IsUpper(rune(s[1])) {
		s = strings.ToLower(s[:1]) + s[1:]
	}
	return s
}

// wrap fills text into lines of at most width bytes (longer words stand
// alone).
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(text) {
		switch {
		case n == 0:
		case n+1+len(w) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

func indent(code string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(code, "\n"), "\n") {
		if line == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString("    " + line + "\n")
	}
	return b.String()
}

// instructionAt returns the instruction that starts on line, else the one
// that spans it, else nil.
func instructionAt(f *dockerfile.File, line int) *dockerfile.Instruction {
	var spanning *dockerfile.Instruction
	for _, in := range f.Instructions {
		if in.StartLine == line {
			return in
		}
		if spanning == nil && in.StartLine <= line && line <= in.EndLine {
			spanning = in
		}
	}
	return spanning
}

// keyword is the instruction's keyword as written, or BuildKit's first
// line when there is no instruction there.
func (c *bkFinding) keyword() (token.Pos, token.Pos) {
	if c.in == nil {
		line := min(max(c.w.StartLine, 1), max(c.f.Tok.LineCount(), 1))
		if c.f.Tok.LineCount() == 0 {
			return c.f.Pos(0), c.f.Pos(0)
		}
		start := c.f.Tok.LineStart(line)
		return start, start + lineLen(c.f, line)
	}
	return c.in.Pos, c.in.Pos + token.Pos(len(c.in.Keyword))
}

// arg is the instruction's i-th argument (after its flags), or its keyword.
func (c *bkFinding) arg(i int) (token.Pos, token.Pos) {
	if i < len(c.in.Args) {
		return c.in.Args[i].Pos, c.in.Args[i].End
	}
	return c.keyword()
}

// args spans the instruction's arguments.
func (c *bkFinding) args() (token.Pos, token.Pos) {
	if n := len(c.in.Args); n > 0 {
		return c.in.Args[0].Pos, c.in.Args[n-1].End
	}
	return c.keyword()
}

// flag is the instruction's --name flag, or its keyword.
func (c *bkFinding) flag(name string) (token.Pos, token.Pos) {
	if w := flagWord(c.in, "--"+name); w != nil {
		return w.Pos, w.End
	}
	return c.keyword()
}

// quoted returns the text between the first pair of quote characters q of
// BuildKit's message.
func (c *bkFinding) quoted(q string) string {
	_, rest, ok := strings.Cut(c.w.Message, q)
	if !ok {
		return ""
	}
	s, _, _ := strings.Cut(rest, q)
	return s
}

// variable is the first use of $name or ${name...} in the instruction,
// or its keyword.
func (c *bkFinding) variable(name string) (token.Pos, token.Pos) {
	if name == "" {
		return c.keyword()
	}
	f := c.f
	start, end := f.Tok.Offset(c.in.Pos), f.Tok.Offset(c.in.End)
	src := string(f.Src[start:end])
	for i := 0; i < len(src); i++ {
		if src[i] == f.Escape {
			i++ // an escaped character, such as \$, is not a variable
			continue
		}
		if src[i] != '$' {
			continue
		}
		rest := src[i+1:]
		braced := strings.HasPrefix(rest, "{")
		if braced {
			rest = rest[1:]
		}
		if !strings.HasPrefix(rest, name) || len(rest) > len(name) && isNameByte(rest[len(name)]) {
			continue
		}
		n := 1 + len(name)
		if braced {
			n++
			if close := strings.IndexByte(rest, '}'); close >= 0 && !strings.ContainsAny(rest[:close], "\n$") {
				n = 2 + close + 1
			}
		}
		return f.Pos(start + i), f.Pos(start + i + n)
	}
	return c.keyword()
}

// stageName is the AS name of a FROM, or its keyword.
func (c *bkFinding) stageName() (token.Pos, token.Pos) {
	if len(c.in.Args) >= 3 {
		return c.arg(2)
	}
	return c.keyword()
}

// sameCase writes word in the case of the instruction's keyword: upper
// case when the keyword is, else lower case.
func sameCase(in *dockerfile.Instruction, f *dockerfile.File, word string) string {
	kw := string(f.Src[f.Tok.Offset(in.Pos) : f.Tok.Offset(in.Pos)+len(in.Keyword)])
	if kw == strings.ToUpper(kw) {
		return strings.ToUpper(word)
	}
	return strings.ToLower(word)
}

func replaceWord(w dockerfile.Word, text string) []analysis.TextEdit {
	if w.Text == text {
		return nil
	}
	return []analysis.TextEdit{{Pos: w.Pos, End: w.End, NewText: []byte(text)}}
}

// The rules, in the order of BuildKit's ruleset.
var (
	StageNameCasing = newBuildKitCheck(&linter.RuleStageNameCasing, bkSpec{
		skipAbove: "the FROM",
		why: `BuildKit lower-cases stage names, so FROM ... AS Build and
COPY --from=build name the same stage; a name written in capitals looks
like another name than the one the rest of the file uses, and tools that
take a stage name (--target) are written in lower case.`,
		example: "FROM golang:1.23 AS Build\nRUN go build -o /app .\n\nFROM alpine:3.20\nCOPY --from=Build /app /app",
		fix:     "write the stage name in lower case; references to it may stay as they are:",
		good:    "FROM golang:1.23 AS build",
		points:  "the stage name",
		help:    "write the stage name in lower case",
		at:      (*bkFinding).stageName,
		edits: func(c *bkFinding) []analysis.TextEdit {
			if len(c.in.Args) < 3 {
				return nil
			}
			return replaceWord(c.in.Args[2], strings.ToLower(c.in.Args[2].Text))
		},
	})

	FromAsCasing = newBuildKitCheck(&linter.RuleFromAsCasing, bkSpec{
		skipAbove: "the FROM",
		why: `keywords are not case-sensitive, but a FROM in capitals with a
lower-case "as" (or the other way round) reads as a slip and makes the
stage names harder to find.`,
		example: "FROM golang:1.23 as build",
		fix:     "write AS in the case of FROM:",
		good:    "FROM golang:1.23 AS build",
		points:  "the AS keyword",
		help:    "write AS in the same case as FROM",
		at:      func(c *bkFinding) (token.Pos, token.Pos) { return c.arg(1) },
		edits: func(c *bkFinding) []analysis.TextEdit {
			if len(c.in.Args) < 3 {
				return nil
			}
			return replaceWord(c.in.Args[1], sameCase(c.in, c.f, "as"))
		},
	})

	NoEmptyContinuation = newBuildKitCheck(&linter.RuleNoEmptyContinuation, bkSpec{
		why: `an empty line inside an instruction continued with a
backslash is skipped today, so the instruction goes on after it; it is
easily taken for the end of the instruction, and BuildKit plans to reject
it.`,
		example: "FROM alpine:3.20\nRUN apk add --no-cache \\\n\n    curl",
		fix:     "delete the empty line (a comment line is allowed there):",
		good:    "FROM alpine:3.20\nRUN apk add --no-cache \\\n    curl",
		points:  "the first empty line (BuildKit gives the instruction's last line)",
		help:    "delete the empty line inside the instruction",
		at: func(c *bkFinding) (token.Pos, token.Pos) {
			lines := emptyContinuationLines(c)
			if len(lines) == 0 {
				return c.keyword()
			}
			start := c.f.Tok.LineStart(lines[0])
			return start, start + lineLen(c.f, lines[0])
		},
		edits: func(c *bkFinding) []analysis.TextEdit {
			var edits []analysis.TextEdit
			for _, n := range emptyContinuationLines(c) {
				if n >= c.f.Tok.LineCount() {
					continue
				}
				edits = append(edits, analysis.TextEdit{Pos: c.f.Tok.LineStart(n), End: c.f.Tok.LineStart(n + 1)})
			}
			return edits
		},
	})

	ConsistentInstructionCasing = newBuildKitCheck(&linter.RuleConsistentInstructionCasing, bkSpec{
		why: `instructions are not case-sensitive, so a file that mixes cases
builds the same; the odd one out is harder to spot when scanning the file
and suggests it was pasted from elsewhere.`,
		example: "FROM alpine:3.20\nRUN apk add --no-cache curl\ncopy app /app\nCMD [\"/app\"]",
		fix:     "write every instruction in the case most of the file uses:",
		good:    "COPY app /app",
		points:  "the instruction's keyword",
		help:    "write the instruction in the case the rest of the file uses",
		edits: func(c *bkFinding) []analysis.TextEdit {
			upper := strings.Contains(c.w.Message, "(uppercase)")
			kw := strings.ToLower(c.in.Keyword)
			if upper {
				kw = strings.ToUpper(kw)
			}
			pos, end := c.keyword()
			return []analysis.TextEdit{{Pos: pos, End: end, NewText: []byte(kw)}}
		},
	})

	DuplicateStageName = newBuildKitCheck(&linter.RuleDuplicateStageName, bkSpec{
		why: `FROM and COPY --from find a stage by name, and only the last
stage of a name answers to it: what a reference reaches depends on where
it stands, and the earlier stage can no longer be picked with --target.`,
		example: "FROM node:22 AS deps\nRUN npm ci\n\nFROM node:22 AS deps\nRUN npm ci --omit=dev",
		fix:     "give each stage its own name:",
		good:    "FROM node:22 AS deps\nRUN npm ci\n\nFROM node:22 AS prod-deps\nRUN npm ci --omit=dev",
		points:  "the second use of the name",
		help:    "rename one of the stages",
		at:      (*bkFinding).stageName,
	})

	ReservedStageName = newBuildKitCheck(&linter.RuleReservedStageName, bkSpec{
		why: `"scratch" names the empty image and "context" the build
context in FROM and COPY --from; a stage of that name clashes with them,
so a reference may not reach the stage its author meant.`,
		example: "FROM alpine:3.20 AS scratch",
		fix:     "pick another name:",
		good:    "FROM alpine:3.20 AS base",
		points:  "the stage name",
		help:    "rename the stage: scratch and context are reserved",
		at:      (*bkFinding).stageName,
	})

	JSONArgsRecommended = newBuildKitCheck(&linter.RuleJSONArgsRecommended, bkSpec{
		skipAbove: "the instruction",
		why: `in shell form the command runs as "/bin/sh -c '...'": the
shell is the container's main process and most shells do not pass
SIGTERM on, so "docker stop" waits for its timeout and then kills the
program without letting it shut down cleanly. In exec (JSON) form the
program itself receives the signals.`,
		example: "FROM node:22\nCMD node server.js",
		fix:     "write the command as a JSON array (use a shell explicitly, with exec, when it needs one):",
		good:    "CMD [\"node\", \"server.js\"]",
		points:  "the command",
		notes: `BuildKit does not report it in a stage whose SHELL instruction
chose the shell explicitly.`,
		help: `write the command as a JSON array, e.g. CMD ["node", "server.js"]`,
		at:   (*bkFinding).args,
	})

	MaintainerDeprecated = newBuildKitCheck(&linter.RuleMaintainerDeprecated, bkSpec{
		skipAbove: "the instruction",
		why: `MAINTAINER is deprecated: it sets a field of the image
configuration that OCI images do not have. A label is read by every tool
that shows image metadata.`,
		example: "FROM alpine:3.20\nMAINTAINER Jane Doe <jane@example.com>",
		fix:     "use the OCI authors label:",
		good:    "FROM alpine:3.20\nLABEL org.opencontainers.image.authors=\"Jane Doe <jane@example.com>\"",
		points:  "the MAINTAINER keyword",
		help:    `use LABEL org.opencontainers.image.authors="..." instead`,
		edits:   maintainerToLabel,
	})

	UndefinedArgInFrom = newBuildKitCheck(&linter.RuleUndefinedArgInFrom, bkSpec{
		skipAbove: "the FROM",
		why: `a FROM sees only the ARGs declared before the first FROM (and
the predefined platform ARGs). An undeclared one expands to nothing, so
the image name changes silently or becomes invalid.`,
		example: "FROM node:${NODE_VERSION}-alpine",
		fix:     "declare the ARG, with a default, before the first FROM:",
		good:    "ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}-alpine",
		points:  "the variable",
		help:    "declare the ARG before the first FROM",
		at: func(c *bkFinding) (token.Pos, token.Pos) {
			return c.variable(c.quoted("'"))
		},
	})

	WorkdirRelativePath = newBuildKitCheck(&linter.RuleWorkdirRelativePath, bkSpec{
		skipAbove: "the instruction",
		why: `a relative WORKDIR is resolved against the base image's
working directory; when the base image (or its next version) changes it,
every later COPY and RUN of the stage moves with it.`,
		example: "FROM node:22\nWORKDIR app",
		fix:     "use an absolute path:",
		good:    "FROM node:22\nWORKDIR /app",
		points:  "the path",
		notes: `BuildKit reports only the first relative WORKDIR of a stage
that has not set an absolute one. Offline, a path that starts with a
variable the Dockerfile does not set (WORKDIR $HOME, WORKDIR
${LAMBDA_TASK_ROOT}) expands to nothing when the base image sets it; so
that this does not show up as a false finding, cachelint reports such a
path only in a stage whose base image's environment it knows (see
UndefinedVar).`,
		help: "make the WORKDIR absolute",
		at:   func(c *bkFinding) (token.Pos, token.Pos) { return c.arg(0) },
		keep: func(c *bkFinding) bool {
			if c.in == nil || len(c.in.Args) == 0 {
				return true
			}
			name, ok := leadingVariable(c.in.Args[0].Text)
			if !ok {
				return true
			}
			_, set := c.in.Env.Lookup(name)
			return set || imageEnvKnown(c.in.Stage)
		},
	})

	UndefinedVar = newBuildKitCheck(&linter.RuleUndefinedVar, bkSpec{
		skipAbove: "the instruction",
		why: `BuildKit expands variables in most instructions itself
(ENV, ARG, COPY, ADD, WORKDIR, USER, LABEL, EXPOSE, ...; not RUN, whose
shell does it). A variable that is not defined expands to the empty
string without an error: a typo or an ARG not declared in the stage
quietly changes a path or a value.`,
		example: "FROM alpine:3.20\nARG VERSION=1.2\nCOPY app-$VERSON.tar.gz /opt/",
		fix:     "define the variable (ARG or ENV) in the stage, or correct the name:",
		good:    "COPY app-$VERSION.tar.gz /opt/",
		points:  "the variable",
		notes: `Offline, cachelint does not know the environment a base image
sets, where docker build --check reads it from the registry (GOPATH in
golang, PHP_INI_DIR in php, APP_UID in the .NET images). So that this
does not show up as a false finding, an upper-case name is reported only
in a stage built FROM scratch or on one of the distribution images whose
configuration sets nothing but PATH (` + strings.Join(bareImageList, ", ") + `),
directly or through earlier stages. Reported everywhere are a name with
a lower-case letter (images do not set such variables), a name declared
by an ARG before the first FROM (the stage does not see it unless it
declares it again: "ARG NAME" in the stage), and an ENV that sets a
variable to itself (ENV TOKEN=$TOKEN: a build argument was meant).`,
		help: "define the variable with ARG or ENV before this line, or correct its name",
		at: func(c *bkFinding) (token.Pos, token.Pos) {
			return c.variable(strings.TrimPrefix(c.quoted("'"), "$"))
		},
		keep: func(c *bkFinding) bool {
			name := strings.TrimPrefix(c.quoted("'"), "$")
			return strings.ToUpper(name) != name || c.in == nil || imageEnvKnown(c.in.Stage) ||
				globalArg(c.f, name) || setsItself(c.in, name)
		},
	})

	MultipleInstructionsDisallowed = newBuildKitCheck(&linter.RuleMultipleInstructionsDisallowed, bkSpec{
		skipAbove: "the later instruction (the one that takes effect)",
		why: `only the last CMD, ENTRYPOINT or HEALTHCHECK of a stage takes
effect; an earlier one does nothing and misleads whoever reads the file.`,
		example: "FROM node:22\nCMD [\"node\", \"server.js\"]\nCMD [\"npm\", \"start\"]",
		fix:     "keep only the one that should take effect:",
		good:    "FROM node:22\nCMD [\"npm\", \"start\"]",
		points:  "the keyword of the instruction that has no effect (BuildKit reports the earlier one)",
		help:    "remove the instruction: a later one of the same kind replaces it",
	})

	LegacyKeyValueFormat = newBuildKitCheck(&linter.RuleLegacyKeyValueFormat, bkSpec{
		skipAbove: "the instruction",
		why: `"ENV key value" sets one variable to everything after the first
blank, quotes and all, while "ENV key=value" reads quoted words and can
set several variables; the two forms read alike and behave differently,
and the legacy one is deprecated.`,
		example: "FROM node:22\nENV NODE_ENV production",
		fix:     "write key=value, quoting a value that has blanks:",
		good:    "FROM node:22\nENV NODE_ENV=production",
		points:  "the key",
		help:    "write key=value",
		at:      func(c *bkFinding) (token.Pos, token.Pos) { return c.arg(0) },
		edits:   legacyToKeyValue,
	})

	InvalidBaseImagePlatform = newBuildKitCheck(&linter.RuleInvalidBaseImagePlatform, bkSpec{
		why: `the base image has no variant for the platform of the build,
so the registry served another one: its programs run under emulation, or
not at all.`,
		example: "# built with --platform linux/arm64, for an image published for amd64 only\nFROM example.com/tools:1.0",
		fix:     "use an image published for the target platform, or set the stage's --platform on purpose.",
		points:  "the base image",
		notes: `cachelint cannot run this check offline: it needs the base
image's configuration from the registry. It is listed so that
configuration, suppressions and "# check=skip=" name it as docker build
does, and it never reports.`,
		help: "use a base image published for the target platform",
		at:   func(c *bkFinding) (token.Pos, token.Pos) { return c.arg(0) },
	})

	RedundantTargetPlatform = newBuildKitCheck(&linter.RuleRedundantTargetPlatform, bkSpec{
		skipAbove: "the FROM",
		why: `a stage is built for $TARGETPLATFORM unless told otherwise, so
the flag changes nothing; it only makes the FROM longer and suggests
the stage is special.`,
		example: "FROM --platform=$TARGETPLATFORM alpine:3.20",
		fix:     "drop the flag:",
		good:    "FROM alpine:3.20",
		points:  "the --platform flag",
		help:    "remove --platform=$TARGETPLATFORM",
		at:      func(c *bkFinding) (token.Pos, token.Pos) { return c.flag("platform") },
		edits:   deletePlatformFlag,
	})

	SecretsUsedInArgOrEnv = newBuildKitCheck(&linter.RuleSecretsUsedInArgOrEnv, bkSpec{
		skipAbove: "the instruction",
		why: `ARG and ENV values are kept in the image configuration or the
build's history and cache metadata, where anyone who can pull the image
or its cache can read them.`,
		example: "FROM node:22\nARG NPM_TOKEN",
		fix:     "pass the value as a build secret (RUN --mount=type=secret) instead.",
		points:  "the variable's name",
		notes: `Off by default: CL014 secret-in-arg-env reports the same
problem, by the name and the value, with fewer false findings (it knows
PASSWORD_FILE holds a path and VITE_API_KEY is public), and explains the
fix. Select SecretsUsedInArgOrEnv to get BuildKit's findings as well.`,
		help: "pass the value as a build secret (RUN --mount=type=secret) instead",
		at: func(c *bkFinding) (token.Pos, token.Pos) {
			return keyPosition(c.in, c.quoted(`"`))
		},
	})

	InvalidDefaultArgInFrom = newBuildKitCheck(&linter.RuleInvalidDefaultArgInFrom, bkSpec{
		why: `built without --build-arg, the FROM expands to an empty or
invalid image name and the build fails.`,
		example: "ARG TAG\nFROM alpine:$TAG",
		fix:     "give the ARG a default that makes a valid name:",
		good:    "ARG TAG=3.20\nFROM alpine:$TAG",
		points:  "the base image",
		help:    "give the ARG a default value",
		at:      func(c *bkFinding) (token.Pos, token.Pos) { return c.arg(0) },
	})

	FromPlatformFlagConstDisallowed = newBuildKitCheck(&linter.RuleFromPlatformFlagConstDisallowed, bkSpec{
		skipAbove: "the FROM",
		why: `a fixed platform builds the stage for that platform whatever
platform the build is for, so a multi-platform build puts the same
(possibly foreign) binaries in every image.`,
		example: "FROM --platform=linux/amd64 golang:1.23 AS build",
		fix:     "use $BUILDPLATFORM for a stage that only builds (and cross-compile for $TARGETPLATFORM), or leave the flag out:",
		good:    "FROM --platform=$BUILDPLATFORM golang:1.23 AS build",
		points:  "the --platform flag",
		notes: `BuildKit does not report it when the stage's name contains the
platform's OS or architecture (FROM --platform=linux/amd64 ... AS
build-amd64).`,
		help: "use --platform=$BUILDPLATFORM or $TARGETPLATFORM, not a constant",
		at:   func(c *bkFinding) (token.Pos, token.Pos) { return c.flag("platform") },
	})

	CopyIgnoredFile = newBuildKitCheck(&linter.RuleCopyIgnoredFile, bkSpec{
		skipAbove: "the instruction",
		why: `the .dockerignore keeps the file out of the build context, so
the COPY or ADD cannot see it: the build fails with "not found", or a
wildcard copies less than it seems to.`,
		example: "# .dockerignore holds \"*.env\"\nFROM alpine:3.20\nCOPY app.env /etc/app.env",
		fix:     "let the file into the context (remove or narrow the pattern), or stop copying it.",
		points:  "the source BuildKit names",
		notes: `cachelint gives BuildKit the ignore file it finds for the
Dockerfile (<Dockerfile>.dockerignore beside it, else the context's
.dockerignore), as the docker CLI sends it. Like BuildKit, it checks only
when the ignore file has no exception pattern ("!..."), and not the
sources of COPY --from.`,
		help: "remove the source, or let it into the build context in .dockerignore",
		at: func(c *bkFinding) (token.Pos, token.Pos) {
			src := c.quoted(`"`)
			if c.in.Copy != nil {
				for _, w := range c.in.Copy.Sources {
					if path.Clean(strings.Trim(w.Text, `"'`)) == src {
						return w.Pos, w.End
					}
				}
			}
			return c.args()
		},
	})

	InvalidDefinitionDescription = newBuildKitCheck(&linter.RuleInvalidDefinitionDescription, bkSpec{
		skipAbove: "the instruction",
		why: `"docker buildx build --call=outline" and "--call=targets" show
the comment directly above a named FROM or an ARG as its description when
it starts with the name; a comment there that does not is taken for a
description that is wrong.`,
		example: "# check=experimental=InvalidDefinitionDescription\n\n# compiles the server\nFROM golang:1.23 AS build",
		fix: `start the comment with the name, or end the comments above the
instruction with an empty comment line ("#"); an empty line is not
enough, BuildKit reads the comment across it:`,
		good:   "# build compiles the server\nFROM golang:1.23 AS build",
		points: "the comment line",
		notes: `The check is experimental in BuildKit: it runs only in a
file that opts in with "# check=experimental=InvalidDefinitionDescription"
(or experimental=all), in cachelint as in docker build.`,
		help: "start the comment with the name it describes, or separate it from the instruction",
		at: func(c *bkFinding) (token.Pos, token.Pos) {
			n := c.in.StartLine - 1
			for n >= 1 && strings.TrimSpace(c.f.Line(n)) == "" {
				n-- // BuildKit reads the comment across empty lines
			}
			if n >= 1 && strings.HasPrefix(strings.TrimSpace(c.f.Line(n)), "#") {
				start := c.f.Tok.LineStart(n)
				return start, start + lineLen(c.f, n)
			}
			return c.keyword()
		},
	})

	ExposeProtoCasing = newBuildKitCheck(&linter.RuleExposeProtoCasing, bkSpec{
		skipAbove: "the instruction",
		why: `the image configuration names protocols in lower case (tcp,
udp, sctp); an upper-case one is only accepted by chance of parsing.`,
		example: "FROM nginx:1.27\nEXPOSE 80/TCP",
		fix:     "write the protocol in lower case:",
		good:    "FROM nginx:1.27\nEXPOSE 80/tcp",
		points:  "the port",
		help:    "write the protocol in lower case",
		at: func(c *bkFinding) (token.Pos, token.Pos) {
			if w, ok := exposeWord(c); ok {
				return w.Pos, w.End
			}
			return c.args()
		},
		edits: func(c *bkFinding) []analysis.TextEdit {
			w, ok := exposeWord(c)
			i := strings.LastIndexByte(w.Text, '/')
			if !ok || i < 0 {
				return nil
			}
			return replaceWord(w, w.Text[:i]+strings.ToLower(w.Text[i:]))
		},
	})

	ExposeInvalidFormat = newBuildKitCheck(&linter.RuleExposeInvalidFormat, bkSpec{
		skipAbove: "the instruction",
		why: `EXPOSE documents the ports the container listens on; it
cannot bind a host address or choose a host port, which is what
"docker run -p" does. BuildKit drops that part and plans to reject it.`,
		example: "FROM nginx:1.27\nEXPOSE 127.0.0.1:8080:80",
		fix:     "expose the container port only, and publish it when running the container:",
		good:    "FROM nginx:1.27\nEXPOSE 80",
		points:  "the port",
		help:    "expose only the container port; publish it with docker run -p",
		at: func(c *bkFinding) (token.Pos, token.Pos) {
			if w, ok := exposeWord(c); ok {
				return w.Pos, w.End
			}
			return c.args()
		},
	})
)

// exposeWord is the EXPOSE argument BuildKit's message quotes (after
// expansion): the word as written, else the only word with variables that
// ends in the same protocol.
func exposeWord(c *bkFinding) (dockerfile.Word, bool) {
	port := c.quoted("'")
	var found []dockerfile.Word
	for _, w := range c.in.Args {
		text := strings.Trim(w.Text, `"'`)
		if text == port {
			return w, true
		}
		if i, j := strings.LastIndexByte(text, '/'), strings.LastIndexByte(port, '/'); i >= 0 && j >= 0 &&
			strings.Contains(text, "$") && text[i:] == port[j:] {
			found = append(found, w)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return dockerfile.Word{}, false
}

// emptyContinuationLines are the blank lines inside the continued part of
// the instruction, which ends on the line BuildKit gives.
func emptyContinuationLines(c *bkFinding) []int {
	var lines []int
	for n := c.in.StartLine + 1; n <= min(c.w.StartLine, c.in.EndLine); n++ {
		if strings.TrimSpace(c.f.Line(n)) == "" {
			lines = append(lines, n)
		}
	}
	return lines
}

// maintainerToLabel replaces a one-line MAINTAINER with the OCI authors
// label, the value quoted.
func maintainerToLabel(c *bkFinding) []analysis.TextEdit {
	in, f := c.in, c.f
	if in.StartLine != in.EndLine || len(in.Args) == 0 {
		return nil
	}
	start, end := f.Tok.Offset(in.Args[0].Pos), f.Tok.Offset(in.Args[len(in.Args)-1].End)
	value := string(f.Src[start:end])
	esc := string(f.Escape)
	value = strings.NewReplacer(esc, esc+esc, `"`, esc+`"`, "$", esc+"$").Replace(value)
	text := sameCase(in, f, "label") + ` org.opencontainers.image.authors="` + value + `"`
	return []analysis.TextEdit{{Pos: in.Pos, End: in.Args[len(in.Args)-1].End, NewText: []byte(text)}}
}

// legacyToKeyValue turns "ENV key value" into "ENV key=value" when the
// value is one word, so that nothing needs quoting.
func legacyToKeyValue(c *bkFinding) []analysis.TextEdit {
	in := c.in
	if len(in.Args) != 2 || in.StartLine != in.EndLine || strings.Contains(in.Args[0].Text, "=") {
		return nil
	}
	return []analysis.TextEdit{{Pos: in.Args[0].End, End: in.Args[1].Pos, NewText: []byte("=")}}
}

// deletePlatformFlag removes a FROM's --platform flag and the blanks
// after it.
func deletePlatformFlag(c *bkFinding) []analysis.TextEdit {
	w := flagWord(c.in, "--platform")
	if w == nil || len(c.in.Args) == 0 {
		return nil
	}
	next := c.in.Args[0].Pos
	for _, fl := range c.in.Flags {
		if fl.Pos > w.Pos {
			next = fl.Pos
			break
		}
	}
	if c.f.Tok.Line(w.Pos) != c.f.Tok.Line(next) {
		return nil // the flag ends a continued line: leave the layout alone
	}
	return []analysis.TextEdit{{Pos: w.Pos, End: next}}
}

// leadingVariable returns the name of the variable a word starts with
// ($NAME or ${NAME...}), quotes aside.
func leadingVariable(word string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimLeft(word, `"'`), "$")
	if !ok {
		return "", false
	}
	rest = strings.TrimPrefix(rest, "{")
	n := 0
	for n < len(rest) && isNameByte(rest[n]) {
		n++
	}
	return rest[:n], n > 0
}

// globalArg reports whether an ARG before the first FROM declares name.
func globalArg(f *dockerfile.File, name string) bool {
	for _, in := range f.MetaArgs {
		if a, ok := in.Command.(*instructions.ArgCommand); ok {
			for _, kv := range a.Args {
				if kv.Key == name {
					return true
				}
			}
		}
	}
	return false
}

// setsItself reports whether in is an ENV that sets name to $name.
func setsItself(in *dockerfile.Instruction, name string) bool {
	e, ok := in.Command.(*instructions.EnvCommand)
	if !ok {
		return false
	}
	for _, kv := range e.Env {
		if kv.Key == name && (kv.Value == "$"+name || kv.Value == "${"+name+"}") {
			return true
		}
	}
	return false
}

// bareImageList are the Docker Hub distribution images whose configuration
// sets no environment variable but PATH.
var bareImageList = []string{"alpine", "busybox", "centos", "debian", "rockylinux", "ubuntu"}

// imageEnvKnown reports whether the environment a stage inherits from its
// base image is known to be empty (but for PATH): it is built, directly or
// through earlier stages, FROM scratch or on one of bareImageList.
func imageEnvKnown(s *dockerfile.Stage) bool {
	if s == nil {
		return true // before the first FROM: no image
	}
	for s.BaseStage != nil {
		s = s.BaseStage
	}
	if strings.EqualFold(s.BaseImage, "scratch") {
		return true
	}
	ref := parseImageRef(s.BaseImage)
	if ref.Registry != "" || strings.ContainsAny(ref.Repo, "${}") {
		return false
	}
	for _, name := range bareImageList {
		if ref.Repo == name {
			return true
		}
	}
	return false
}
