package rules

import (
	"context"
	"errors"
	"io/fs"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerui"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// What BuildKit's Dockerfile frontend asks of a BuildKit daemon, answered
// in process and offline for its checks (see BuildKit):
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
