// Package buildconfig is the model of how a repository builds its images:
// every image build invocation found in its CI workflows, bake files,
// GitLab CI, shell scripts and Makefiles, with the cache it imports and
// exports, the builder it runs on and the Dockerfile it builds.
//
// The driver loads a Repo (Load) and hands it to the rules as the result of
// Analyzer; rules read it and never the files.
package buildconfig

import (
	"go/token"
	"reflect"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// Analyzer provides the repository's build configuration as a *Repo. The
// driver provides its result (see Load): it is an input of the build
// unit, not a computation, and this Run is never called.
var Analyzer = &analysis.Analyzer{
	Name:             "buildconfig",
	Doc:              "provides the repository's build invocations (CI workflows, bake files, scripts) that rules read",
	Run:              func(*analysis.Pass) (any, error) { return (*Repo)(nil), nil },
	ResultType:       reflect.TypeFor[*Repo](),
	RunDespiteErrors: true,
}

// Repo is the build configuration of one repository.
type Repo struct {
	Root   string     // absolute path of the repository root
	Files  []*File    // the configuration files read, in path order
	Builds []*Build   // every build invocation, in file and then source order
	Errors []ParseErr // files or parts of files that could not be read
}

// Kind is the kind of a configuration file.
type Kind int

// The kinds of configuration file.
const (
	Workflow Kind = iota + 1 // GitHub Actions workflow
	Bake                     // docker-bake.hcl or .json
	GitLab                   // .gitlab-ci.yml or a local file it includes
	Script                   // shell script
	Makefile                 // Makefile recipe lines
)

var kindNames = [...]string{Workflow: "workflow", Bake: "bake file", GitLab: "GitLab CI file", Script: "script", Makefile: "Makefile"}

func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "configuration file"
}

// File is one configuration file.
type File struct {
	Path string      // as shown to the user; the name of Tok
	Rel  string      // relative to the repository root, slash-separated
	Kind Kind        // what the file is
	Src  []byte      // its content
	Tok  *token.File // its positions in the driver's file set
}

// Pos returns the position of a byte offset in the file.
func (f *File) Pos(offset int) token.Pos {
	return f.Tok.Pos(min(max(offset, 0), f.Tok.Size()))
}

// Contains reports whether a position is in the file.
func (f *File) Contains(p token.Pos) bool {
	return f != nil && f.Tok != nil && p.IsValid() && int(p) >= f.Tok.Base() && int(p) <= f.Tok.Base()+f.Tok.Size()
}

// FileAt returns the configuration file a position is in, nil when it is
// in none (a Dockerfile, or no position).
func (r *Repo) FileAt(p token.Pos) *File {
	for _, f := range r.Files {
		if f.Contains(p) {
			return f
		}
	}
	return nil
}

// ParseErr is a configuration file, or a part of one, that could not be
// parsed. Pos is where the problem is (the file's start when unknown).
type ParseErr struct {
	File *File
	Pos  token.Pos
	Msg  string
}

// Value is a string from a configuration file with where it is written.
type Value struct {
	Text string // as written, with expressions and variables kept verbatim
	// Pos and End delimit the text in its file; NoPos when the value has
	// no place of its own (a default).
	Pos, End token.Pos
	// Dynamic is set when the text holds a part whose value is unknown
	// before the build runs: a GitHub expression (${{ ... }}), a shell or
	// make variable, a command substitution, an HCL expression.
	Dynamic bool
}

// IsSet reports whether the value was written at all.
func (v Value) IsSet() bool { return v.Text != "" || v.Pos.IsValid() }

// Verbatim reports whether the value's positions span exactly its text,
// so that a part of the text can be located, or an edit made, by offset.
func (v Value) Verbatim() bool {
	return v.Pos.IsValid() && v.End.IsValid() && int(v.End-v.Pos) == len(v.Text)
}

// BuildKind says what runs a build.
type BuildKind int

// The kinds of build invocation.
const (
	BuildPushAction BuildKind = iota + 1 // docker/build-push-action
	BakeAction                           // a target built by docker/bake-action
	DockerBuild                          // docker build (classic CLI entry point)
	BuildxBuild                          // docker buildx build
	BuildxBake                           // a target built by docker buildx bake
	Buildctl                             // buildctl build
	Kaniko                               // kaniko's executor
)

