package rules

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerui"
	subrequestslint "github.com/moby/buildkit/frontend/subrequests/lint"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildcontext"
	"github.com/cachelint/cachelint/dockerfile"
)

// BuildKit runs BuildKit's own Dockerfile checks, what `docker build
// --check` reports, once per Dockerfile, in process and offline. Each of
// BuildKit's checks is a rule (see buildkit_checks.go) that requires this
// analyzer and reports its own warnings from the result.
//
// It converts the Dockerfile with BuildKit's
// dockerfile2llb.DockerfileLint, which runs the checks of the instruction
// parser (instructions.Parse, through linter.New) and those of the
// conversion to LLB. DockerfileLint needs no daemon when given a source
// map with a definition, an image resolver and, for CopyIgnoredFile, a
// client that can read the context's .dockerignore: offlineImages and
// offlineGateway stand in for the daemon. The conversion is of every stage
// (as `docker build --check` does), without build arguments, for
// linux/amd64, or windows/amd64 when a stage is built on Windows.
//
// BuildKit reads the "# check=" directive itself: skip= and the comments
// above an instruction turn its checks off as in a build, and
// "error=true" is in the result for the rules to make their findings
// errors.
var BuildKit = &analysis.Analyzer{
	Name:             "buildkit",
	Doc:              "runs BuildKit's Dockerfile checks (docker build --check) on the Dockerfile, in process and offline",
	Requires:         []*analysis.Analyzer{dockerfile.Analyzer, buildcontext.Analyzer},
	Run:              runBuildKit,
	ResultType:       reflect.TypeFor[*BuildKitResult](),
	RunDespiteErrors: true,
}

// BuildKitResult is what BuildKit's checks found in a Dockerfile.
type BuildKitResult struct {
	Warnings []BuildKitWarning // in the order BuildKit reported them
	// ErrorOnWarning is set when the Dockerfile's check directive says
	// error=true: BuildKit then fails the build on any warning.
	ErrorOnWarning bool
	// Err is the error that stopped BuildKit's conversion (a stage that
	// cannot be resolved, a bad check directive ...), nil when there was
	// none. The checks of what came before it are in Warnings: a build
	// with `docker build --check` stops there too.
	Err error
}

// BuildKitWarning is one warning of one of BuildKit's checks.
type BuildKitWarning struct {
	Rule    string // BuildKit's rule name, e.g. JSONArgsRecommended
	Message string // BuildKit's message
	// StartLine and EndLine are the lines (1-based) BuildKit gives: those
	// of the instruction it reports, 0 when it gives none.
	StartLine, EndLine int
}

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

var (
	linuxPlatform   = ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	windowsPlatform = ocispecs.Platform{OS: "windows", Architecture: "amd64"}
)

func runBuildKit(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	res := &BuildKitResult{}
	if f.ParseErr != nil {
		// BuildKit's conversion starts with the same parse and stops
		// there; CL900 reports the error.
		return res, nil
	}
	if v, ok := f.Directive("check"); ok {
		if cfg, err := linter.ParseLintOptions(v); err == nil {
			res.ErrorOnWarning = cfg.ReturnAsError
		}
	}

	platform := linuxPlatform
	if slices.ContainsFunc(f.Stages, IsWindows) {
		platform = windowsPlatform
	}
	source := llb.NewSourceMap(nil, f.Name, "Dockerfile", f.Src)
	source.Definition = &llb.Definition{}
	opt := dockerfile2llb.ConvertOpt{
		Config:         dockerui.Config{BuildPlatforms: []ocispecs.Platform{platform}},
		SourceMap:      source,
		TargetPlatform: &platform,
		MetaResolver:   offlineImages{},
		LLBCaps:        &allLLBCaps,
	}
	ctx := pass.ResultOf[buildcontext.Analyzer].(*buildcontext.Context)
	if ignoreMayExclude(ctx) {
		data, err := pass.ReadFile(ctx.IgnoreFile)
		if err != nil {
			return nil, err
		}
		if opt.Client, err = newIgnoreClient(data); err != nil {
			return nil, err
		}
	}

	lint, err := dockerfileLint(f.Src, opt)
	if err != nil {
		res.Err = err
		return res, nil
	}
	for _, w := range lint.Warnings {
		bw := BuildKitWarning{Rule: w.RuleName, Message: w.Detail}
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			r := w.Location.Ranges[0]
			bw.StartLine, bw.EndLine = int(r.GetStart().GetLine()), int(r.GetEnd().GetLine())
		}
		res.Warnings = append(res.Warnings, bw)
	}
	if lint.Error != nil {
		res.Err = errors.New(lint.Error.Message)
	}
	return res, nil
}

// ignoreMayExclude reports whether the context's ignore file can make
// BuildKit's CopyIgnoredFile report: it has patterns, and none of them
// is an exception ("!..."), with which BuildKit does not check.
func ignoreMayExclude(ctx *buildcontext.Context) bool {
	if ctx == nil || ctx.IgnoreFile == "" || ctx.IgnoreErr != nil {
		return false
	}
	ps := ctx.Patterns()
	return len(ps) > 0 && !slices.ContainsFunc(ps, func(p string) bool { return strings.HasPrefix(p, "!") })
}

// dockerfileLint runs DockerfileLint, turning a panic in BuildKit into an
// error so that a file BuildKit chokes on costs its checks, not the run.
func dockerfileLint(src []byte, opt dockerfile2llb.ConvertOpt) (res *subrequestslint.LintResults, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("BuildKit's checks failed: %v", r)
		}
	}()
	return dockerfile2llb.DockerfileLint(context.Background(), src, opt)
}
