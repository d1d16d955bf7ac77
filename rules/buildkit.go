package rules

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/patternmatcher"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildcontext"
	"github.com/cachelint/cachelint/dockerfile"
)

// BuildKit runs BuildKit's own Dockerfile checks, what `docker build
// --check` reports, once per Dockerfile, offline and on cachelint's own
// model of the file. Each of BuildKit's checks is a rule (see
// buildkit_checks.go) that requires this analyzer and reports its own
// warnings from the result.
//
// BuildKit runs its checks in two places: its instruction parser, whose
// warnings the model records as it parses (File.ParseWarnings), and the
// conversion to LLB (dockerfile2llb), which this analyzer follows step by
// step on the model (buildkit_stages.go, buildkit_dispatch.go): every
// stage, as `docker build --check` converts them, without build
// arguments, for linux/amd64, or windows/amd64 when a stage is built on
// Windows. Each base image stands in as an empty image: offline there is
// no configuration to read.
//
// The checks are BuildKit's values (linter.Rule...: names, messages) run
// through BuildKit's linter, configured by the "# check=" directive and
// the check comments above each instruction as in a build; "error=true"
// is in the result for the rules to make their findings errors. Where the
// conversion stops at an error, so do the checks (BuildKitResult.Err).
//
// What it does not follow of BuildKit (none of it occurs in the fixtures
// or the corpus; TestBuildKitParity compares the two):
//   - errors of Windows paths (drive letters in COPY, --parents), of ADD
//     from git (--keep-git-dir against the URL's, two checksums), and of a
//     SOURCE_DATE_EPOCH that names a stage: the conversion goes on where
//     BuildKit would stop;
//   - the message of an error: Err says that the conversion stopped, not
//     always in BuildKit's words (with several bad base images, BuildKit
//     reports one of them at random);
//   - among names equally close to an undeclared ARG of a FROM, BuildKit
//     suggests one at random, cachelint the first in sorted order.
var BuildKit = &analysis.Analyzer{
	Name:             "buildkit",
	Doc:              "runs BuildKit's Dockerfile checks (docker build --check) on the Dockerfile model, offline",
	Requires:         []*analysis.Analyzer{dockerfile.Analyzer, buildcontext.Analyzer},
	Run:              runBuildKit,
	ResultType:       reflect.TypeFor[*BuildKitResult](),
	RunDespiteErrors: true,
}

// BuildKitResult is what BuildKit's checks found in a Dockerfile.
type BuildKitResult struct {
	Warnings []BuildKitWarning // in the order BuildKit reports them
	// ErrorOnWarning is set when the Dockerfile's check directive says
	// error=true: BuildKit then fails the build on any warning.
	ErrorOnWarning bool
	// Err is the error that stops BuildKit's conversion (a stage that
	// cannot be resolved, a bad check directive ...), nil when there is
	// none. The checks of what came before it are in Warnings: a build
	// with `docker build --check` stops there too.
	Err error
}

// BuildKitWarning is one warning of one of BuildKit's checks.
type BuildKitWarning = dockerfile.CheckWarning

// Of returns the warnings of one rule.
func (r *BuildKitResult) Of(rule string) []BuildKitWarning {
	var out []BuildKitWarning
	for _, w := range r.Warnings {
		if w.Rule == rule {
			out = append(out, w)
		}
	}
	return out
}

func runBuildKit(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	ctx := pass.ResultOf[buildcontext.Analyzer].(*buildcontext.Context)
	return buildkitChecks(f, ctx), nil
}

