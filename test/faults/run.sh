#!/usr/bin/env bash
# `npm run faults`: the fault suite's full form (#16): ~200 req/s of mixed kubectl-like traffic through the gateway for
# 60 s per fault, eight faults, each on its own topics and indices, on a Kafka and an OpenSearch the suite starts for
# itself (the shared ones are never stopped); the shared kube-apiserver is the oracle (read only). Prints the table and
# writes test/faults/results/latest.json. FAULTS_PROFILE=short runs the short form `npm test` runs; FAULTS_ROWS=a,b
# picks rows by id (see faults.test.ts).
set -euo pipefail
cd "$(dirname "$0")/../.."
STACK=test/stack/stack.sh

bash test/stack/system-packages.sh
if [[ ! -x node_modules/.bin/tsx || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[faults] installing npm dependencies"
  npm install --no-audit --no-fund
fi
# Fetch the cached installs the suite's own Kafka and OpenSearch run from.
bash test/stack/install-jvm.sh all

# Only the control plane is needed from the shared stack; stop it afterwards only if this run started it.
started=()
[[ $(bash "$STACK" status kube) == *running* ]] || started+=(kube)
cleanup() {
  local rc=$?
  if [[ ${#started[@]} -gt 0 && -z ${AUDITGATE_KEEP_STACK:-} ]]; then bash "$STACK" down "${started[@]}" || true; fi
  exit $rc
}
trap cleanup EXIT INT TERM
bash "$STACK" up kube
eval "$(bash "$STACK" env)"
export NODE_EXTRA_CA_CERTS="$KUBE_STATE/pki/ca.crt"
export KAFKAJS_NO_PARTITIONER_WARNING=1
export FAULTS_PROFILE="${FAULTS_PROFILE:-full}"

npx tsx --test --test-concurrency=1 --test-timeout=7200000 --test-force-exit --test-reporter=spec test/faults/faults.test.ts
