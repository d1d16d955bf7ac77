package suppress

import (
	"slices"
)

// hadolintRules maps the hadolint checks that a cachelint rule covers to
// that rule's code: a "# hadolint ignore=DL3009" above an instruction
// silences CL025 there too, so one comment serves both tools. A hadolint
// code that no cachelint rule covers (DL3008, SC2086, ...) is hadolint's
// alone and is left to hadolint.
//
// Sources: hadolint's rule table (https://github.com/hadolint/hadolint#rules)
// and the cachelint rule docs that name the hadolint checks they overlap.
var hadolintRules = map[string]string{
	// package-cache-left-in-layer: the package manager's download cache
	// is left in the layer.
	"DL3009": "CL025", // apt lists not deleted
	"DL3019": "CL025", // apk add without --no-cache
	"DL3032": "CL025", // yum clean all missing
	"DL3036": "CL025", // zypper clean missing
	"DL3040": "CL025", // dnf clean all missing
	"DL3042": "CL025", // pip install without --no-cache-dir
	"DL3060": "CL025", // yarn cache clean missing
	// package-upgrade: every installed OS package is upgraded.
	"DL3005": "CL010", // apt-get upgrade / dist-upgrade (older hadolint)
	"DL3017": "CL010", // apk upgrade (older hadolint)
	"DL3035": "CL010", // zypper dist-upgrade
	// base-image-unpinned: FROM without a tag, or with latest.
	"DL3006": "CL013", // image without a tag
	"DL3007": "CL013", // latest tag
	// secret-in-arg-env: a credential in ARG or ENV.
	"DL3064": "CL014", // sensitive data in ARG or ENV (hadolint 2.15)
}

// HadolintCodes returns the hadolint codes that the cachelint rule with
// the given code covers, sorted; a "# hadolint ignore=" naming any of them
// silences the rule too.
func HadolintCodes(ruleCode string) []string {
	var codes []string
	for dl, code := range hadolintRules {
		if code == ruleCode {
			codes = append(codes, dl)
		}
	}
	slices.Sort(codes)
	return codes
}

// HadolintRule returns the code of the cachelint rule that covers a
// hadolint check, if one does.
func HadolintRule(hadolintCode string) (string, bool) {
	code, ok := hadolintRules[hadolintCode]
	return code, ok
}