// buildkitChecks runs BuildKit's checks on f, with the .dockerignore of
// ctx, in the order and up to the point `docker build --check` runs them.
func buildkitChecks(f *dockerfile.File, ctx *buildcontext.Context) *BuildKitResult {
	res := &BuildKitResult{}
	if f.ParseErr != nil {
		// BuildKit's conversion starts with the same parse and stops
		// there; CL900 reports the error.
		return res
	}
	cfg := &linter.Config{}
	if v, ok := f.Directive("check"); ok {
		c, err := linter.ParseLintOptions(v)
		if err != nil {
			res.Err = fmt.Errorf("failed to parse check options: %w", err)
			return res
		}
		cfg = c
	}
	res.ErrorOnWarning = cfg.ReturnAsError
	res.Warnings = append(res.Warnings, f.ParseWarnings...)
	if in := f.Rejected; in != nil {
		res.Err = fmt.Errorf("dockerfile parse error on line %d: %w", in.StartLine, in.Err)
		return res
	}
	if len(f.Stages) == 0 {
		res.Err = errors.New("dockerfile contains no stages to build")
		return res
	}
	cfg.Warn = func(rule, _, _, msg string, loc []parser.Range) {
		w := BuildKitWarning{Rule: rule, Message: msg}
		if len(loc) > 0 {
			w.StartLine, w.EndLine = loc[0].Start.Line, loc[0].End.Line
		}
		res.Warnings = append(res.Warnings, w)
	}
	platform := linuxPlatform
	if slices.ContainsFunc(f.Stages, IsWindows) {
		platform = windowsPlatform
	}
	cv := &conversion{
		f:        f,
		lint:     linter.New(cfg),
		lex:      f.Lex(),
		platform: platform,
		ignore:   copyIgnoreMatcher(ctx),
	}
	if err := cv.run(); err != nil {
		res.Err = err
		return res
	}
	if cfg.ReturnAsError && len(res.Warnings) > 0 {
		var names []string
		for _, w := range res.Warnings {
			if !slices.Contains(names, w.Rule) {
				names = append(names, w.Rule)
			}
		}
		res.Err = fmt.Errorf("lint violation found for rules: %s", strings.Join(names, ", "))
	}
	return res
}

var (
	linuxPlatform   = ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	windowsPlatform = ocispecs.Platform{OS: "windows", Architecture: "amd64"}
)

// conversion follows BuildKit's conversion of a Dockerfile to LLB
// (dockerfile2llb's toDispatchState) for its checks: each step that
// checks, or stops the conversion with an error, and the state the checks
// read (variables, working directory, SHELL, which stages are built).
type conversion struct {
	f        *dockerfile.File
	lint     *linter.Linter // the file's; each instruction merges its comments
	lex      *shell.Lex     // the file's lexer (its escape character)
	rawLex   *shell.Lex     // BuildKit's lexer for heredocs, made when needed
	platform ocispecs.Platform
	ignore   *patternmatcher.PatternMatcher // nil: CopyIgnoredFile does not check

	global   *bkEnv          // the global scope: platform ARGs and ARGs before the first FROM
	metaArgs map[string]bool // names the ARGs before the first FROM declare
	stages   []*bkStage      // the stages, then the images COPY --from and RUN --mount name
	byName   map[string]*bkStage
	refs     map[string]error // badReference's answers
}

// run converts the file, stopping at BuildKit's first error.
func (cv *conversion) run() error {
	cv.checkStageNames()
	cv.checkCasing()
	if err := cv.globalArgs(); err != nil {
		return err
	}
	if err := cv.addStages(); err != nil {
		return err
	}
	if err := cv.linkStages(); err != nil {
		return err
	}
	if err := cv.resolveStages(); err != nil {
		return err
	}
	for _, s := range cv.stages {
		if err := cv.dispatch(s); err != nil {
			return err
		}
	}
	return nil
}

// linterFor is the file's linter with the check comments above an
// instruction merged in. BuildKit reads each comment as a directive; only
// one that says "check" can be a check comment.
func (cv *conversion) linterFor(comments []string) *linter.Linter {
	if !slices.ContainsFunc(comments, func(c string) bool { return strings.Contains(strings.ToLower(c), "check") }) {
		return cv.lint
	}
	return cv.lint.WithMergedConfigFromComments(comments)
}

// copyIgnoreMatcher is the matcher of the context's .dockerignore when
// BuildKit's CopyIgnoredFile checks with it: it has patterns, and none of
// them is an exception ("!..."), with which BuildKit does not check.
func copyIgnoreMatcher(ctx *buildcontext.Context) *patternmatcher.PatternMatcher {
	if ctx == nil || ctx.IgnoreErr != nil || len(ctx.Patterns()) == 0 {
		return nil
	}
	m := ctx.Matcher()
	if m == nil || m.Exclusions() {
		return nil
	}
	return m
}
