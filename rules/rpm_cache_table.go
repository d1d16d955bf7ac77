package rules

import (
	"strconv"
	"strings"
)

// Where dnf and yum keep their cache on the RPM-based images whose release
// the reference tells. The program names do not say it: yum has been a
// link to dnf since Fedora 22 and Enterprise Linux 8 (its cache is then
// /var/cache/dnf), and dnf is dnf5 from Fedora 41 on, which keeps its
// cache in /var/cache/libdnf5. Only Enterprise Linux 7 and Amazon Linux 2
// still run the original yum (/var/cache/yum). microdnf is left out: it
// keeps /var/cache/yum on the images that ship it.

// rpmGeneration is the package manager an image's yum and dnf commands
// run.
type rpmGeneration int

const (
	rpmUnknown rpmGeneration = iota
	rpmYum                   // yum 3, /var/cache/yum; no dnf
	rpmDNF4                  // dnf 4 (yum is dnf), /var/cache/dnf
	rpmDNF5                  // dnf5 (dnf and yum are dnf5), /var/cache/libdnf5
)

// rpmCacheDir returns the directory where prog (dnf, dnf5 or yum) keeps its
// cache on the stage's base image, or "" when the image or its release is
// not known here.
func rpmCacheDir(e runEnv, prog string) string {
	if e.in == nil || e.in.Stage == nil {
		return ""
	}
	ref, ok := baseImage(e.in.Stage)
	if !ok {
		return ""
	}
	switch rpmGenerationOf(ref) {
	case rpmDNF5:
		if oneOf(prog, "dnf", "dnf5", "yum") {
			return "/var/cache/libdnf5"
		}
	case rpmDNF4:
		if oneOf(prog, "dnf", "yum") {
			return "/var/cache/dnf"
		}
	case rpmYum:
		if prog == "yum" {
			return "/var/cache/yum"
		}
	}
	return ""
}

// rpmGenerationOf tells the package manager of an image from its name and
// the release in its tag (fedora:42, rockylinux:9.3, centos:7,
// quay.io/centos/centos:stream9, registry.access.redhat.com/ubi8/ubi).
func rpmGenerationOf(ref ImageRef) rpmGeneration {
	tag := strings.ToLower(ref.Tag)
	name := ref.name()
	if ref.Registry == "" { // Docker Hub's per-architecture copies: amd64/almalinux
		if arch, rest, ok := strings.Cut(name, "/"); ok && oneOf(arch, "amd64", "arm64v8", "arm32v7", "ppc64le", "s390x", "i386") {
			name = rest
		}
	}
	switch name {
	case "fedora", "registry.fedoraproject.org/fedora", "quay.io/fedora/fedora":
		switch major, ok := releaseMajor(tag); {
		case tag == "" || tag == "latest" || tag == "rawhide" || ok && major >= 41:
			return rpmDNF5
		case ok && major >= 22:
			return rpmDNF4
		case ok:
			return rpmYum
		}
	case "centos", "quay.io/centos/centos":
		return elRelease(strings.TrimPrefix(strings.TrimPrefix(tag, "centos"), "stream"))
	case "rockylinux", "rockylinux/rockylinux", "quay.io/rockylinux/rockylinux",
		"almalinux", "almalinux/almalinux", "quay.io/almalinuxorg/almalinux",
		"oraclelinux", "container-registry.oracle.com/os/oraclelinux":
		return elRelease(tag)
	case "amazonlinux", "public.ecr.aws/amazonlinux/amazonlinux":
		switch major, ok := releaseMajor(tag); {
		case ok && major == 2:
			return rpmYum
		case ok && major >= 2022:
			return rpmDNF4
		}
	}
	if r, ok := strings.CutPrefix(name, "registry.access.redhat.com/ubi"); ok {
		return elRelease(r)
	}
	if r, ok := strings.CutPrefix(name, "redhat/ubi"); ok {
		return elRelease(r)
	}
	return rpmUnknown
}

// elRelease is the package manager of an Enterprise Linux release given by
// a version that starts with its major number (8, 9.3, 9-minimal, 7/ubi).
func elRelease(v string) rpmGeneration {
	switch major, ok := releaseMajor(v); {
	case !ok:
		return rpmUnknown
	case major >= 8:
		return rpmDNF4
	case major >= 5:
		return rpmYum
	}
	return rpmUnknown
}

// releaseMajor reads the number a version starts with.
func releaseMajor(v string) (int, bool) {
	end := 0
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(v[:end])
	return n, err == nil
}
