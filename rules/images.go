package rules

import (
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
)

// Image is what cachelint knows about a well-known base image: the
// environment it sets, the users it has, and the Linux family it is built
// on. Adding an image means adding a row to images.
type Image struct {
	Repos []string          // repository names, without registry or tag
	Env   map[string]string // ENV the image sets
	Users map[string]User   // passwd entries beyond root
	// Family is the distribution the image is built on when its tag
	// does not say otherwise: debian, alpine, rhel, suse; "" unknown.
	Family string
}

// User is a passwd entry.
type User struct {
	UID, GID string
	Home     string
}

var images = []*Image{
	{Repos: []string{"debian", "ubuntu", "buildpack-deps"}, Family: "debian"},
	{Repos: []string{"alpine"}, Family: "alpine"},
	{Repos: []string{"fedora", "centos", "rockylinux", "almalinux", "oraclelinux", "amazonlinux",
		"ubi8/ubi", "ubi9/ubi", "ubi10/ubi", "ubi8/ubi-minimal", "ubi9/ubi-minimal", "ubi8", "ubi9", "ubi10"}, Family: "rhel"},
	{Repos: []string{"opensuse/leap", "opensuse/tumbleweed", "bci/bci-base"}, Family: "suse"},
	{Repos: []string{"golang"}, Family: "debian", Env: map[string]string{"GOPATH": "/go"}},
	{Repos: []string{"rust"}, Family: "debian", Env: map[string]string{"CARGO_HOME": "/usr/local/cargo", "RUSTUP_HOME": "/usr/local/rustup"}},
	{Repos: []string{"node"}, Family: "debian", Users: map[string]User{"node": {UID: "1000", GID: "1000", Home: "/home/node"}}},
	{Repos: []string{"python", "pypy"}, Family: "debian"},
	{Repos: []string{"ruby"}, Family: "debian", Env: map[string]string{"GEM_HOME": "/usr/local/bundle", "BUNDLE_APP_CONFIG": "/usr/local/bundle"}},
	{Repos: []string{"php", "wordpress"}, Family: "debian"},
	{Repos: []string{"composer"}, Family: "alpine", Env: map[string]string{"COMPOSER_HOME": "/tmp"}},
	{Repos: []string{"maven"}, Family: "debian", Env: map[string]string{"MAVEN_CONFIG": "/root/.m2"}},
	{Repos: []string{"gradle"}, Family: "debian", Env: map[string]string{"GRADLE_HOME": "/opt/gradle"},
		Users: map[string]User{"gradle": {UID: "1000", GID: "1000", Home: "/home/gradle"}}},
	{Repos: []string{"eclipse-temurin", "openjdk", "amazoncorretto", "sapmachine", "ibm-semeru-runtimes"}, Family: "debian"},
	{Repos: []string{"elixir", "erlang", "haskell", "perl", "julia", "swift", "gcc", "clojure"}, Family: "debian"},
	{Repos: []string{"dotnet/sdk", "dotnet/aspnet", "dotnet/runtime", "dotnet/runtime-deps", "dotnet/core/sdk"}, Family: "debian",
		Users: map[string]User{"app": {UID: "1654", GID: "1654", Home: "/home/app"}}},
	{Repos: []string{"continuumio/miniconda3", "continuumio/anaconda3", "condaforge/miniforge3", "condaforge/mambaforge"}, Family: "debian"},
	{Repos: []string{"mambaorg/micromamba"}, Family: "debian", Env: map[string]string{"MAMBA_ROOT_PREFIX": "/opt/conda"},
		Users: map[string]User{"mambauser": {UID: "57439", GID: "57439", Home: "/home/mambauser"}}},
}

// imageVars are the variables some well-known image sets: in a stage on
// an image cachelint does not know, their values are not known either.
var imageVars = func() map[string]bool {
	m := map[string]bool{}
	for _, img := range images {
		for k := range img.Env {
			m[k] = true
		}
	}
	return m
}()

var imageByRepo = func() map[string]*Image {
	m := map[string]*Image{}
	for _, img := range images {
		for _, r := range img.Repos {
			m[r] = img
		}
	}
	return m
}()

