#!/usr/bin/env bash
# Runs every test project of the solution (dotnet test discovers them; no hand-kept list)
# and the TypeScript SDK's tests (node --test over src/nnrp-client/dist/test, built by
# `make npm`; every dist/test/**/*.test.js), and ends with one line "N passed, N failed, N skipped" summed over all of them,
# read from the TRX file each project writes and the TAP summary node writes.
set -uo pipefail
cd "$(dirname "$0")/.."
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
# Scenarios marked Category=Long (the adversary harness's floods) run in `make adversary`.
dotnet test Nnrp.Libp2p.sln --no-restore --nologo -c "${CONFIGURATION:-Debug}" \
  --filter "Category!=Long" --logger "console;verbosity=minimal" --logger trx --results-directory "$results" "$@"
status=$?
passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  # A test host that crashed part way leaves its passed tests counted and no failed one: the
  # run's summary says Aborted (or its RunInfos say the host crashed), and that is a failure.
  if grep -q '<ResultSummary outcome="Aborted"' "$trx" || grep -qi 'test host process crashed\|test run aborted' "$trx"; then
    echo "$(basename "$trx"): the test run was aborted (crashed test host)" >&2
    failed=$((failed + 1))
  fi
  skipped=$((skipped + $(get notExecuted)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A build error or a crashed test host is a failure even though no test said so.
  failed=1
fi
# The TypeScript SDK: spec output on the console, TAP into a file for the counts.
tap="$results/nnrp-client.tap"
ts_tests=$(cd src/nnrp-client && find dist/test -name '*.test.js' 2>/dev/null | sort)
if [ -z "$ts_tests" ]; then
  echo "src/nnrp-client/dist/test holds no tests: build the TypeScript SDK with make npm" >&2
  ts_status=1
else
  # shellcheck disable=SC2086 # one path per word
  (cd src/nnrp-client && node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" $ts_tests)
  ts_status=$?
fi
tap_count() { grep -E "^# $1 [0-9]+$" "$tap" 2>/dev/null | tail -n 1 | grep -o '[0-9]*$' || echo 0; }
ts_failed=$(( $(tap_count fail) + $(tap_count cancelled) ))
if [ "$ts_status" -ne 0 ] && [ "$ts_failed" -eq 0 ]; then
  ts_failed=1 # no summary (a missing build, a crashed runner) is a failure too
fi
passed=$((passed + $(tap_count pass)))
failed=$((failed + ts_failed))
skipped=$((skipped + $(tap_count skipped) + $(tap_count todo)))
if [ "$ts_status" -ne 0 ]; then
  status=1
fi
if [ "$files" -eq 0 ]; then
  echo "no test project reported a result" >&2
  status=1
fi
# Name every failed test again just above the summary, so the tail of a CI log says what failed.
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | grep -o 'testName="[^"]*"' | sed 's/^testName="\(.*\)"$/FAILED: \1/'
done
grep -E '^not ok ' "$tap" 2>/dev/null | sed 's/^/FAILED (nnrp-client): /'
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
