package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/buildconfig"
)

func TestCIRefs(t *testing.T) {
	env := map[string]buildconfig.Value{
		"BRANCH":      {Text: "${{ github.head_ref || github.ref_name }}", Dynamic: true},
		"TAG":         {Text: "cache-$BRANCH", Dynamic: true},
		"MAIN":        {Text: "main"},
		"CACHE_SCOPE": {Text: "api"},
		"LOOP":        {Text: "$LOOP", Dynamic: true},
	}
	kinds := map[branchKind]string{brCurrent: "branch", brBase: "base", brDefault: "default"}
	for _, tc := range []struct{ in, want string }{
		// GitHub expressions.
		{"type=gha,scope=${{ github.ref_name }}-api", "branch github.ref_name ${{ github.ref_name }}"},
		{"scope=${{github.ref}}", "branch github.ref ${{github.ref}}"},
		{"${{ github.head_ref || github.ref_name }}", "branch github.head_ref ${{ github.head_ref || github.ref_name }}"},
		{"${{ format('cache-{0}', github.ref_name) }}", "branch github.ref_name ${{ format('cache-{0}', github.ref_name) }}"},
		{"ref=x:${{ github.event.pull_request.head.ref }}", "branch github.event.pull_request.head.ref ${{ github.event.pull_request.head.ref }}"},
		{"ref=x:${{ github.base_ref }}", "base github.base_ref ${{ github.base_ref }}"},
		{"ref=x:${{ github.event.repository.default_branch }}", "default github.event.repository.default_branch ${{ github.event.repository.default_branch }}"},
		{"ref=x:${{ env.BRANCH }}", "branch env.BRANCH ${{ env.BRANCH }}"},
		{"ref=x:${{ env.MAIN }}", ""},
		{"ref=x:${{ steps.vars.outputs.branch-name }}", "branch steps.vars.outputs.branch-name ${{ steps.vars.outputs.branch-name }}"},
		{"ref=x:${{ steps.vars.outputs.default-branch }}", "default steps.vars.outputs.default-branch ${{ steps.vars.outputs.default-branch }}"},
		{"ref=x:${{ inputs.branch }}", "branch inputs.branch ${{ inputs.branch }}"},
		{"ref=x:${{ github.sha }}", ""},
		{"ref=x:${{ github.repository }}", ""},
		// Compared or tested: no branch in the value.
		{"${{ github.ref_name == 'main' && 'type=gha,mode=max' || '' }}", ""},
		{"${{ 'main' == github.ref_name && 'a' || 'b' }}", ""},
		{"${{ startsWith(github.ref, 'refs/tags/') && 'a' || 'b' }}", ""},
		{"${{ github.head_ref && 'pr' || 'main' }}", ""},
		{"${{ !github.head_ref && 'x' }}", ""},
		// Shell and CI variables.
		{"type=registry,ref=$IMAGE:cache-$CI_COMMIT_REF_SLUG", "branch CI_COMMIT_REF_SLUG $CI_COMMIT_REF_SLUG"},
		{"ref=$IMAGE:${CI_COMMIT_REF_SLUG:-main}", "branch CI_COMMIT_REF_SLUG ${CI_COMMIT_REF_SLUG:-main}"},
		{"ref=$IMAGE:${GITHUB_REF##*/}", "branch GITHUB_REF ${GITHUB_REF##*/}"},
		{"ref=$IMAGE:$CI_DEFAULT_BRANCH", "default CI_DEFAULT_BRANCH $CI_DEFAULT_BRANCH"},
		{"ref=$IMAGE:$CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "base CI_MERGE_REQUEST_TARGET_BRANCH_NAME $CI_MERGE_REQUEST_TARGET_BRANCH_NAME"},
		{"ref=$IMAGE:$TAG", "branch TAG $TAG"},
		{"ref=$IMAGE:$MAIN", ""},
		{"ref=$IMAGE:$GIT_BRANCH_SLUG", "branch GIT_BRANCH_SLUG $GIT_BRANCH_SLUG"},
		{"ref=$IMAGE:$DEFAULT_BRANCH", "default DEFAULT_BRANCH $DEFAULT_BRANCH"},
		{"ref=$IMAGE:$MAIN_BRANCH", ""},
		{"ref=$IMAGE:$CACHE_SCOPE", ""},
		{"ref=$IMAGE:$LOOP", ""},
		{"ref=$IMAGE:$VERSION", ""},
		// Commands and make variables.
		{"ref=app:$(git rev-parse --abbrev-ref HEAD)", "branch git $(git rev-parse --abbrev-ref HEAD)"},
		{"ref=app:$$(git branch --show-current)", "branch git $(git branch --show-current)"},
		{"ref=app:`git symbolic-ref --short HEAD`", "branch git `git symbolic-ref --short HEAD`"},
		{"ref=app:$(echo $GITHUB_REF_NAME | tr / -)", "branch GITHUB_REF_NAME $(echo $GITHUB_REF_NAME | tr / -)"},
		{"ref=app:$(BRANCH)", "branch BRANCH $(BRANCH)"},
		{"ref=app:$(shell git rev-parse --abbrev-ref HEAD)", "branch git $(shell git rev-parse --abbrev-ref HEAD)"},
		{"ref=app:$(git rev-parse --short HEAD)", ""},
		// Unterminated parts end the scan quietly.
		{"ref=app:${{ github.ref_name", ""},
		{"ref=app:${BRANCH", ""},
		{"ref=app:$(BRANCH", ""},
	} {
		var got []string
		for _, r := range ciRefs(tc.in, env) {
			got = append(got, fmt.Sprintf("%s %s %s", kinds[r.Kind], r.Name, tc.in[r.Start:r.End]))
		}
		if g := strings.Join(got, "; "); g != tc.want {
			t.Errorf("ciRefs(%q) = %q, want %q", tc.in, g, tc.want)
		}
	}
}

func TestBranchVaries(t *testing.T) {
	wf := &buildconfig.File{Kind: buildconfig.Workflow}
	job := func(triggers []string, filters map[string]buildconfig.RefFilter, cond string) *buildconfig.Build {
		return &buildconfig.Build{File: wf, Job: &buildconfig.Job{File: wf, Triggers: triggers, Filters: filters, If: buildconfig.Value{Text: cond}}}
	}
	main := map[string]buildconfig.RefFilter{"push": {Branches: []string{"main", "develop"}}}
	for _, tc := range []struct {
		name string
		b    *buildconfig.Build
		want bool
	}{
		{"script", &buildconfig.Build{}, true},
		{"gitlab", &buildconfig.Build{Job: &buildconfig.Job{File: &buildconfig.File{Kind: buildconfig.GitLab}, Triggers: []string{"push"}}}, true},
		{"push anywhere", job([]string{"push"}, nil, ""), true},
		{"pull request", job([]string{"push", "pull_request"}, main, ""), true},
		{"push to main", job([]string{"push", "workflow_dispatch"}, main, ""), false},
		{"push to globs", job([]string{"push"}, map[string]buildconfig.RefFilter{"push": {Branches: []string{"release/**"}}}, ""), true},
		{"branches-ignore", job([]string{"push"}, map[string]buildconfig.RefFilter{"push": {BranchesIgnore: []string{"gh-pages"}}}, ""), true},
		{"tags", job([]string{"push"}, map[string]buildconfig.RefFilter{"push": {Tags: []string{"v*"}}}, ""), true},
		{"reusable", job([]string{"workflow_call"}, nil, ""), false},
		{"tags-ignore", job([]string{"push"}, map[string]buildconfig.RefFilter{"push": {TagsIgnore: []string{"v*"}}}, ""), true},
		{"schedule", job([]string{"schedule", "workflow_dispatch"}, nil, ""), false},
		{"release", job([]string{"release"}, nil, ""), true},
		{"if main", job([]string{"push", "pull_request"}, nil, "github.ref == 'refs/heads/main'"), false},
		{"if ref_name", job([]string{"pull_request"}, nil, "${{ github.event_name == 'push' && github.ref_name == 'main' }}"), false},
		{"if or", job([]string{"pull_request"}, nil, "github.ref == 'refs/heads/main' || github.event_name == 'pull_request'"), true},
	} {
		if got := branchVaries(tc.b); got != tc.want {
			t.Errorf("%s: branchVaries = %v, want %v", tc.name, got, tc.want)
		}
	}
}
