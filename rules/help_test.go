package rules_test

import (
	"strings"
	"testing"
)

// TestHelpText checks help lines that fixtures cannot (a want line checks
// the message only): the help must say the right thing to do.
func TestHelpText(t *testing.T) {
	tests := []struct {
		name, code, src string
		want, notWant   string
	}{
		{
			name: "go build needs the sources: the fetch command moves up",
			code: "CL001",
			src:  "FROM golang:1.24\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n",
			want: "copy go.mod, go.sum first and download the dependencies with `go mod download`, then copy the rest of the context for `go build -o /app .`",
		},
		{
			name: "gradle wrapper as written",
			code: "CL001",
			src:  "FROM eclipse-temurin:21\nWORKDIR /app\nCOPY . .\nRUN ./gradlew bootJar --no-daemon\n",
			want: "download the dependencies with `./gradlew dependencies`, then copy the rest of the context for `./gradlew bootJar --no-daemon`",
		},
		{
			name: "go vet with the context bind-mounted",
			code: "CL001",
			src:  "# syntax=docker/dockerfile:1\nFROM golang:1.24\nWORKDIR /src\nRUN --mount=target=. go vet ./...\n",
			want: "download the dependencies with `go mod download` in an earlier step that copies or bind-mounts only go.mod, go.sum",
		},
		{
			name: "an install is still moved up itself",
			code: "CL001",
			src:  "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n",
			want: "copy package.json, package-lock.json first, run `npm ci`, then copy the rest of the context",
		},
		{
			name:    "rm of the cache and of other files: only the cache operand goes",
			code:    "CL003",
			src:     "FROM alpine:3.20\nRUN apk add -U nodejs npm && rm -rf /tmp/npm* /var/cache/apk/*\n",
			want:    "and drop /var/cache/apk/* from `rm -rf /tmp/npm* /var/cache/apk/*`",
			notWant: "drop `rm",
		},
		{
			name: "rm of the caches only: the whole command goes",
			code: "CL003",
			src:  "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl && rm -rf /var/cache/apt/* /var/lib/apt/lists/*\n",
			want: "and drop `rm -rf /var/cache/apt/* /var/lib/apt/lists/*`",
		},
		{
			name:    "an rm of files named by a glob in / deletes no cache",
			code:    "CL003",
			src:     "FROM debian:bookworm\nWORKDIR /\nRUN apt-get update && apt-get install -y ./tool.deb && rm -f *.deb\n",
			want:    "add --mount=type=cache,target=/var/lib/apt",
			notWant: "drop",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := lintSource(t, tt.code, tt.src)
			if len(fs) != 1 || len(fs[0].Fixes) == 0 {
				t.Fatalf("want one finding with a fix, got %+v", fs)
			}
			help := fs[0].Fixes[0].Message
			if !strings.Contains(help, tt.want) {
				t.Errorf("help %q\nwant it to contain %q", help, tt.want)
			}
			if tt.notWant != "" && strings.Contains(help, tt.notWant) {
				t.Errorf("help %q\nshould not contain %q", help, tt.notWant)
			}
		})
	}
}
