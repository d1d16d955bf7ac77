#!/bin/sh
# Installs cachelint for the GitHub Action (action.yml) and sets the step
# output `path` to the binary. POSIX sh; it reads its inputs from the
# environment, never from text pasted into a script:
#
#   INPUT_VERSION       a version for `go install ...@version` (v1.2.3,
#                       latest, a branch or a commit); empty: build the
#                       action's own checkout, i.e. the ref the workflow
#                       named in `uses:` (which also works for `uses: ./`)
#   GITHUB_ACTION_PATH  the action's checkout (set by the runner)
#   RUNNER_TEMP         the binary goes to $RUNNER_TEMP/cachelint-action/bin
#   GITHUB_OUTPUT       the step's output file (set by the runner)
set -eu

bindir=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/cachelint-action/bin
mkdir -p "$bindir"

# The workflow's Go settings are for its own module, not for this build.
unset GOFLAGS
GOBIN=$bindir
GOWORK=off
export GOBIN GOWORK

if [ -n "${INPUT_VERSION:-}" ]; then
  go install "github.com/cachelint/cachelint/cmd/cachelint@${INPUT_VERSION}"
else
  cd "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
  go install ./cmd/cachelint
fi

bin=$bindir/cachelint
if [ ! -f "$bin" ] && [ -f "$bin.exe" ]; then
  bin=$bin.exe
fi
"$bin" version
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "path=$bin" >>"$GITHUB_OUTPUT"
fi
