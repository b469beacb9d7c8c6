#!/usr/bin/env bash
# The README's test command (`npm test`): installs what is missing, brings the real stack up if it is not,
# type-checks the whole workspace, runs every unit and integration test, and stops what it started. The unit tests
# alone, with nothing running and no typecheck: `npm run test:unit` (test/run-unit-tests.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
STACK=test/stack/stack.sh
COMPONENTS=(kafka opensearch moto alertmanager kube)

bash test/stack/system-packages.sh --with-browser
if [[ ! -x node_modules/.bin/tsx || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[test] installing npm dependencies"
  npm install --no-audit --no-fund
fi

# Remember what was already running so we stop only what we start.
started=()
for c in "${COMPONENTS[@]}"; do
  [[ $(bash "$STACK" status "$c") == *running* ]] || started+=("$c")
done
cleanup() {
  local rc=$?
  if [[ ${#started[@]} -gt 0 && -z ${AUDITGATE_KEEP_STACK:-} ]]; then
    echo "[test] stopping what this run started: ${started[*]}"
    bash "$STACK" down "${started[@]}" || true
  fi
  exit $rc
}
trap cleanup EXIT INT TERM
bash "$STACK" up "${COMPONENTS[@]}"
eval "$(bash "$STACK" env)"
export NODE_EXTRA_CA_CERTS="$KUBE_STATE/pki/ca.crt"
export KAFKAJS_NO_PARTITIONER_WARNING=1
export AUDITGATE_TEST_RUN_STARTED=$(( $(date +%s) * 1000 ))

echo "[test] typecheck"
npx tsc -p tsconfig.json --noEmit

mapfile -t unit < <(bash test/unit-test-files.sh)
LAST=(test/faults/lost-ack-recipe.test.ts test/faults/faults.test.ts test/integration/at-rest/no-plaintext-at-rest.test.ts)
mapfile -t integration < <(find test -path '*/node_modules' -prune -o -path test/unit -prune -o -name '*.test.ts' -print | grep -vxF -f <(printf '%s\n' "${LAST[@]}" "${unit[@]}") | sort)
# Named last, not left to file-name order: the fault suite's short form (its own Kafka and OpenSearch; the full form is
# `npm run faults`), then the scan for Secret values at rest, which must see what every other test wrote.
integration+=("${LAST[@]}")
filter=${AUDITGATE_TEST_FILTER:-}
if [[ -n $filter ]]; then
  mapfile -t unit < <(printf '%s\n' "${unit[@]}" | grep -E "$filter" || true)
  mapfile -t integration < <(printf '%s\n' "${integration[@]}" | grep -E "$filter" || true)
fi
echo "[test] ${#unit[@]} unit test files, ${#integration[@]} integration test files"
# One runner over all files, so one summary line counts every test; integration files share the stack, so
# files run one at a time.
npx tsx --test --test-concurrency=1 --test-timeout=600000 --test-force-exit --test-reporter=spec "${unit[@]}" "${integration[@]}"
