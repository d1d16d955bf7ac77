package rules

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// CacheExportNeedsContainerDriver reports cache exports on the default
// docker driver.
var CacheExportNeedsContainerDriver = &analysis.Analyzer{
	Name: "cache_export_needs_container_driver",
	Doc: `a CI build exports cache from the default docker driver, which cannot export it

Why it matters for the cache: when a job sets up no builder, buildx
builds with the BuildKit that is built into the Docker daemon (the
"docker" driver). That builder can write inline cache only: a registry,
local or gha export makes buildx stop with "Cache export is not supported
for the docker driver", unless the daemon keeps its images in the
containerd image store (fresh installs of Docker Engine 29 and later,
Docker Desktop 4.34 and later, or a daemon set up with the containerd
snapshotter). An s3 or azblob export needs another driver in every case.
GitHub-hosted runners run Docker with the classic image store.

Example:

    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/acme/app:latest
          cache-from: type=gha
          cache-to: type=gha,mode=max

Fix: set up a docker-container builder before the build:

    steps:
      - uses: actions/checkout@v4
      - name: Set up Docker Buildx
        uses: docker/setup-buildx-action@v3
      - uses: docker/build-push-action@v6
        with:
          ...

In a script, run "docker buildx create --use --driver docker-container"
before building.

Reported: a registry, local or gha cache-to (warning), or an s3 or azblob
one (error), of a build in a GitHub Actions or GitLab CI job whose builder
is the docker driver: no docker/setup-buildx-action step before it (or one
with driver: docker), no builder: input, --builder flag, BUILDX_BUILDER
variable, docker buildx create --use or docker buildx use choosing another.
Not reported: inline cache; gha entries that buildx drops before
building because they get no Actions runtime token (rule CL114); entries
whose type is an expression; builders
chosen by a name the configuration does not define; a daemon set up with
the containerd image store (docker/setup-docker-action with
"containerd-snapshotter": true); GitLab jobs whose docker:dind service is
Docker 29 or later, or not pinned (a fresh daemon with the containerd
store), or that have no dind service (the runner's own daemon, unknown
here); scripts and Makefiles outside a CI job, whose builder depends on
who runs them. A self-hosted runner whose daemon uses the containerd
store is not visible here: silence the rule for it.

Sources:
- https://docs.docker.com/build/cache/backends/
- https://docs.docker.com/build/builders/drivers/
- https://docs.docker.com/engine/storage/containerd/
- https://github.com/docker/buildx/blob/master/build/opt.go
- https://github.com/actions/runner-images/issues/14105`,
	URL:      docURL("cache-export-needs-container-driver"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runCacheExportNeedsContainerDriver,
}

func runCacheExportNeedsContainerDriver(pass *analysis.Pass) (any, error) {
	repo := configRepo(pass)
	if repo == nil {
		return nil, nil
	}
	seen := onceAt{}
	fixed := map[*buildconfig.Job]bool{} // jobs already given the setup step
	repoExposes := repoExposesRuntime(repo)
	for _, b := range repo.Builds {
		if b.Job == nil || b.Legacy || b.Builder == nil || b.Builder.Driver != "docker" {
			continue
		}
		switch b.Kind {
		case buildconfig.Kaniko, buildconfig.Buildctl:
			continue
		}
		if bb, ok := b.Env["BUILDX_BUILDER"]; ok && strings.TrimSpace(bb.Text) != "default" {
			continue // another builder, chosen by the environment
		}
		containerd, known := daemonStore(b)
		if !known {
			continue
		}
		// buildx drops gha entries that get no runtime token before it
		// checks the driver (CL114 reports them).
		_, ghaDropped := ghaTokenMissing(b, repoExposes)
		for _, c := range b.CacheTo {
			var severity string
			switch c.Type {
			case "registry", "local", "gha":
				if containerd || c.Type == "gha" && ghaDropped && !hasOwnToken(c) {
					continue
				}
			case "s3", "azblob":
				severity = RaiseToError
			default:
				continue
			}
			if !c.Pos.IsValid() || !seen.first(c.Pos) {
				continue
			}
			reportDockerDriverExport(pass, b, c, severity, fixed)
		}
	}
	return nil, nil
}

// daemonStore says whether the Docker daemon behind a build's docker
// driver keeps its images in the containerd image store; known is false
// when the daemon is not known here.
func daemonStore(b *buildconfig.Build) (containerd, known bool) {
	if b.Builder.ContainerdStore {
		return true, true
	}
	if jobFile(b).Kind != buildconfig.GitLab {
		return false, true
	}
	// GitLab: the docker:dind service is the daemon, fresh every job.
	for _, s := range b.Job.Services {
		name := strings.ToLower(strings.TrimSpace(s.Text))
		if !strings.Contains(name, "dind") {
			continue
		}
		if s.Dynamic {
			return false, false
		}
		major, ok := dindMajor(name)
		if !ok {
			return true, true // not pinned: the latest Docker, 29 or later
		}
		return major >= 29, true
	}
	return false, false
}

// dindMajor is the Docker major version of a docker:<tag>-dind image;
// ok is false for a tag with no version (dind, latest, dind-rootless).
// The long-gone stable tags were Docker 19.03.
func dindMajor(image string) (int, bool) {
	i := strings.LastIndexByte(image, ':')
	if i < 0 || strings.Contains(image[i:], "/") {
		return 0, false
	}
	tag := strings.TrimPrefix(image[i+1:], "v")
	if strings.HasPrefix(tag, "stable") {
		return 19, true
	}
	n := 0
	for n < len(tag) && tag[n] >= '0' && tag[n] <= '9' {
		n++
	}
	if n == 0 {
		return 0, false
	}
	major, err := strconv.Atoi(tag[:n])
	return major, err == nil
}

func reportDockerDriverExport(pass *analysis.Pass, b *buildconfig.Build, c *buildconfig.CacheSpec, severity string, fixed map[*buildconfig.Job]bool) {
	why := "no docker/setup-buildx-action step before it"
	setupStep := false // a setup-buildx-action step chose driver: docker
	switch {
	case jobFile(b).Kind == buildconfig.GitLab:
		why = "no `docker buildx create --use` before it"
	case b.Builder.Pos.IsValid() && !b.Builder.Default:
		line := jobFile(b).Tok.Line(b.Builder.Pos)
		why = fmt.Sprintf("line %d chooses the default builder", line)
		for _, st := range b.Job.Steps {
			if st.Pos == b.Builder.Pos && strings.HasSuffix(strings.ToLower(st.Uses), "buildx-action") {
				why = fmt.Sprintf("the builder set up on line %d uses driver: docker", line)
				setupStep = true
			}
		}
	}
	var msg string
	if severity == RaiseToError {
		msg = fmt.Sprintf("`type=%s` cache export of job %q runs on the docker driver (%s), which cannot export to %s at all: the build fails",
			c.Type, jobName(b), why, c.Type)
	} else {
		msg = fmt.Sprintf("`type=%s` cache export of job %q runs on the docker driver (%s), which exports no cache but inline: the build fails unless the daemon uses the containerd image store",
			c.Type, jobName(b), why)
	}
	fix := analysis.SuggestedFix{}
	if jobFile(b).Kind == buildconfig.Workflow {
		fix.Message = "add a `docker/setup-buildx-action` step before this build (it sets up a docker-container builder)"
		if b.Step != nil && !fixed[b.Job] && b.Builder.Default && jobFile(b).Contains(c.Pos) {
			if e, ok := insertStepBefore(jobFile(b), b.Step, "name: Set up Docker Buildx", "uses: docker/setup-buildx-action@v3"); ok {
				fix.TextEdits = []analysis.TextEdit{e}
				fixed[b.Job] = true
			}
		}
		switch {
		case setupStep:
			fix.Message = "remove `driver: docker` from the setup-buildx-action step, so that it sets up a docker-container builder"
		case !b.Builder.Default:
			fix.Message = "build on a builder set up by docker/setup-buildx-action instead of the default one"
		}
	} else {
		fix.Message = "run `docker buildx create --use --driver docker-container` before the build"
	}
	pass.Report(analysis.Diagnostic{Pos: c.Pos, End: c.End, Category: severity, Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
}
