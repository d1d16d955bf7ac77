package rules

import "strings"

// imageLayout is what cachelint knows about the file system of a base
// image. Images not in the table are unknown: any directory of theirs may
// be owned by a service user.
type imageLayout struct {
	Known bool // the distribution's usual layout: system directories are root's, mode 0755
	// NonRoot is set when the image's default user is not root (WORKDIR
	// then creates directories owned by that user).
	NonRoot bool
	// Special are directories of the image (beyond /home, /tmp, /var ...)
	// whose owner or mode is not root's 0755.
	Special []string
}

// scratchLayout is the empty image.
var scratchLayout = imageLayout{Known: true}

// knownImages are official and widely used base images whose directory
// layout is that of their distribution, keyed by repository (Docker Hub
// names without docker.io/library/). Special directories:
// golang's GOPATH and ruby's GEM_HOME are mode 1777.
var knownImages = map[string]imageLayout{
	// operating systems
	"alpine": {Known: true}, "debian": {Known: true}, "ubuntu": {Known: true},
	"busybox": {Known: true}, "centos": {Known: true}, "fedora": {Known: true},
	"rockylinux": {Known: true}, "almalinux": {Known: true}, "amazonlinux": {Known: true},
	"oraclelinux": {Known: true}, "archlinux": {Known: true}, "photon": {Known: true},
	"opensuse/leap": {Known: true}, "opensuse/tumbleweed": {Known: true},
	"rockylinux/rockylinux": {Known: true}, "almalinux/almalinux": {Known: true},
	// language runtimes
	"node": {Known: true}, "python": {Known: true}, "openjdk": {Known: true},
	"golang":          {Known: true, Special: []string{"/go"}},
	"ruby":            {Known: true, Special: []string{"/usr/local/bundle"}},
	"eclipse-temurin": {Known: true}, "amazoncorretto": {Known: true},
	"ibm-semeru-runtimes": {Known: true}, "sapmachine": {Known: true},
	"rust": {Known: true}, "php": {Known: true}, "perl": {Known: true},
	"elixir": {Known: true}, "erlang": {Known: true}, "swift": {Known: true},
	"haskell": {Known: true}, "julia": {Known: true}, "oven/bun": {Known: true},
	// web servers whose root-owned directories (/usr/share/nginx/html,
	// /usr/local/apache2/htdocs, /etc/caddy) are where files go
	"nginx": {Known: true}, "httpd": {Known: true}, "caddy": {Known: true},
}

// knownImagePrefixes are registries and namespaces of known images.
var knownImagePrefixes = []struct {
	prefix string
	layout imageLayout
}{
	{"gcr.io/distroless/", imageLayout{Known: true}},
	{"cgr.dev/chainguard/", imageLayout{Known: true, NonRoot: true}},
	{"chainguard/", imageLayout{Known: true, NonRoot: true}},
	{"mcr.microsoft.com/dotnet/", imageLayout{Known: true}},
	{"mcr.microsoft.com/openjdk/", imageLayout{Known: true}},
	{"registry.access.redhat.com/ubi", imageLayout{Known: true}},
	{"redhat/ubi", imageLayout{Known: true}},
	{"ghcr.io/astral-sh/uv", imageLayout{Known: true}},
}

// imageRepo splits an image reference into its repository, normalised
// (lower case, without docker.io/ and library/), and its tag.
func imageRepo(ref string) (repo, tag string) {
	ref, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(ref)), "@")
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		ref, tag = ref[:i], ref[i+1:]
	}
	for _, p := range []string{"docker.io/", "index.docker.io/", "registry-1.docker.io/", "public.ecr.aws/docker/", "mirror.gcr.io/"} {
		ref = strings.TrimPrefix(ref, p)
	}
	return strings.TrimPrefix(ref, "library/"), tag
}

// layoutOf returns what is known of an image's file system.
func layoutOf(ref string) imageLayout {
	repo, tag := imageRepo(ref)
	if repo == "scratch" {
		return scratchLayout
	}
	l, ok := knownImages[repo]
	for _, p := range knownImagePrefixes {
		if !ok && strings.HasPrefix(repo, p.prefix) {
			l, ok = p.layout, true
		}
	}
	if ok && (strings.Contains(tag, "nonroot") || strings.Contains(tag, "chiseled") || strings.Contains(tag, "distroless")) {
		l.NonRoot = true // gcr.io/distroless/*:nonroot, .NET chiseled and distroless tags
	}
	return l
}

// isWindowsImage reports whether an image reference names a Windows image.
func isWindowsImage(ref string) bool {
	ref = strings.ToLower(ref)
	return strings.Contains(ref, "windows") || strings.Contains(ref, "nanoserver") || strings.Contains(ref, "servercore")
}
