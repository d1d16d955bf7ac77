package buildconfig

import (
	"slices"
	"strings"
	"testing"
)

func TestGitLab(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{{
		name: "variables at all levels, dind, image",
		files: map[string]string{
			".gitlab-ci.yml": `variables:
  IMAGE: registry.example.com/app
  TAG: $CI_COMMIT_SHA
  CACHE:
    value: registry.example.com/app:cache
    description: where the cache is

build:
  image: docker:20.10
  services:
    - name: docker:20.10-dind
      alias: docker
  variables:
    TAG: latest
    DOCKER_TLS_CERTDIR: ""
  script:
    - docker build --cache-from $CACHE -t "$IMAGE:$TAG" .
`,
			"Dockerfile": "FROM alpine\n",
		},
		want: []string{
			".gitlab-ci.yml:17:7 docker build ctx=. df=Dockerfile tag=registry.example.com/app:latest from=registry:registry.example.com/app:cache@17:33 builder=default stages=1 name=build",
			"  job build@8:1 triggers=push hosted image=docker:20.10@9:10 service=docker:20.10-dind CACHE=registry.example.com/app:cache@5:12 DOCKER_TLS_CERTDIR=@15:26 IMAGE=registry.example.com/app@2:10 TAG=latest@14:10",
		},
	}, {
		name: "extends chain, hidden jobs not built, lists replaced and hashes merged",
		files: map[string]string{
			".gitlab-ci.yml": `.base:
  image: docker:24
  variables:
    A: base
    B: base
  tags: [shared]
  script:
    - docker build -t base .

.docker:
  extends: .base
  variables:
    B: docker
  script:
    - docker buildx build --cache-to type=gha -t docker .

build-app:
  extends: [.docker]
  variables:
    C: app
`,
		},
		want: []string{
			".gitlab-ci.yml:15:7 docker buildx build ctx=. df=Dockerfile tag=docker to=gha:buildkit@15:38 builder=default name=build-app",
			"  job build-app@17:1 triggers=push image=docker:24@2:10 runner=shared A=base@4:8 B=docker@13:8 C=app@20:8",
		},
	}, {
		name: "extends of an undefined template and an extends cycle",
		files: map[string]string{
			".gitlab-ci.yml": `a:
  extends: b
  script: [docker build -t a .]
b:
  extends: a
  script: [docker build -t b .]
c:
  extends: .nowhere
  script: [docker build -t c .]
`,
		},
		// GitLab rejects such a pipeline; the loop is reported once and
		// broken where it closes.
		want: []string{
			".gitlab-ci.yml:3:12 docker build ctx=. df=Dockerfile tag=a builder=default name=a",
			"  job a@1:1 triggers=push",
			".gitlab-ci.yml:6:12 docker build ctx=. df=Dockerfile tag=b builder=default name=b",
			"  job b@4:1 triggers=push",
			".gitlab-ci.yml:9:12 docker build ctx=. df=Dockerfile tag=c builder=default name=c",
			"  job c@7:1 triggers=push",
			"error 1:1: extends of a loop back to it",
			"error 8:12: extends names .nowhere, which is not defined",
		},
	}, {
		name: "include of local files; remote and template includes ignored; include cycle",
		files: map[string]string{
			".gitlab-ci.yml": `include:
  - local: /ci/templates.yml
  - remote: https://example.com/ci.yml
  - template: Docker.gitlab-ci.yml
  - project: group/project
    file: /x.yml
  - ci/jobs.yml
variables:
  IMAGE: example/app
build:
  extends: .docker
`,
			"ci/templates.yml": `include: /.gitlab-ci.yml
.docker:
  script:
    - docker build -t $IMAGE -f docker/Dockerfile .
`,
			"ci/jobs.yml": `include:
  - local: ci/missing.yml
from-include:
  script:
    - docker build -t $IMAGE:inc sub
`,
		},
		// Jobs come in the order of the merged configuration: the
		// included files' first.
		want: []string{
			"ci/jobs.yml:5:7 docker build ctx=sub df=sub/Dockerfile tag=example/app:inc builder=default name=from-include",
			"  job from-include@3:1 triggers=push IMAGE=example/app@9:10",
			"ci/templates.yml:4:7 docker build ctx=. df=docker/Dockerfile tag=example/app builder=default name=build",
			"  job build@10:1 triggers=push IMAGE=example/app@9:10",
			"error 2:12: included file ci/missing.yml not found",
		},
	}, {
		name: "a script list with a multi-line entry, before_script exports, a PowerShell line",
		files: map[string]string{
			".gitlab-ci.yml": `build:
  before_script:
    - export REF=registry.example.com/app:cache
  script:
    - Write-Host "building" ` + "`" + `
    - |
      docker buildx build \
        --cache-from type=registry,ref=$REF \
        --cache-to type=registry,ref=$REF,mode=max \
        --build-arg COMMIT=$CI_COMMIT_SHA \
        -t app .
  after_script:
    - docker build -t after .
`,
		},
		want: []string{
			".gitlab-ci.yml:7:7 docker buildx build ctx=. df=Dockerfile tag=app from=registry:registry.example.com/app:cache@8:22 to=registry:registry.example.com/app:cache@9:20,mode=max arg=COMMIT=$CI_COMMIT_SHA(dyn) builder=default name=build",
			"  job build@1:1 triggers=push",
			".gitlab-ci.yml:13:7 docker build ctx=. df=Dockerfile tag=after builder=default name=build",
			"  job build@1:1 triggers=push",
		},
	}, {
		name: "YAML anchors and merge keys; !reference",
		files: map[string]string{
			".gitlab-ci.yml": `.defaults: &defaults
  image: docker:25
  services: [docker:25-dind]
  variables: &vars
    IMAGE: app
.setup:
  script:
    - docker buildx create --use --driver docker-container
build:
  <<: *defaults
  variables:
    <<: *vars
    EXTRA: x
  script:
    - !reference [.setup, script]
    - docker buildx build --cache-to type=registry,ref=$IMAGE:c -t $IMAGE .
`,
		},
		want: []string{
			`.gitlab-ci.yml:16:7 docker buildx build ctx=. df=Dockerfile tag=app to=registry:app:c@16:38 builder="docker-container" name=build`,
			"  job build@9:1 triggers=push hosted image=docker:25@2:10 service=docker:25-dind EXTRA=x@13:12 IMAGE=app@5:12",
		},
	}, {
		name: "schedules, matrix, default:, inherit",
		files: map[string]string{
			".gitlab-ci.yml": `default:
  image: docker:27
  tags: [big]
nightly:
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
    - if: $CI_COMMIT_TAG
      when: never
  parallel:
    matrix:
      - APP: [api, web]
        ARCH: amd64
      - APP: worker
        VARIANT: slim
  script: docker build --no-cache -t $APP ./$APP
both:
  inherit:
    default: [tags]
  only: [main, schedules]
  script: docker build .
`,
		},
		want: []string{
			".gitlab-ci.yml:15:11 docker build ctx= df= tag=$APP no-cache builder=default name=nightly",
			"  job nightly@4:1 triggers=schedule image=docker:27@2:10 runner=big matrix=APP,ARCH,VARIANT",
			".gitlab-ci.yml:20:11 docker build ctx=. df=Dockerfile builder=default name=both",
			"  job both@16:1 triggers=push,schedule runner=big",
		},
	}, {
		name: "invalid YAML",
		files: map[string]string{
			".gitlab-ci.yml": "build:\n  script:\n    - docker build .\n  bad: [unclosed\n",
		},
		want: []string{"error 4:1: invalid YAML: did not find expected ',' or ']'"},
	}, {
		name:  "invalid YAML: a tab",
		files: map[string]string{".gitlab-ci.yml": "build:\n  script:\n\t- docker build .\n"},
		want:  []string{"error 3:1: invalid YAML: found character that cannot start any token"},
	}, {
		name:  "not a mapping",
		files: map[string]string{".gitlab-ci.yml": "- a\n- b\n"},
		want:  []string{"error 1:1: a GitLab CI file is a mapping of jobs and keywords, not a list"},
	}, {
		name:  "empty file",
		files: map[string]string{".gitlab-ci.yml": ""},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadResult(t, tt.files)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestGitLabKaniko checks that a kaniko job's script reaches the scanner
// with its positions; what kaniko's flags mean is the scanner's.
func TestGitLabKaniko(t *testing.T) {
	repo, fset := loadFiles(t, map[string]string{".gitlab-ci.yml": `kaniko:
  image:
    name: gcr.io/kaniko-project/executor:v1.23.2-debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context "${CI_PROJECT_DIR}" --dockerfile "${CI_PROJECT_DIR}/Dockerfile" --destination "${CI_REGISTRY_IMAGE}:${CI_COMMIT_TAG}" --cache=true --cache-repo=$CI_REGISTRY_IMAGE/cache
`})
	if len(repo.Builds) != 1 || len(repo.Errors) != 0 {
		t.Fatalf("got %d builds, errors %v", len(repo.Builds), repo.Errors)
	}
	b := repo.Builds[0]
	if b.Kind != Kaniko || pos(fset, b.Pos) != "6:7" || b.Name != "kaniko" || len(b.Tags) != 1 || pos(fset, b.Tags[0].Pos) != "6:112" {
		t.Errorf("got %s", describe(fset, b))
	}
	if got := describeJob(fset, b.Job); got != "job kaniko@1:1 triggers=push image=gcr.io/kaniko-project/executor:v1.23.2-debug@3:11" {
		t.Errorf("got %s", got)
	}
}
