package rules

import (
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/cachelint/cachelint/dockerfile"
)

// Image is what cachelint knows about base images that share the same
// facts. Adding an image means adding a row to images.
type Image struct {
	// Names are the images' repositories, without tag: Docker Hub names
	// (node, opensuse/leap) or names with their registry
	// (mcr.microsoft.com/dotnet/sdk). A name ending in "*" stands for
	// every repository that starts with it. The Docker Hub names of one
	// word are its official images.
	Names []string
	// Family is the distribution the image is built on when its tag
	// does not say otherwise: debian, alpine, rhel, suse; "" unknown.
	// A row without one holds only names or a layout: the images' Env
	// and Users are not known.
	Family string
	Env    map[string]string // ENV the image sets
	Users  map[string]User   // passwd entries beyond root
	Layout imageLayout       // its file system; the zero value: unknown
}

// User is a passwd entry.
type User struct {
	UID, GID string
	Home     string
}

// imageLayout is what cachelint knows about the file system of an image.
type imageLayout struct {
	Known bool // the distribution's usual layout: system directories are root's, mode 0755
	// NonRoot is set when the image's default user is not root (WORKDIR
	// then creates directories owned by that user).
	NonRoot bool
	// Special are directories of the image (beyond /home, /tmp, /var ...)
	// whose owner or mode is not root's 0755.
	Special []string
}

// usualLayout is that of an image whose file system is its
// distribution's.
var usualLayout = imageLayout{Known: true}

var images = []*Image{
	// Linux distributions
	{Names: repos("debian ubuntu"), Family: "debian", Layout: usualLayout},
	{Names: repos("buildpack-deps"), Family: "debian"},
	{Names: repos("alpine"), Family: "alpine", Layout: usualLayout},
	{Names: repos("fedora centos rockylinux almalinux oraclelinux amazonlinux"), Family: "rhel", Layout: usualLayout},
	{Names: on("registry.access.redhat.com", "ubi8/ubi ubi9/ubi ubi10/ubi ubi8/ubi-minimal ubi9/ubi-minimal ubi8 ubi9 ubi10"),
		Family: "rhel", Layout: usualLayout},
	{Names: append(on("registry.access.redhat.com", "ubi*"), "redhat/ubi*"), Layout: usualLayout},
	{Names: repos("opensuse/leap opensuse/tumbleweed"), Family: "suse", Layout: usualLayout},
	{Names: on("registry.suse.com", "bci/bci-base"), Family: "suse"},
	{Names: repos("busybox archlinux photon rockylinux/rockylinux almalinux/almalinux"), Layout: usualLayout},
	{Names: on("gcr.io", "distroless/*"), Layout: usualLayout},
	{Names: append(on("cgr.dev", "chainguard/*"), "chainguard/*"), Layout: imageLayout{Known: true, NonRoot: true}},

	// Language images. golang's GOPATH and ruby's GEM_HOME are mode 1777.
	{Names: repos("golang"), Family: "debian", Env: map[string]string{"GOPATH": "/go"},
		Layout: imageLayout{Known: true, Special: []string{"/go"}}},
	{Names: repos("rust"), Family: "debian", Env: map[string]string{"CARGO_HOME": "/usr/local/cargo", "RUSTUP_HOME": "/usr/local/rustup"},
		Layout: usualLayout},
	{Names: repos("node"), Family: "debian", Users: map[string]User{"node": {UID: "1000", GID: "1000", Home: "/home/node"}},
		Layout: usualLayout},
	{Names: repos("python"), Family: "debian", Layout: usualLayout},
	{Names: repos("pypy"), Family: "debian"},
	{Names: repos("ruby"), Family: "debian", Env: map[string]string{"GEM_HOME": "/usr/local/bundle", "BUNDLE_APP_CONFIG": "/usr/local/bundle"},
		Layout: imageLayout{Known: true, Special: []string{"/usr/local/bundle"}}},
	{Names: repos("php"), Family: "debian", Layout: usualLayout},
	{Names: repos("wordpress"), Family: "debian"},
	{Names: repos("composer"), Family: "alpine", Env: map[string]string{"COMPOSER_HOME": "/tmp"}},
	{Names: repos("maven"), Family: "debian", Env: map[string]string{"MAVEN_CONFIG": "/root/.m2"}},
	{Names: repos("gradle"), Family: "debian", Env: map[string]string{"GRADLE_HOME": "/opt/gradle"},
		Users: map[string]User{"gradle": {UID: "1000", GID: "1000", Home: "/home/gradle"}}},
	{Names: repos("eclipse-temurin openjdk amazoncorretto sapmachine ibm-semeru-runtimes"), Family: "debian", Layout: usualLayout},
	{Names: repos("elixir erlang haskell perl julia swift"), Family: "debian", Layout: usualLayout},
	{Names: repos("gcc clojure"), Family: "debian"},
	{Names: on("mcr.microsoft.com", "dotnet/sdk dotnet/aspnet dotnet/runtime dotnet/runtime-deps dotnet/core/sdk"), Family: "debian",
		Users: map[string]User{"app": {UID: "1654", GID: "1654", Home: "/home/app"}}, Layout: usualLayout},
	{Names: on("mcr.microsoft.com", "dotnet/* openjdk/*"), Layout: usualLayout},
	{Names: repos("continuumio/miniconda3 continuumio/anaconda3 condaforge/miniforge3 condaforge/mambaforge"), Family: "debian"},
	{Names: repos("mambaorg/micromamba"), Family: "debian", Env: map[string]string{"MAMBA_ROOT_PREFIX": "/opt/conda"},
		Users: map[string]User{"mambauser": {UID: "57439", GID: "57439", Home: "/home/mambauser"}}},
	{Names: append(repos("oven/bun"), on("ghcr.io", "astral-sh/uv*")...), Layout: usualLayout},

	// Web servers, whose root-owned directories (/usr/share/nginx/html,
	// /usr/local/apache2/htdocs, /etc/caddy) are where files go.
	{Names: repos("nginx httpd caddy"), Layout: usualLayout},

	// Docker Hub's other official images (docker-library/official-images),
	// current and deprecated.
	{Names: append(repos(`adminer aerospike alt api-firewall arangodb backdrop bash bonita cassandra celery
chronograf cirros clearlinux clefos clickhouse consul convertigo couchbase couchdb crate
crux dart django docker drupal eggdrop elasticsearch emqx express-gateway flink fluentd
friendica fsharp gazebo geonetwork ghost glassfish groovy haproxy haxe hello-world hitch
hylang ibmjava influxdb iojs irssi java jenkins jetty jobber joomla jruby
kaazing-gateway kapacitor kibana known kong lightstreamer liquibase logstash mageia
mariadb matomo mediawiki memcached mongo mongo-express monica mono mysql nats
nats-streaming neo4j neurodebian nextcloud notary nuxeo odoo open-liberty opensuse
orientdb owncloud percona php-zendserver phpmyadmin piwik plone postfixadmin postgres
r-base rabbitmq rails rakudo-star redis redmine registry rethinkdb rocket.chat ros
satosa sentry silverpeas sl solr sonarqube sourcemage spark spiped storm swarm swipl
teamspeak telegraf thrift tomcat tomee traefik ubuntu-debootstrap unit varnish vault
websphere-liberty xwiki yourls znc zookeeper`),
		"eclipse-mosquitto")}, //nolint:misspell // the image's name
}

