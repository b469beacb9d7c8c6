#!/usr/bin/env bash
# Prints the unit test files, one a line, for run-tests.sh and run-unit-tests.sh: every *.test.ts under shared/ and
# services/ (beside their code) and under test/unit/ (checks of the repository itself). None needs the stack: a test
# that reads the stack's addresses or talks to Kafka, OpenSearch, the API server, moto or Alertmanager belongs in
# test/integration/.
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=()
for d in shared services test/unit; do [[ -d $d ]] && dirs+=("$d"); done
find "${dirs[@]}" -path '*/node_modules' -prune -o -name '*.test.ts' -print | sort
