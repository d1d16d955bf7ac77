package buildconfig

import "testing"

func FuzzGitLab(f *testing.F) {
	for _, s := range []string{
		"build:\n  script:\n    - docker build -t x .\n",
		"include:\n  - local: ci/other.yml\n  - /.gitlab-ci.yml\n.t: &t\n  script: [docker buildx build --cache-to type=gha .]\nj:\n  <<: *t\n  extends: [.t, j]\n",
		"a: &a [*a]\n",
		"j:\n  script:\n    - !reference [j, script]\n    - |\n      docker build \\\n        -t \"x\\ty\" .\n",
		"variables: {A: {value: $B}}\nj: {services: [{name: docker:dind}], parallel: {matrix: [{X: [1]}]}, rules: [{if: '$CI_PIPELINE_SOURCE == \"schedule\"'}], script: docker build .}\n",
		"spec:\n  inputs: {}\n---\nj:\n  script: docker build .\n",
		"j: [unclosed\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(_ *testing.T, s string) {
		loadMem(".gitlab-ci.yml", []byte(s))
	})
}
