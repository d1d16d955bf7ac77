package buildconfig

import (
	"go/token"
	"os"
	"path"
	"testing"
)

// loadMem loads one configuration file held in memory, which may include
// or name itself and ci/other.yml (the same content).
func loadMem(name string, data []byte) *Repo {
	read := func(abs string) ([]byte, error) {
		switch abs {
		case path.Join("/repo", name), "/repo/ci/other.yml":
			return data, nil
		}
		return nil, os.ErrNotExist
	}
	return Load(token.NewFileSet(), "/repo", []Input{{Path: name, Abs: path.Join("/repo", name)}}, read)
}

func FuzzMakefile(f *testing.F) {
	for _, s := range []string{
		"IMAGE := a\nbuild:\n\t@docker build \\\n\t  -t $(IMAGE):$(shell date) $$X .\n",
		".ONESHELL:\nexport DOCKER_BUILDKIT=0\nb: ; docker build $(\n\tdocker build ${A ${B}} $\n",
		"define X\n\tdocker build .\nendef\nifeq ($(A),b)\nx: y = 1\nendif\n",
		"A = $(B)\nB = $(A)\nt:\n\tdocker build -t $(A) .\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(_ *testing.T, s string) {
		loadMem("Makefile", []byte(s))
	})
}

func FuzzScript(f *testing.F) {
	for _, s := range []string{
		"#!/bin/sh\r\ndocker build -t a .\r\n",
		"\xef\xbb\xbfdocker buildx build --cache-to type=registry,ref=x \\\r\n .",
	} {
		f.Add(s)
	}
	f.Fuzz(func(_ *testing.T, s string) {
		loadMem("build.sh", []byte(s))
	})
}
