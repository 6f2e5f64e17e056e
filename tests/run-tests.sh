#!/usr/bin/env bash
# Runs every test project of the solution (dotnet test discovers them; no hand-kept list)
# and ends with one line "N passed, N failed, N skipped" summed over all projects, read from
# the TRX result file each project writes.
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
  skipped=$((skipped + $(get notExecuted)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A build error or a crashed test host is a failure even though no test said so.
  failed=1
fi
if [ "$files" -eq 0 ]; then
  echo "no test project reported a result" >&2
  status=1
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
