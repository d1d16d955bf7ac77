package rules

import (
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/suppress"
)

// UnusedSuppression reports suppression comments that silence nothing.
// The driver reports its findings: only it knows, once every other rule
// has run, which suppressions silenced a finding. The analyzer makes the
// driver read the suppressions.
var UnusedSuppression = &analysis.Analyzer{
	Name: "unused_suppression",
	Doc: `a suppression comment silences nothing

Why it matters for the cache: a suppression that no longer silences
anything is a trap. The step it sits above was fixed or rewritten, and
the comment stays; when the step changes again and the problem comes
back (a cache mount dropped, a whole-context COPY moved up), the old
comment hides it. A name with a typo silences nothing from the start.

Example:

    # cachelint ignore=CL003 -- our installer has no cache
    RUN --mount=type=cache,target=/root/.npm npm ci

Fix: remove the comment, or the names in it that silence nothing. The
finding carries the edit:

    RUN --mount=type=cache,target=/root/.npm npm ci

This rule is off unless selected: run with --report-unused-ignores (or
select CL902). It reports, one finding a comment:

- a name in a "# cachelint ignore=" comment (instruction, stage or
  global) that silenced no finding, a name that is no rule, and a rule
  that is off for the file (there is nothing for it to silence);
- a "# cachelint ignore=" comment that is not directly above an
  instruction (a blank line between them breaks the link), a "stage
  ignore" that is not above a FROM, and a comment that starts with
  "cachelint" and mentions ignore but cannot be read;
- in a BuildKit "# check=skip=" directive or comment, a cachelint rule
  (a CL code or name) that silenced nothing. BuildKit's own check names
  are left alone: BuildKit skips them itself, before they can be
  reported.

Not reported: "# hadolint ignore=" comments, which are there for
hadolint whatever cachelint makes of them, and a name that is CL902
itself. A "# cachelint global ignore=CL902" silences this rule in the
file.

Sources:
- https://docs.astral.sh/ruff/rules/unused-noqa/
- https://docs.docker.com/reference/build-checks/`,
	URL:      docURL("unused-suppression"),
	Requires: []*analysis.Analyzer{suppress.Analyzer},
	Run:      func(*analysis.Pass) (any, error) { return nil, nil },
}
