package rules

import (
	"strings"
	"testing"

	"github.com/cachelint/cachelint/dockerfile"
)

func TestDisplayURLHidesCredentials(t *testing.T) {
	tests := map[string]string{
		"https://user:s3cr3t@example.com/a.tgz":         "https://example.com/a.tgz",
		"https://ghp_abc123@github.com/o/r.git":         "https://github.com/o/r.git",
		"https://example.com/a.tgz?X-Amz-Signature=abc": "https://example.com/a.tgz?…",
		"https://example.com/p@ath":                     "https://example.com/p@ath",
		"git@github.com:o/r.git":                        "git@github.com:o/r.git",
		"https://example.com/" + unknownMark + "/x":     "https://example.com/…/x",
	}
	for in, want := range tests {
		if got := displayURL(in); got != want {
			t.Errorf("displayURL(%q) = %q, want %q", in, got, want)
		}
		if strings.Contains(displayURL(in), "s3cr3t") || strings.Contains(displayURL(in), "ghp_") {
			t.Errorf("displayURL(%q) shows a credential", in)
		}
	}
}

func TestMovingURLPart(t *testing.T) {
	tests := map[string]string{
		"https://github.com/o/r/releases/latest/download/x":          "latest",
		"https://raw.githubusercontent.com/o/r/main/install.sh":      "main",
		"https://github.com/o/r/archive/master.tar.gz":               "master",
		"https://github.com/o/r/archive/refs/heads/main.zip":         "main",
		"https://raw.githubusercontent.com/o/r/HEAD/x.sh":            "HEAD",
		"https://wordpress.org/latest.tar.gz":                        "latest",
		"https://repo.anaconda.com/Miniconda3-latest-Linux-x86_64":   "latest",
		"https://example.com/get?version=latest":                     "latest",
		"https://example.com/get?ref=main":                           "main",
		"https://cdn.example.com/npm/pkg@latest/dist/x.js":           "latest",
		"https://example.com/" + unknownMark + "/nightly/x":          "nightly",
		"https://github.com/o/r/releases/download/v1.2.3/x":          "",
		"https://gitlab.com/o/r/-/archive/2.1.0/r-latest.tar.gz":     "",
		"https://example.com/domain/maintainer/mainline/head.tar.gz": "",
		"https://example.com/Main.java":                              "",
		"https://example.com/" + unknownMark + "/install.sh":         "",
		"https://raw.githubusercontent.com/o/r/4f1c2a9e/main/x":      "",
		"https://latest.example.com/tool.tgz":                        "",
	}
	for in, want := range tests {
		if got := movingURLPart(in); got != want {
			t.Errorf("movingURLPart(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClassifyRef(t *testing.T) {
	tests := map[string]refKind{
		"main": refBranch, "master": refBranch, "develop": refBranch, "release-1.2": refBranch,
		"v5.x": refBranch, "refs/heads/v1.2.3": refBranch, "latest": refBranch,
		"refs/tags/latest": refBranch, "origin/main": refBranch,
		"3.24-stable": refBranch, "1.x": refBranch, "v2.0.x": refBranch, "v3-maint": refBranch,
		"swift-6.3.3-RELEASE": refTag, "1030.6.3-ld64-956.6": refTag, "v1.2.3-rc1": refTag,
		"v1.2": refTag, "1.21.0": refTag, "v2.0.0-rc1": refTag, "jq-1.7.1": refTag,
		"OpenSSL_1_1_1w": refTag, "llvmorg-18.1.8": refTag, "go1.22.3": refTag,
		"refs/tags/stable": refTag, "tags/anything": refTag, "2024-05-01": refTag,
		"4f1c2a9": refCommit, "4f1c2a9e0b7d3c5a9f0e1d2c3b4a5f6e7d8c9b0a": refCommit,
		"v" + unknownMark: refUnknown, unknownMark: refUnknown,
	}
	for in, want := range tests {
		if got := classifyRef(in); got != want {
			t.Errorf("classifyRef(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestImageTag(t *testing.T) {
	type result struct {
		name, tag string
		pinned    bool
	}
	tests := map[string]result{
		"python":                          {"python", "", false},
		"python:3.12":                     {"python", "3.12", false},
		"localhost:5000/app":              {"localhost:5000/app", "", false},
		"localhost:5000/app:1":            {"localhost:5000/app", "1", false},
		"app@sha256:abc":                  {"app@sha256:abc", "", true},
		"app:latest@sha256:abc":           {"app:latest@sha256:abc", "", true},
		"node" + unknownMark:              {"node" + unknownMark, "", true},
		"node:" + unknownMark:             {"node", unknownMark, true},
		unknownMark + "/node":             {unknownMark + "/node", "", false},
		unknownMark + ":latest":           {unknownMark, "latest", false},
		"ghcr.io/o/img:v1-" + unknownMark: {"ghcr.io/o/img", "v1-" + unknownMark, true},
	}
	for in, want := range tests {
		name, tag, pinned := imageTag(in)
		if (result{name, tag, pinned}) != want {
			t.Errorf("imageTag(%q) = %q, %q, %v, want %v", in, name, tag, pinned, want)
		}
	}
}

func TestMarkUnknown(t *testing.T) {
	tests := map[string]string{
		"https://x/$V/y":               "https://x/" + unknownMark + "/y",
		"https://x/${V:-latest}/y":     "https://x/" + unknownMark + "/y",
		"https://x/v$(curl -s a)/y":    "https://x/v" + unknownMark + "/y",
		"https://x/`uname -m`/y":       "https://x/" + unknownMark + "/y",
		"https://x/$((1+2))/y":         "https://x/" + unknownMark + "/y",
		"https://x/plain/latest":       "https://x/plain/latest",
		"https://x/a$1b":               "https://x/a" + unknownMark + "b",
		"https://x/${A}${B}/$(f $(g))": "https://x/" + unknownMark + unknownMark + "/" + unknownMark,
	}
	for in, want := range tests {
		if got := markUnknown(dockerfile.Arg{Value: in}); got != want {
			t.Errorf("markUnknown(%q) = %q, want %q", in, got, want)
		}
	}
}
