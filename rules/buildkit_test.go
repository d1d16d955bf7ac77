package rules

import (
	"os"
	"path/filepath"
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
