package rules

import (
	"strings"
	"testing"

	"github.com/cachelint/cachelint/dockerfile"
)

func TestParseImageRef(t *testing.T) {
	tests := map[string]ImageRef{
		"node":                           {Name: "node", Repo: "node"},
		"Node:20-Alpine":                 {Name: "Node", Repo: "node", Tag: "20-Alpine"},
		"library/node:20@sha256:ab":      {Name: "library/node", Repo: "node", Tag: "20", Digest: "sha256:ab"},
		"docker.io/library/node":         {Name: "docker.io/library/node", Repo: "node"},
		"mirror.gcr.io/library/golang:1": {Name: "mirror.gcr.io/library/golang", Repo: "golang", Tag: "1"},
		"public.ecr.aws/docker/library/python:3.12-slim": {
			Name: "public.ecr.aws/docker/library/python", Repo: "python", Tag: "3.12-slim"},
		"public.ecr.aws/lambda/python:3.12": {Name: "public.ecr.aws/lambda/python", Registry: "public.ecr.aws", Repo: "lambda/python", Tag: "3.12"},
		"localhost:5000/app":                {Name: "localhost:5000/app", Registry: "localhost:5000", Repo: "app"},
		"localhost/library/app:1":           {Name: "localhost/library/app", Registry: "localhost", Repo: "library/app", Tag: "1"},
		"MCR.microsoft.com/dotnet/sdk:8.0":  {Name: "MCR.microsoft.com/dotnet/sdk", Registry: "mcr.microsoft.com", Repo: "dotnet/sdk", Tag: "8.0"},
		"bitnami/redis":                     {Name: "bitnami/redis", Repo: "bitnami/redis"},
	}
	for in, want := range tests {
		if got := parseImageRef(in); got != want {
			t.Errorf("parseImageRef(%q) = %+v, want %+v", in, got, want)
		}
	}
}

// TestImageNames checks that every name of the table is written as
// parseImageRef reads it and is listed once.
func TestImageNames(t *testing.T) {
	seen := map[string]bool{}
	for _, img := range images {
		for _, n := range img.Names {
			if r := parseImageRef(strings.TrimSuffix(n, "*")); r.name() != strings.TrimSuffix(n, "*") || r.Tag != "" {
				t.Errorf("image name %q reads as %q", n, r.name())
			}
			if seen[n] {
				t.Errorf("image name %q listed twice", n)
			}
			seen[n] = true
		}
		if img.Family == "" && (img.Env != nil || img.Users != nil) {
			t.Errorf("row %v has Env or Users but no Family, so they are not used", img.Names)
		}
	}
}

func TestOfficialImages(t *testing.T) {
	for name, want := range map[string]bool{
		"node": true, "alpine": true, "nginx": true, "postgres": true, "zookeeper": true,
		"ubi9": false, "scratch": false, "app": false, "opensuse/leap": false,
	} {
		if officialImages[name] != want {
			t.Errorf("officialImages[%q] = %v, want %v", name, !want, want)
		}
	}
}

func TestLayoutOf(t *testing.T) {
	tests := map[string]imageLayout{
		"alpine:3.20":                                              {Known: true},
		"docker.io/library/golang:1.23":                            {Known: true, Special: []string{"/go"}},
		"mirror.gcr.io/library/nginx":                              {Known: true},
		"gcr.io/distroless/static-debian12":                        {Known: true},
		"gcr.io/distroless/static:nonroot":                         {Known: true, NonRoot: true},
		"cgr.dev/chainguard/static":                                {Known: true, NonRoot: true},
		"mcr.microsoft.com/dotnet/aspnet:8.0":                      {Known: true},
		"mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled": {Known: true, NonRoot: true},
		"mcr.microsoft.com/dotnet/monitor:8":                       {Known: true},
		"registry.access.redhat.com/ubi9/ubi":                      {Known: true},
		"registry.access.redhat.com/ubi9/go-toolset":               {Known: true},
		"redhat/ubi9-minimal":                                      {Known: true},
		"ghcr.io/astral-sh/uv:python3.12-bookworm":                 {Known: true},
		// Unknown: not in the table, or known only on another registry.
		"buildpack-deps:bookworm":        {},
		"myregistry.example.com/node:22": {},
		"registry.redhat.io/ubi9/ubi":    {},
		"bitnami/nginx":                  {},
	}
	for ref, want := range tests {
		got := layoutOf(ref)
		if got.Known != want.Known || got.NonRoot != want.NonRoot || strings.Join(got.Special, " ") != strings.Join(want.Special, " ") {
			t.Errorf("layoutOf(%q) = %+v, want %+v", ref, got, want)
		}
	}
}

func TestKnownImageAndFamily(t *testing.T) {
	tests := []struct {
		from, family string
		known        bool
	}{
		{"node:22", "debian", true},
		{"node:22-alpine", "alpine", true},
		{"myregistry.example.com/node:22", "debian", true}, // a copy of node
		{"registry.redhat.io/ubi9/ubi", "rhel", true},
		{"mcr.microsoft.com/dotnet/sdk:8.0", "debian", true},
		{"public.ecr.aws/docker/library/golang:1.23", "debian", true},
		{"nginx", "", false}, // its layout is known, not its contents
		{"gcr.io/distroless/static", "", false},
		{"${REGISTRY}/golang:1.23", "", false},
		{"mcr.microsoft.com/windows/servercore:ltsc2022", "windows", false},
	}
	for _, tt := range tests {
		f := dockerfile.Parse("Dockerfile", []byte("FROM "+tt.from+"\nRUN true\n"), nil)
		s := f.Stages[0]
		if got := Family(s); got != tt.family {
			t.Errorf("Family(FROM %s) = %q, want %q", tt.from, got, tt.family)
		}
		if got := knownImage(s) != nil; got != tt.known {
			t.Errorf("knownImage(FROM %s) = %v, want %v", tt.from, got, tt.known)
		}
	}
}

func TestIsWindows(t *testing.T) {
	tests := map[string]bool{
		"FROM mcr.microsoft.com/windows/servercore:ltsc2022\n":                                             true,
		"FROM mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022\n":                                      true,
		"FROM ${REGISTRY}/windows/nanoserver:ltsc2022\n":                                                   true,
		"FROM mcr.microsoft.com/powershell:lts-windowsserver-ltsc2022\n":                                   true,
		"FROM myimage\nSHELL [\"powershell\", \"-Command\"]\n":                                             true,
		"FROM myimage AS base\nSHELL [\"C:\\\\Windows\\\\cmd.exe\", \"/S\", \"/C\"]\nFROM base\nRUN dir\n": true,
		"FROM mcr.microsoft.com/dotnet/sdk:8.0\n":                                                          false,
		"FROM debian\nSHELL [\"/bin/bash\", \"-c\"]\n":                                                     false,
		"FROM scratch\n": false,
	}
	for src, want := range tests {
		f := dockerfile.Parse("Dockerfile", []byte(src), nil)
		if got := IsWindows(f.Stages[len(f.Stages)-1]); got != want {
			t.Errorf("IsWindows(%q) = %v, want %v", src, got, want)
		}
	}
}
