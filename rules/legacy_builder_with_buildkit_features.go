package rules

import (
	"fmt"
	"go/token"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
	"github.com/cachelint/cachelint/dockerfile"
)

// LegacyBuilderWithBuildKitFeatures flags a docker build that runs the
// classic builder on a Dockerfile that needs BuildKit.
var LegacyBuilderWithBuildKitFeatures = &analysis.Analyzer{
	Name: "legacy_builder_with_buildkit_features",
	Doc: `the classic builder builds a Dockerfile that uses BuildKit-only syntax

Why it matters for the cache: the cache mounts, bind mounts, heredocs and
COPY --link that a Dockerfile uses to build fast exist only in BuildKit.
docker build runs the classic builder instead when DOCKER_BUILDKIT=0 is
set, and by default with the Docker CLI and daemon of version 20.10 and
older (the docker:20.10 image with the docker:20.10-dind service in
GitLab CI). The classic builder stops at the first such instruction (the
--mount option requires BuildKit, unknown flag: link) or misreads a
heredoc, so the build fails, and a build that does get through caches
nothing of what BuildKit would.

Example:

    build:
      image: docker:20.10
      services:
        - docker:20.10-dind
      script:
        - docker build -t $CI_REGISTRY_IMAGE .

with a Dockerfile that has RUN --mount=type=cache,target=/root/.npm npm ci.

Fix: build with BuildKit: remove DOCKER_BUILDKIT=0 or set
DOCKER_BUILDKIT=1, use docker buildx build, or move to a current Docker
image (docker:27 and docker:27-dind):

    build:
      image: docker:20.10
      services:
        - docker:20.10-dind
      variables:
        DOCKER_BUILDKIT: "1"
      script:
        - docker build -t $CI_REGISTRY_IMAGE .

BuildKit-only syntax is RUN --mount, --network, --security and --device,
a heredoc (RUN <<EOF, COPY <<EOF), and COPY or ADD with --link,
--parents, --exclude, --chmod, --checksum, --keep-git-dir or --unpack;
it is looked for in the stages the classic builder builds, every stage up
to the target. The classic builder is known to run only for docker build
(and docker image build) with DOCKER_BUILDKIT set to 0 or false in its
environment (a prefix, an export, the workflow, job or step env, GitLab
variables), or in a GitLab job whose image is docker:20.10 or older and
whose docker:dind service is 20.10 or older too, with no DOCKER_BUILDKIT
set: a 20.10 CLI asks the daemon, and a daemon of 23.0 or later answers
BuildKit. docker buildx build, bake and docker compose build always use
BuildKit and are not reported; a Docker version that is not written
(docker:latest, a variable, no image) is not taken as old.

Sources:
- https://docs.docker.com/build/buildkit/#getting-started
- https://docs.docker.com/engine/release-notes/23.0/
- https://github.com/docker/cli/blob/v20.10.24/cli/command/cli.go (BuildKitEnabled: the daemon's builder version unless DOCKER_BUILDKIT is set)`,
	URL:      docURL("legacy-builder-with-buildkit-features"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runLegacyBuilderWithBuildKitFeatures,
}

func runLegacyBuilderWithBuildKitFeatures(pass *analysis.Pass) (any, error) {
	repo, _ := pass.ResultOf[buildconfig.Analyzer].(*buildconfig.Repo)
	if repo == nil {
		return nil, nil
	}
	reported := map[token.Pos]bool{}
	for _, b := range repo.Builds {
		if b.Kind != buildconfig.DockerBuild || b.Stages == nil || reported[b.Pos] {
			continue
		}
		why, help := classicBuilder(pass.Fset, b)
		if why == "" {
			continue
		}
		in, feature := buildkitOnlySyntax(b)
		if in == nil {
			continue
		}
		reported[b.Pos] = true
		end := b.End
		if b.Pos+token.Pos(len("docker build")) < end {
			end = b.Pos + token.Pos(len("docker build"))
		}
		pass.Report(analysis.Diagnostic{
			Pos: b.Pos,
			End: end,
			Message: fmt.Sprintf("this docker build runs the classic builder (%s), but %s uses %s on line %d, which only BuildKit supports: the build fails there",
				why, dockerfileName(b), feature, in.StartLine),
			SuggestedFixes: []analysis.SuggestedFix{{Message: help}},
		})
	}
	return nil, nil
}

// classicBuilder says why a docker build runs the classic builder, and
// how to make it run BuildKit; "" when it runs BuildKit or may.
func classicBuilder(fset *token.FileSet, b *buildconfig.Build) (why, help string) {
	if b.Legacy {
		v := b.Env["DOCKER_BUILDKIT"]
		if !v.Pos.IsValid() {
			v = configuredEnv(b, "DOCKER_BUILDKIT", v)
		}
		where := "DOCKER_BUILDKIT=" + v.Text + " in its environment"
		if v.Pos.IsValid() {
			p := fset.Position(v.Pos)
			where = fmt.Sprintf("DOCKER_BUILDKIT=%s on line %d", v.Text, p.Line)
			if b.File == nil || p.Filename != fset.Position(b.Pos).Filename {
				where += " of " + p.Filename
			}
		}
		return where, "remove DOCKER_BUILDKIT=" + v.Text + " (or set it to 1), or build with docker buildx build"
	}
	j := b.Job
	if j == nil || j.File.Kind != buildconfig.GitLab {
		return "", ""
	}
	if _, set := b.Env["DOCKER_BUILDKIT"]; set {
		return "", "" // 1 runs BuildKit; a variable is unknown; 0 is Legacy
	}
	cli, ok := dockerImageVersion(j.Image, false)
	if !ok || cli >= 23 {
		return "", ""
	}
	var daemon buildconfig.Value
	for _, s := range j.Services {
		if v, ok := dockerImageVersion(s, true); ok {
			if v >= 23 {
				return "", "" // the 20.10 CLI takes BuildKit from a newer daemon
			}
			daemon = s
		}
	}
	if !daemon.IsSet() {
		return "", "" // the daemon's version is not known
	}
	why = fmt.Sprintf("the %s CLI of job `%s` (line %d) with the %s service, which default to it", j.Image.Text, j.Name,
		fset.Position(j.Image.Pos).Line, daemon.Text)
	return why, "set DOCKER_BUILDKIT: \"1\" in the job's variables, build with docker buildx build, or move to current docker and docker:dind images (23.0 or later)"
}

// configuredEnv finds where the configuration sets a variable of a
// build's environment to the value the build sees (the step's env, then
// the job's, workflow's or GitLab variables), for a message; v itself when
// it sets it nowhere or to something else (the script did).
func configuredEnv(b *buildconfig.Build, name string, v buildconfig.Value) buildconfig.Value {
	var envs []map[string]buildconfig.Value
	if b.Step != nil {
		envs = append(envs, b.Step.Env)
	}
	if b.Job != nil {
		envs = append(envs, b.Job.Env)
	}
	for _, env := range envs {
		if c, ok := env[name]; ok {
			if strings.Trim(c.Text, `"'`) == strings.Trim(v.Text, `"'`) && c.Pos.IsValid() {
				return c
			}
			return v
		}
	}
	return v
}

// dockerImageVersion returns the major version of an official docker
// image reference (docker:20.10, docker:19.03.12-dind, library/docker:20),
// and whether it is one whose version is written; dind requires the dind
// variant (a service).
func dockerImageVersion(v buildconfig.Value, dind bool) (int, bool) {
	if v.Dynamic || v.Text == "" {
		return 0, false
	}
	ref, _, _ := strings.Cut(strings.TrimSpace(v.Text), "@")
	name, tag, ok := strings.Cut(ref[strings.LastIndexByte(ref, '/')+1:], ":")
	if !ok || name != "docker" {
		return 0, false
	}
	if repo := ref[:strings.LastIndexByte(ref, '/')+1]; repo != "" && repo != "docker.io/" && repo != "library/" && repo != "docker.io/library/" {
		return 0, false // another image of that name
	}
	if dind != strings.Contains(tag, "dind") {
		return 0, false
	}
	i := 0
	for i < len(tag) && tag[i] >= '0' && tag[i] <= '9' {
		i++
	}
	major, err := strconv.Atoi(tag[:i])
	if err != nil {
		return 0, false
	}
	return major, true
}

// buildkitOnlyFlags are the instruction flags only BuildKit knows.
var buildkitOnlyFlags = map[string]map[string]bool{
	"RUN":  {"--mount": true, "--network": true, "--security": true, "--device": true},
	"COPY": {"--link": true, "--parents": true, "--exclude": true, "--chmod": true},
	"ADD": {"--link": true, "--parents": true, "--exclude": true, "--chmod": true, "--checksum": true,
		"--keep-git-dir": true, "--unpack": true},
}

// buildkitOnlySyntax finds the first instruction the classic builder
// cannot build in the stages it builds (every stage up to the target),
// and what in it needs BuildKit.
func buildkitOnlySyntax(b *buildconfig.Build) (*dockerfile.Instruction, string) {
	target := b.Stage()
	if target == nil {
		return nil, ""
	}
	for _, s := range b.Stages.Stages[:target.Index+1] {
		for _, in := range s.Instructions {
			for _, fl := range in.Flags {
				name, _, _ := strings.Cut(strings.ToLower(fl.Text), "=")
				if buildkitOnlyFlags[in.Keyword][name] {
					return in, "`" + in.Keyword + " " + name + "`"
				}
			}
			if in.Run != nil && len(in.Run.Heredocs) > 0 || in.Copy != nil && in.Copy.Heredoc {
				return in, "a heredoc (`" + in.Keyword + " <<`)"
			}
		}
	}
	return nil, ""
}