var buildKindNames = [...]string{
	BuildPushAction: "docker/build-push-action", BakeAction: "docker/bake-action",
	DockerBuild: "docker build", BuildxBuild: "docker buildx build",
	BuildxBake: "docker buildx bake", Buildctl: "buildctl build", Kaniko: "kaniko",
}

func (k BuildKind) String() string {
	if k > 0 && int(k) < len(buildKindNames) {
		return buildKindNames[k]
	}
	return "build"
}

// Build is one image build invocation: a build-push-action step, a
// command line, or a bake target as some invocation builds it.
type Build struct {
	Kind BuildKind
	File *File
	// Pos and End delimit the invocation: the step, the command, or the
	// bake target block.
	Pos, End token.Pos
	Name     string // what to call it in a message: step name, target name
	Job      *Job   // the CI job it runs in; nil in a bake file or script
	Step     *Step  // the workflow step it runs in; nil outside workflows
	// Target is the bake target this build is, nil for other kinds.
	BakeTarget string
	// Guessed is set for a bake target that the invocation names only by
	// an expression (targets: ${{ matrix.target }}): it is one of the
	// targets the invocation may build, not one it surely builds.
	Guessed bool

	Context    Value // the build context as written; "." when not written
	Dockerfile Value // the Dockerfile as written; empty for the default
	// ContextDir and DockerfilePath are resolved against the repository
	// root, slash-separated; "" when dynamic, remote or outside it.
	ContextDir, DockerfilePath string
	Target                     Value // the stage built; empty for the last
	Tags                       []Value
	Push                       bool
	Load                       bool
	Outputs                    []Value
	Platforms                  []Value
	CacheFrom                  []*CacheSpec
	CacheTo                    []*CacheSpec
	NoCache                    Value // set when the build turns the cache off
	NoCacheFilters             []Value
	BuildArgs                  []BuildArg
	Secrets                    []Value
	Provenance                 Value // the provenance setting as written

	Builder *Builder // the builder it runs on; never nil
	// Env is the environment the build command sees, as far as the
	// configuration says (workflow, job and step env, exports, GitLab
	// variables, env prefixes).
	Env map[string]Value
	// Legacy is set when the classic builder runs it: `docker build` with
	// DOCKER_BUILDKIT=0 in its environment.
	Legacy bool

	// Stages is the model of the Dockerfile it builds, nil when the
	// Dockerfile is dynamic, missing or outside the repository.
	Stages *dockerfile.File

	// dir is the repository-relative directory the invocation runs in,
	// which Context and Dockerfile are relative to ("" is the root).
	dir string
	// dockerfileInContext is set when a relative Dockerfile path is
	// relative to the context rather than to dir (kaniko's --dockerfile).
	dockerfileInContext bool
}

// BuildArg is one build argument: --build-arg K=V, a build-args line, a
// bake args entry.
type BuildArg struct {
	Name     string
	Value    Value // Text is the value alone; HasValue says whether one is given
	HasValue bool  // false for --build-arg K (taken from the environment)
	Pos, End token.Pos
}

// CacheSpec is one cache import or export, parsed the way buildx parses
// it: comma-separated key=value pairs, or a bare reference, which means a
// registry.
type CacheSpec struct {
	Value        // the entry as written
	Type  string // registry, local, gha, inline, s3, azblob ...; "" unknown
	Attrs []Attr // in the order written, type included
}

// Attr is one key=value pair of a cache spec. Its Value's Pos and End
// span the whole pair, key included, when the spec is written verbatim in
// its file; otherwise they are the spec's.
type Attr struct {
	Key   string
	Value Value
}

// Get returns the value of an attribute and whether it is set.
func (c *CacheSpec) Get(key string) (Value, bool) {
	for _, a := range c.Attrs {
		if a.Key == key {
			return a.Value, true
		}
	}
	return Value{}, false
}

// Location identifies where the cache is kept, for comparing an import
// with an export: type and ref, scope, dest/src or name. It is "" when
// the spec has no type.
func (c *CacheSpec) Location() string {
	switch c.Type {
	case "":
		return ""
	case "registry":
		ref, _ := c.Get("ref")
		return "registry:" + ref.Text
	case "gha":
		scope, ok := c.Get("scope")
		if !ok {
			return "gha:buildkit" // buildx's default scope
		}
		return "gha:" + scope.Text
	case "local":
		if d, ok := c.Get("dest"); ok {
			return "local:" + strings.TrimSuffix(d.Text, "/")
		}
		s, _ := c.Get("src")
		return "local:" + strings.TrimSuffix(s.Text, "/")
	case "s3", "azblob":
		name, _ := c.Get("name")
		bucket, _ := c.Get("bucket")
		acct, _ := c.Get("account_url")
		return c.Type + ":" + bucket.Text + acct.Text + "/" + name.Text
	}
	return c.Type + ":" + c.Text
}