// ImageRef is a base image reference split into its parts.
type ImageRef struct {
	Registry string // "" for Docker Hub
	Repo     string // without the library/ prefix
	Tag      string
	Digest   string
}

// parseImageRef splits an image reference. It does not validate it.
func parseImageRef(ref string) ImageRef {
	var r ImageRef
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref, r.Digest = ref[:i], ref[i+1:]
	}
	if i := strings.LastIndexByte(ref, ':'); i >= 0 && !strings.Contains(ref[i:], "/") {
		ref, r.Tag = ref[:i], ref[i+1:]
	}
	if i := strings.IndexByte(ref, '/'); i >= 0 {
		first := ref[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" {
			r.Registry, ref = first, ref[i+1:]
		}
	}
	if r.Registry == "" || r.Registry == "docker.io" || r.Registry == "index.docker.io" {
		r.Registry = ""
		ref = strings.TrimPrefix(ref, "library/")
	}
	r.Repo = strings.ToLower(ref)
	return r
}

// baseImage follows a stage's FROM chain to the image it starts from and
// returns its reference, or false when the chain ends in scratch or in a
// value that is not known (FROM $BASE with no default).
func baseImage(s *dockerfile.Stage) (ImageRef, bool) {
	for s.BaseStage != nil {
		s = s.BaseStage
	}
	if s.BaseImage == "" || strings.EqualFold(s.BaseImage, "scratch") {
		return ImageRef{}, false
	}
	ref := parseImageRef(s.BaseImage)
	if strings.ContainsAny(ref.Registry+ref.Repo, "${}") {
		return ImageRef{}, false // FROM ${REGISTRY}golang: the image is not known
	}
	return ref, true
}

// knownImage returns the table row of a stage's base image, or nil.
func knownImage(s *dockerfile.Stage) *Image {
	ref, ok := baseImage(s)
	if !ok {
		return nil
	}
	return imageByRepo[ref.Repo]
}

// Family returns the Linux distribution a stage is built on: debian,
// alpine, rhel, suse, or "" when it is not known. An "-alpine" tag wins
// over the image's usual family.
func Family(s *dockerfile.Stage) string {
	ref, ok := baseImage(s)
	if !ok {
		return ""
	}
	tag := strings.ToLower(ref.Tag)
	switch {
	case strings.Contains(tag, "alpine"):
		return "alpine"
	case strings.Contains(tag, "windowsservercore") || strings.Contains(tag, "nanoserver"):
		return "windows"
	case strings.Contains(ref.Repo, "windows") || strings.Contains(ref.Repo, "nanoserver") || strings.Contains(ref.Repo, "servercore"):
		return "windows"
	case ref.Repo == "ubuntu" || strings.HasPrefix(tag, "ubuntu") || strings.Contains(tag, "jammy") || strings.Contains(tag, "noble") || strings.Contains(tag, "focal"):
		return "debian"
	case strings.Contains(tag, "bookworm") || strings.Contains(tag, "bullseye") || strings.Contains(tag, "trixie") || strings.Contains(tag, "buster") || strings.Contains(tag, "slim"):
		return "debian"
	case strings.Contains(tag, "ubi") || strings.Contains(tag, "centos") || strings.Contains(tag, "rocky") || strings.Contains(tag, "alma") || strings.Contains(tag, "al2") || strings.Contains(tag, "fedora"):
		return "rhel"
	}
	if img := knownImage(s); img != nil {
		return img.Family
	}
	return ""
}

// IsWindows reports whether a stage runs Windows: a Windows base image,
// or a SHELL that is PowerShell or cmd.
func IsWindows(s *dockerfile.Stage) bool {
	if Family(s) == "windows" {
		return true
	}
	for _, in := range s.Instructions {
		if in.Run != nil && len(in.Run.Shell) > 0 {
			sh := strings.ToLower(in.Run.Shell[0])
			if strings.Contains(sh, "powershell") || strings.Contains(sh, "pwsh") || strings.HasSuffix(sh, "cmd") || strings.HasSuffix(sh, "cmd.exe") {
				return true
			}
		}
	}
	return false
}
