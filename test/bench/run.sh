#!/usr/bin/env bash
# The proxy benchmark (`npm run bench`): installs wrk and nginx if missing, checks that the stack's kube-apiserver and
# Kafka run (starts them if not, and stops only what it started), then runs test/bench/proxy-bench.ts and
# test/bench/detector-bench.ts (event → webhook alert latency under 2,000 events/s; knobs BENCH_DETECTOR_*) and
# test/bench/indexer-bench.ts (Kafka → searchable vs a direct bulk load), test/bench/freshness-bench.ts (request →
# searchable and request → alert at 200 req/s; BENCH_FRESH_*), test/bench/token-review-bench.ts (what TokenReview
# costs per new token and per request; BENCH_REVIEW_*) and test/bench/mcp-tool-call-bench.ts (a tool call's latency
# through the MCP gate vs straight to the MCP server; BENCH_MCP_*). Each writes its section of
# test/bench/results/latest.json and the markdown table beside it (latest.md), which the README links.
# Reported, not gated: exits 0 whatever the verdicts; non-zero only if it could not measure.
# Knobs: BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_THREADS, BENCH_RATE, BENCH_PROBE_SECONDS,
# BENCH_WATCHES, BENCH_LIST_MB, BENCH_OUT (see test/bench/bench-settings.ts).
set -euo pipefail
cd "$(dirname "$0")/../.."
STACK=test/stack/stack.sh

if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  echo "[bench] installing wrk and nginx (Debian packages)" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >&2
fi

started=()
for c in kafka opensearch kube; do
  state=$(bash "$STACK" status "$c")
  [[ $state == *running* && $state != *stopped* ]] || started+=("$c")
done
cleanup() {
  local rc=$?
  if [[ ${#started[@]} -gt 0 && -z ${AUDITGATE_KEEP_STACK:-} ]]; then
    echo "[bench] stopping what this run started: ${started[*]}" >&2
    bash "$STACK" down "${started[@]}" >&2 || true
  fi
  exit $rc
}
trap cleanup EXIT INT TERM
if [[ ${#started[@]} -gt 0 ]]; then bash "$STACK" up "${started[@]}" >&2; fi
eval "$(bash "$STACK" env)"
export NODE_EXTRA_CA_CERTS="$KUBE_STATE/pki/ca.crt"
export KAFKAJS_NO_PARTITIONER_WARNING=1

npx tsx test/bench/proxy-bench.ts
npx tsx test/bench/detector-bench.ts
npx tsx test/bench/indexer-bench.ts
npx tsx test/bench/freshness-bench.ts
npx tsx test/bench/token-review-bench.ts
npx tsx test/bench/mcp-tool-call-bench.ts
