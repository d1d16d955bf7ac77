package rules

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestBuildKitVersion keeps the version the docs name equal to the
// BuildKit module cachelint is built with.
func TestBuildKitVersion(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "github.com/moby/buildkit" {
			if f[1] != buildkitVersion {
				t.Errorf("go.mod requires BuildKit %s, buildkitVersion is %s", f[1], buildkitVersion)
			}
			return
		}
	}
	t.Error("go.mod does not require github.com/moby/buildkit")
}

// buildkitRules are the names of BuildKit's checks in its ruleset
// (frontend/dockerfile/linter/ruleset.go): each must be a rule.
var buildkitRules = []string{
	"StageNameCasing", "FromAsCasing", "NoEmptyContinuation", "ConsistentInstructionCasing",
	"DuplicateStageName", "ReservedStageName", "JSONArgsRecommended", "MaintainerDeprecated",
	"UndefinedArgInFrom", "WorkdirRelativePath", "UndefinedVar", "MultipleInstructionsDisallowed",
	"LegacyKeyValueFormat", "InvalidBaseImagePlatform", "RedundantTargetPlatform",
	"SecretsUsedInArgOrEnv", "InvalidDefaultArgInFrom", "FromPlatformFlagConstDisallowed",
	"CopyIgnoredFile", "InvalidDefinitionDescription", "ExposeProtoCasing", "ExposeInvalidFormat",
}

// TestBuildKitRulesRegistered checks that every one of BuildKit's checks
// is a rule with its name as code and name, the buildkit tag and the
// BuildKit analyzer as a requirement, and that no other rule claims to be
// one.
func TestBuildKitRulesRegistered(t *testing.T) {
	if len(buildkitRules) != 22 {
		t.Fatalf("%d BuildKit rules listed, want 22", len(buildkitRules))
	}
	for _, name := range buildkitRules {
		r, ok := Lookup(name)
		if !ok {
			t.Errorf("%s is not a rule", name)
			continue
		}
		if r.Code != name || r.Name() != name {
			t.Errorf("%s: code %s, name %s; want both %s", name, r.Code, r.Name(), name)
		}
		if !slices.Contains(r.Tags, "buildkit") {
			t.Errorf("%s: no buildkit tag", name)
		}
		if !slices.Contains(r.Analyzer.Requires, BuildKit) {
			t.Errorf("%s does not require the BuildKit analyzer", name)
		}
		if r.Off != (name == "SecretsUsedInArgOrEnv") {
			t.Errorf("%s: off %v", name, r.Off)
		}
	}
	for _, r := range All() {
		if slices.Contains(r.Analyzer.Requires, BuildKit) && !slices.Contains(buildkitRules, r.Code) {
			t.Errorf("%s requires the BuildKit analyzer but is not one of BuildKit's checks", r.Code)
		}
	}
}

func TestSummaryOf(t *testing.T) {
	for in, want := range map[string]string{
		"Stage names should be lowercase":     "stage names should be lowercase",
		"JSON arguments recommended":          "JSON arguments recommended",
		"FROM command must use declared ARGs": "FROM command must use declared ARGs",
		"Two sentences. Second one.":          "two sentences. Second one",
	} {
		if got := summaryOf(in); got != want {
			t.Errorf("summaryOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLeadingVariable(t *testing.T) {
	for in, want := range map[string]string{
		"$HOME":               "HOME",
		`"${HOME}"`:           "HOME",
		"${A_B:-x}/y":         "A_B",
		"/abs/$HOME":          "",
		"app":                 "",
		"$":                   "",
		"${LAMBDA_TASK_ROOT}": "LAMBDA_TASK_ROOT",
	} {
		got, ok := leadingVariable(in)
		if got != want || ok != (want != "") {
			t.Errorf("leadingVariable(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// TestBuildKitDocsNameTheRule checks the generated docs: the rule's own
// name in the skip example, the Sources, and no half-written sentence.
func TestBuildKitDocsNameTheRule(t *testing.T) {
	for _, name := range buildkitRules {
		r, _ := Lookup(name)
		doc := r.Analyzer.Doc
		if !strings.Contains(doc, "# check=skip="+name+`"`) {
			t.Errorf("%s: the doc does not show how to skip it", name)
		}
		if !strings.Contains(doc, "https://github.com/moby/buildkit/blob/"+buildkitVersion+"/") {
			t.Errorf("%s: the doc does not link BuildKit's source", name)
		}
		if strings.Contains(doc, "  ") && !strings.Contains(doc, "    ") {
			t.Errorf("%s: double space in the doc", name)
		}
	}
}

// TestSecretNameWords checks checkSecretName's words against the regular
// expressions BuildKit writes them as (dockerfile2llb/validations.go).
func TestSecretNameWords(t *testing.T) {
	deny := regexp.MustCompile(`(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)`)
	allow := regexp.MustCompile(`(?i)(?:_|^)(?:public|file|version)(?:_|$)`)
	for _, name := range []string{
		"API_KEY", "apikey", "GITHUB_TOKEN", "secret_MESSAGE", "AUTH", "KEY_FILE", "PUBLIC_KEY", "TOKEN_VERSION",
		"MONKEY", "KEYS", "_KEY_", "key_", "__", "", "Password", "DB_PASSWD", "AUTHOR", "TOKENIZER", "\u212aEY",
	} {
		want := deny.MatchString(name) && !allow.MatchString(name)
		words := strings.Split(name, "_")
		if got := hasWord(words, bkSecretWords) && !hasWord(words, bkPublicWords); got != want {
			t.Errorf("%q: %v, BuildKit %v", name, got, want)
		}
	}
}