// repos lists repository names separated by white space.
func repos(list string) []string {
	return strings.Fields(list)
}

// on lists repository names on a registry.
func on(registry, list string) []string {
	var out []string
	for _, r := range strings.Fields(list) {
		out = append(out, registry+"/"+r)
	}
	return out
}

// The rows indexed: by name (with registry), by prefix, and by repository
// on any registry; the official images; the variables rows set.
var (
	imageByName    = map[string]*Image{}
	imageByRepo    = map[string]*Image{}
	imagePrefixes  []imagePrefix
	officialImages = map[string]bool{}
	// imageVars are the variables some well-known image sets: in a stage
	// on an image cachelint does not know, their values are not known
	// either.
	imageVars = map[string]bool{}
)

type imagePrefix struct {
	prefix string
	img    *Image
}

func init() {
	for _, img := range images {
		for _, n := range img.Names {
			if p, ok := strings.CutSuffix(n, "*"); ok {
				imagePrefixes = append(imagePrefixes, imagePrefix{p, img})
				continue
			}
			r := parseImageRef(n)
			imageByName[r.name()] = img
			if imageByRepo[r.Repo] == nil {
				imageByRepo[r.Repo] = img
			}
			if !strings.Contains(n, "/") {
				officialImages[n] = true
			}
		}
		for k := range img.Env {
			imageVars[k] = true
		}
	}
}

// lookupImage returns the row of an image. sameRegistry is false when the
// row names the repository on another registry (node on a private
// registry, ubi9 on registry.redhat.io): most likely a copy of the image.
func lookupImage(r ImageRef) (img *Image, sameRegistry bool) {
	name := r.name()
	if img := imageByName[name]; img != nil {
		return img, true
	}
	for _, p := range imagePrefixes {
		if strings.HasPrefix(name, p.prefix) {
			return p.img, true
		}
	}
	return imageByRepo[r.Repo], false
}

