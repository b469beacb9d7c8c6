#!/usr/bin/env bash
# Prints the unit test files, one a line, for run-tests.sh and run-unit-tests.sh: every *.test.ts under shared/ and
# services/ (beside their code), under test/unit/ (checks of the repository itself), and the fault suite's own unit
# tests under test/faults/ (its judge, its log reader), all but the two files there that start Kafka and OpenSearch
# (FAULT_STACK_TESTS; run-tests.sh runs them last). None needs the stack: a test that reads the stack's addresses or
# talks to Kafka, OpenSearch, the API server, moto or Alertmanager belongs in test/integration/.
set -euo pipefail
cd "$(dirname "$0")/.."
FAULT_STACK_TESTS=(test/faults/faults.test.ts test/faults/lost-ack-recipe.test.ts)
dirs=()
for d in shared services test/unit test/faults; do [[ -d $d ]] && dirs+=("$d"); done
find "${dirs[@]}" -path '*/node_modules' -prune -o -name '*.test.ts' -print | grep -vxF -f <(printf '%s\n' "${FAULT_STACK_TESTS[@]}") | sort
