#!/usr/bin/env bash
# Runs the stripe-node compatibility suite (run.mjs) with its detail kept in files and a summary on stdout:
#   RESULTS/compat.tap  the node test runner's TAP (every test, every diagnostic)
#   RESULTS/compat.txt  the same as the readable spec report
# (REPORT_NAME=browser names them browser.tap / browser.txt instead.)
# stdout: run.mjs's own lines, the runner's closing summary lines (# tests, # pass, # fail, ...) and, when a test
# failed, the TAP block of each failing test. Exit code: the runner's.
#
#   tests/compat/run-summarized.sh tests/results [run.mjs arguments: files, --test-name-pattern=...]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$1"
results="$(cd "$1" && pwd)"
shift
name="${REPORT_NAME:-compat}"
tap="$results/$name.tap"
spec="$results/$name.txt"
rm -f "$tap" "$spec"

rc=0
node "$here/run.mjs" --test-reporter=tap --test-reporter-destination="$tap" \
  --test-reporter=spec --test-reporter-destination="$spec" "$@" || rc=$?

if [ "$rc" -ne 0 ] && [ -f "$tap" ]; then
  echo "-- failing tests (all detail: $spec)"
  # Each "not ok" line through the end of its YAML diagnostic block ("...").
  awk '/^ *not ok /{p=1} p{print} p && /^ *\.\.\.$/{p=0}' "$tap"
fi
if [ -f "$tap" ]; then
  grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "$tap"
else
  echo "no test results (the runner did not start; see above)"
fi
exit "$rc"