// ImageRef is an image reference split into its parts.
type ImageRef struct {
	Name     string // as written, without tag and digest
	Registry string // lower case; "" for Docker Hub and its mirrors
	Repo     string // lower case, without Docker Hub's library/
	Tag      string
	Digest   string
}

// name is the repository with its registry, if not Docker Hub.
func (r ImageRef) name() string {
	if r.Registry == "" {
		return r.Repo
	}
	return r.Registry + "/" + r.Repo
}

// dockerHub are the prefixes under which registries serve Docker Hub's
// images.
var dockerHub = []string{"docker.io/", "index.docker.io/", "registry-1.docker.io/", "mirror.gcr.io/", "public.ecr.aws/docker/"}

// parseImageRef splits an image reference. It does not validate it.
func parseImageRef(ref string) ImageRef {
	var r ImageRef
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref, r.Digest = ref[:i], ref[i+1:]
	}
	if i := strings.LastIndexByte(ref, ':'); i >= 0 && !strings.Contains(ref[i:], "/") {
		ref, r.Tag = ref[:i], ref[i+1:]
	}
	r.Name = ref
	repo, hub := strings.ToLower(ref), false
	for _, p := range dockerHub {
		if rest, ok := strings.CutPrefix(repo, p); ok {
			repo, hub = rest, true
			break
		}
	}
	if host, rest, ok := cutRegistry(repo); ok && !hub {
		r.Registry, repo = host, rest
	}
	if r.Registry == "" {
		repo = strings.TrimPrefix(repo, "library/")
	}
	r.Repo = repo
	return r
}

// cutRegistry splits an image name into its registry host and the rest;
// ok is false when its first component is not a host (no dot or port,
// not localhost).
func cutRegistry(name string) (host, rest string, ok bool) {
	host, rest, ok = strings.Cut(name, "/")
	if ok && (strings.ContainsAny(host, ".:") || host == "localhost") {
		return host, rest, true
	}
	return "", name, false
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

// knownImage returns the row describing a stage's base image, or nil.
func knownImage(s *dockerfile.Stage) *Image {
	ref, ok := baseImage(s)
	if !ok {
		return nil
	}
	if img, _ := lookupImage(ref); img != nil && img.Family != "" {
		return img
	}
	return nil
}

// layoutOf returns what is known of the file system of an image: nothing
// unless cachelint knows it on its registry. A nonroot, chiseled or
// distroless tag (gcr.io/distroless/static:nonroot, .NET's chiseled
// images) runs as a user other than root.
func layoutOf(ref string) imageLayout {
	r := parseImageRef(ref)
	img, same := lookupImage(r)
	if img == nil || !same || !img.Layout.Known {
		return imageLayout{}
	}
	l := img.Layout
	if tag := strings.ToLower(r.Tag); strings.Contains(tag, "nonroot") || strings.Contains(tag, "chiseled") || strings.Contains(tag, "distroless") {
		l.NonRoot = true
	}
	return l
}

// Family returns the Linux distribution a stage is built on: debian,
// alpine, rhel, suse, or "" when it is not known; windows for Windows
// images. An "-alpine" tag wins over the image's usual family.
func Family(s *dockerfile.Stage) string {
	ref, ok := baseImage(s)
	if !ok {
		return ""
	}
	tag := strings.ToLower(ref.Tag)
	switch {
	case strings.Contains(tag, "alpine"):
		return "alpine"
	case windowsImage(ref):
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

// IsWindows reports whether a stage runs Windows: its base image is a
// Windows image, or a SHELL in it or in a stage it is built on runs
// PowerShell or cmd.
func IsWindows(s *dockerfile.Stage) bool {
	for ; s != nil; s = s.BaseStage {
		if slices.ContainsFunc(s.Instructions, isWindowsShell) {
			return true
		}
		if s.BaseStage == nil {
			return windowsImage(parseImageRef(s.BaseImage))
		}
	}
	return false
}

// windowsImage reports whether an image reference names a Windows image
// (mcr.microsoft.com/windows/servercore, a -nanoserver tag ...), even when
// part of it is not known.
func windowsImage(r ImageRef) bool {
	s := strings.ToLower(r.name() + ":" + r.Tag)
	return strings.Contains(s, "windows") || strings.Contains(s, "nanoserver") || strings.Contains(s, "servercore")
}

// isWindowsShell reports whether an instruction is a SHELL that runs
// PowerShell or cmd.
func isWindowsShell(in *dockerfile.Instruction) bool {
	sh, ok := in.Command.(*instructions.ShellCommand)
	if !ok || len(sh.Shell) == 0 {
		return false
	}
	name := strings.ToLower(path.Base(strings.ReplaceAll(sh.Shell[0], "\\", "/")))
	return strings.HasPrefix(name, "powershell") || strings.HasPrefix(name, "pwsh") || strings.HasPrefix(name, "cmd")
}
