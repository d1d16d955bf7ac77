package rules

import (
	"testing"

	"github.com/cachelint/cachelint/buildconfig"
)

func TestRefsMayMatch(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"ghcr.io/org/app", "ghcr.io/org/app:latest", true},
		{"docker.io/library/node:22", "node:22", true},
		{"ghcr.io/org/app:cache", "ghcr.io/org/app:latest", false},
		{"$CI_REGISTRY_IMAGE:cache", "registry.gitlab.com/g/p:cache", true},
		{"$CI_REGISTRY_IMAGE:cache", "registry.gitlab.com/g/p:main", false},
		{"ghcr.io/${{ github.repository }}:${{ github.sha }}", "ghcr.io/org/app:abc", true},
		{"ghcr.io/${{ github.repository }}-web:x", "ghcr.io/org/app-api:x", false},
		{"$REG/app:$TAG", "$REG/app:cache", true},
	} {
		a := buildconfig.Value{Text: tc.a, Dynamic: len(dynamicParts(tc.a)) > 0}
		b := buildconfig.Value{Text: tc.b, Dynamic: len(dynamicParts(tc.b)) > 0}
		if got := refsMayMatch(a, b); got != tc.want {
			t.Errorf("refsMayMatch(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := refsMayMatch(b, a); got != tc.want {
			t.Errorf("refsMayMatch(%q, %q) = %v, want %v", tc.b, tc.a, got, tc.want)
		}
	}
}
