#!/usr/bin/env bash
# `npm run test:unit`: the tests that need nothing running (no Kafka, OpenSearch, kube-apiserver, moto or
# Alertmanager): every *.test.ts under shared/ and services/, and the repository checks in test/unit/. No typecheck
# (`npm run typecheck` does that); tests that need the stack live in test/integration/ and run with `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x node_modules/.bin/tsx ]]; then
  echo "[test:unit] installing npm dependencies"
  npm install --no-audit --no-fund
fi
mapfile -t unit < <(bash test/unit-test-files.sh)
filter=${AUDITGATE_TEST_FILTER:-}
[[ -z $filter ]] || mapfile -t unit < <(printf '%s\n' "${unit[@]}" | grep -E "$filter" || true)
echo "[test:unit] ${#unit[@]} unit test files"
exec npx tsx --test --test-force-exit --test-reporter="${AUDITGATE_TEST_REPORTER:-spec}" "${unit[@]}"
