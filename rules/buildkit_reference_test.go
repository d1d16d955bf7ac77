package rules

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/cachelint/cachelint/buildcontext"
	"github.com/cachelint/cachelint/dockerfile"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerui"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	subrequestslint "github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// The reference for the BuildKit analyzer: BuildKit's own
// dockerfile2llb.DockerfileLint, run in process and offline, as cachelint
// ran it before it ran the checks on its own model. The parity test
// (buildkit_parity_test.go) compares the two.
//
// What BuildKit's Dockerfile frontend asks of a BuildKit daemon, answered
// in process and offline for its checks:
//   - the configuration of each base image: offlineImages answers with an
//     empty one;
//   - the build context's .dockerignore, for CopyIgnoredFile: BuildKit asks
//     its gateway client to solve a local source and reads the file from
//     the result; offlineGateway hands over the ignore file cachelint found.

// allLLBCaps says that every LLB feature is there: the checks should not
// depend on what a daemon supports.
var allLLBCaps = pb.Caps.CapSet(pb.Caps.All())

// noGatewayCaps says that the gateway has none of its optional features:
// dockerui.Client then reads the build context from Solve, not from
// frontend inputs.
var noGatewayCaps = gwpb.Caps.CapSet(nil)

// offlineImages stands in for a registry: every base image has an empty
// configuration (no environment, no layers, no platform). BuildKit then
// builds the stage on an empty file system, which does not change what its
// checks report, but for InvalidBaseImagePlatform (it compares the image's
// platform with the target) and UndefinedVar (the image's ENV is not
// known).
type offlineImages struct{}

func (offlineImages) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return ref, "", []byte("{}"), nil
}

var errOffline = errors.New("not available offline")

// offlineGateway is the part of a BuildKit gateway client that
// dockerui.Client uses to read the build context's .dockerignore: Solve
// returns a reference whose only file is that .dockerignore. Everything
// else fails.
type offlineGateway struct {
	dockerignore []byte
}

var _ gateway.Client = (*offlineGateway)(nil)

// newIgnoreClient returns a dockerui.Client whose build context holds only
// the given .dockerignore.
func newIgnoreClient(dockerignore []byte) (*dockerui.Client, error) {
	return dockerui.NewClient(&offlineGateway{dockerignore: dockerignore})
}

func (g *offlineGateway) BuildOpts() gateway.BuildOpts {
	return gateway.BuildOpts{Opts: map[string]string{}, LLBCaps: allLLBCaps, Caps: noGatewayCaps}
}

func (g *offlineGateway) Solve(context.Context, gateway.SolveRequest) (*gateway.Result, error) {
	res := gateway.NewResult()
	res.SetRef(ignoreRef(g.dockerignore))
	return res, nil
}

func (g *offlineGateway) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return offlineImages{}.ResolveImageConfig(ctx, ref, opt)
}

func (g *offlineGateway) ResolveSourceMetadata(context.Context, *pb.SourceOp, sourceresolver.Opt) (*sourceresolver.MetaResponse, error) {
	return nil, errOffline
}

func (g *offlineGateway) Inputs(context.Context) (map[string]llb.State, error) {
	return nil, nil
}

func (g *offlineGateway) NewContainer(context.Context, gateway.NewContainerRequest) (gateway.Container, error) {
	return nil, errOffline
}

func (g *offlineGateway) Warn(context.Context, digest.Digest, string, gateway.WarnOpts) error {
	return nil
}

// ignoreRef is a solved build context that holds only its .dockerignore.
type ignoreRef []byte

func (r ignoreRef) has(name string) bool { return name == dockerui.DefaultDockerignoreName }

func (r ignoreRef) ToState() (llb.State, error) { return llb.Scratch(), nil }

func (r ignoreRef) Evaluate(context.Context) error { return nil }

func (r ignoreRef) ReadFile(_ context.Context, req gateway.ReadRequest) ([]byte, error) {
	if !r.has(req.Filename) {
		return nil, fs.ErrNotExist
	}
	data := []byte(r)
	if rg := req.Range; rg != nil {
		data = data[min(rg.Offset, len(data)):]
		if rg.Length > 0 && rg.Length < len(data) {
			data = data[:rg.Length]
		}
	}
	return data, nil
}

func (r ignoreRef) StatFile(_ context.Context, req gateway.StatRequest) (*fstypes.Stat, error) {
	if !r.has(req.Path) {
		return nil, fs.ErrNotExist
	}
	return &fstypes.Stat{Path: req.Path, Mode: 0o644, Size: int64(len(r))}, nil
}

func (r ignoreRef) ReadDir(context.Context, gateway.ReadDirRequest) ([]*fstypes.Stat, error) {
	return nil, errOffline
}

// referenceBuildKit is what DockerfileLint reports for f, built with the
// ignore file ignore ("" and nil when there is none): every stage, no build
// arguments, for linux/amd64 (windows/amd64 when a stage is built on
// Windows).
func referenceBuildKit(f *dockerfile.File, ctx *buildcontext.Context, ignore []byte) (*BuildKitResult, error) {
	res := &BuildKitResult{}
	if f.ParseErr != nil {
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
	if ignoreMayExclude(ctx) {
		var err error
		if opt.Client, err = newIgnoreClient(ignore); err != nil {
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
// error.
func dockerfileLint(src []byte, opt dockerfile2llb.ConvertOpt) (res *subrequestslint.LintResults, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("BuildKit's checks failed: %v", r)
		}
	}()
	return dockerfile2llb.DockerfileLint(context.Background(), src, opt)
}
