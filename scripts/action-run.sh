#!/bin/sh
# Runs cachelint for the GitHub Action (action.yml): writes the SARIF
# report, sets the step outputs `findings` and `sarif-file`, then prints
# the report in the console format and exits with that run's status (0, 1
# for findings at or above the failure level, 2 for errors). POSIX sh; it
# reads its inputs from the environment, never from text pasted into a
# script:
#
#   CACHELINT          the cachelint binary (default: cachelint on PATH)
#   INPUT_PATH         what to lint: one path a line (default .)
#   INPUT_FORMAT       console format: text, github, json or sarif
#                      (default text)
#   INPUT_FAIL_LEVEL   error, warning, info or none (default: the
#                      configuration file's fail-level, else warning)
#   INPUT_SARIF_FILE   where the SARIF report goes (default cachelint.sarif)
#   INPUT_CONFIG       a configuration file for every linted file
#                      (--config); default: each file's nearest
#                      .cachelint.yaml
#   GITHUB_OUTPUT      the step's output file (set by the runner)
set -u

cachelint=${CACHELINT:-cachelint}
format=${INPUT_FORMAT:-text}
fail_level=${INPUT_FAIL_LEVEL:-}
config=${INPUT_CONFIG:-}
sarif=${INPUT_SARIF_FILE:-cachelint.sarif}
nl='
'

case $sarif in
*"$nl"*)
  echo "::error title=cachelint::sarif-file must be a single line" >&2
  exit 2
  ;;
esac
case $config in
*"$nl"*)
  echo "::error title=cachelint::config must be a single line" >&2
  exit 2
  ;;
esac

# The paths, one a line, become the arguments (after --, so a path may
# start with -). No globbing: a path is taken as written.
set -f
set --
old_ifs=$IFS
IFS=$nl
for p in ${INPUT_PATH:-.}; do
  [ -n "$p" ] && set -- "$@" "$p"
done
IFS=$old_ifs
set +f
[ $# -gt 0 ] || set -- .
# The configuration file, when given, goes before the paths; so does the
# fail level of the console run.
if [ -n "$config" ]; then
  set -- --config "$config" -- "$@"
else
  set -- -- "$@"
fi

# 1. SARIF, every finding whatever its severity. The exit status is 0, or
# 2 when a file could not be linted: the report is still written then, and
# the console run below fails the step.
rm -f "$sarif"
case $sarif in
*/*) mkdir -p "${sarif%/*}" ;;
esac
"$cachelint" --format sarif --output "$sarif" --fail-level none "$@"
status=$?
if [ ! -f "$sarif" ]; then
  echo "::error title=cachelint::no SARIF report was written (cachelint exit status $status)" >&2
  exit "$status"
fi

# One result a finding, and "ruleId" is a key of results only.
findings=$(grep -o '"ruleId"[[:space:]]*:' "$sarif" | wc -l | tr -d ' ')
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "findings=$findings"
    echo "sarif-file=$sarif"
  } >>"$GITHUB_OUTPUT"
fi

# 2. The console report; its exit status is the step's.
if [ -n "$fail_level" ]; then
  "$cachelint" --format "$format" --fail-level "$fail_level" "$@"
else
  "$cachelint" --format "$format" "$@"
fi