// Builder is the BuildKit instance a build runs on.
type Builder struct {
	// Driver is docker, docker-container, kubernetes, remote or cloud;
	// "" when unknown (a builder chosen by name or by the environment).
	Driver string
	// Default is set when nothing chose a builder: the docker driver of
	// the Docker daemon, which exports no cache but inline.
	Default bool
	// Pos is where the builder is set up (a setup-buildx-action step, a
	// `docker buildx create` command); NoPos for the default.
	Pos token.Pos
	// Image is the BuildKit image of a docker-container builder as
	// written (driver-opts image=...), "" for buildx's default.
	Image string
	// KeepState is set when the builder's state outlives the job
	// (a remote or cloud driver, a persistent builder).
	KeepState bool
	// ContainerdStore is set for a docker driver whose daemon keeps its
	// images in the containerd image store (docker/setup-docker-action
	// with the containerd snapshotter): that driver can export cache
	// like a container builder (rule CL107 stays quiet).
	ContainerdStore bool
}

// Job is a CI job: a GitHub Actions job or a GitLab CI job.
type Job struct {
	Name string
	File *File
	Pos  token.Pos
	// Triggers are the events that run it: GitHub's `on:` events (push,
	// pull_request, schedule, workflow_dispatch, release ...); for GitLab,
	// "schedule" when its rules run it on schedules only, else "push".
	Triggers []string
	// Filters are the ref filters of the GitHub events of Triggers that
	// have them (on.push.branches, tags ...), by event; an event that runs
	// on every branch and tag is absent.
	Filters map[string]RefFilter
	// If is the job's if: condition as written (GitHub), unset when none.
	If Value
	// Runner is runs-on (GitHub) or the tags (GitLab) as written.
	Runner Value
	// Hosted is set when the job runs on a fresh machine each time:
	// GitHub-hosted runners, GitLab's docker:dind service.
	Hosted bool
	// Matrix lists the matrix axes of the job (GitHub strategy.matrix,
	// GitLab parallel:matrix); a GitHub axis with a single literal value
	// is left out, as it does not tell the entries apart.
	Matrix []string
	// Image is the container image the job's scripts run in (GitLab
	// image:), as written; its Docker CLI version decides whether plain
	// `docker build` runs the classic builder (docker:20.10 and older).
	Image Value
	// Services are the images of the job's service containers (GitLab
	// services:), as written: docker:20.10-dind is the daemon the job's
	// builds run on.
	Services []Value
	Env      map[string]Value // workflow and job env (GitLab variables)
	Steps    []*Step          // the job's steps in order (GitHub only)
}

// RefFilter is the branches and tags filter of a GitHub event, as
// written (patterns may hold * and **).
type RefFilter struct {
	Branches, BranchesIgnore, Tags, TagsIgnore []string
}

// Step is one step of a GitHub Actions job.
type Step struct {
	Index int    // position in the job, from 0
	Name  string // name: as written, "" when none
	Uses  string // the action without its version (docker/build-push-action)
	// Version is what follows @ in uses: (v6, a commit SHA), "" when none.
	Version string
	Run     Value            // the run: script
	With    map[string]Value // the action's inputs
	Env     map[string]Value
	Pos     token.Pos
	End     token.Pos
}

// Stage returns the Dockerfile stage a build builds: its target, or the
// last stage. It is nil when the Dockerfile is unknown or the target is
// dynamic or names no stage.
func (b *Build) Stage() *dockerfile.Stage {
	if b.Stages == nil || len(b.Stages.Stages) == 0 || b.Target.Dynamic {
		return nil
	}
	if b.Target.Text == "" {
		return b.Stages.Stages[len(b.Stages.Stages)-1]
	}
	for _, s := range b.Stages.Stages {
		if strings.EqualFold(s.Name, b.Target.Text) {
			return s
		}
	}
	return nil
}
