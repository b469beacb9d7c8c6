#!/usr/bin/env bash
# Shared helpers for the local stack scripts: paths, logging, waiting for health.
set -euo pipefail
STACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$STACK_DIR/versions.env"
AUDITGATE_CACHE="${AUDITGATE_CACHE:-$HOME/.cache/auditgate}"
AUDITGATE_STATE="${AUDITGATE_STATE:-$AUDITGATE_CACHE/state}"
AUDITGATE_LOGS="${AUDITGATE_LOGS:-$AUDITGATE_STATE/logs}"
AUDITGATE_BIN="$AUDITGATE_CACHE/bin"
mkdir -p "$AUDITGATE_CACHE" "$AUDITGATE_STATE" "$AUDITGATE_LOGS" "$AUDITGATE_BIN"

log() { printf '[stack %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# with_lock NAME CMD...: one installer of a component at a time, across processes.
with_lock() { local name=$1; shift; ( flock 9; "$@" ) 9>"$AUDITGATE_CACHE/.$name.lock"; }

# wait_for NAME LOGFILE TIMEOUT_S CMD...: poll CMD until it succeeds, or fail naming the component and its log.
wait_for() {
  local name=$1 logfile=$2 timeout=$3; shift 3
  local start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS - start > timeout )); then
      log "$name did not become healthy within ${timeout}s; last lines of $logfile:"
      tail -n 30 "$logfile" >&2 || true
      stop_pid "$name"
      die "$name is not healthy (log: $logfile)"
    fi
    sleep 1
  done
  log "$name is healthy ($((SECONDS - start))s)"
}

pidfile() { echo "$AUDITGATE_STATE/$1.pid"; }
# is_running NAME: the recorded pid is alive AND is still the program we started (pids are reused after a reboot).
is_running() {
  local f pid signature
  f=$(pidfile "$1")
  [[ -f $f ]] || return 1
  read -r pid signature <"$f" || true
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ -z $signature ]] || tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$signature"
}

# start_bg NAME [--signature TEXT] CMD...: start CMD detached, its output in the logs folder, its pid recorded with
# TEXT (default: the program's name), which its command line must contain for is_running to trust the pid.
start_bg() {
  local name=$1; shift
  local signature
  if [[ $1 == --signature ]]; then signature=$2; shift 2; else signature=$(basename "$1"); fi
  local logfile="$AUDITGATE_LOGS/$name.log"
  setsid "$@" >>"$logfile" 2>&1 < /dev/null &
  echo "$! $signature" >"$(pidfile "$name")"
}

# stop_pid NAME: stop what start_bg started, and only that.
stop_pid() {
  local name=$1 f pid
  f=$(pidfile "$name")
  [[ -f $f ]] || return 0
  read -r pid _ <"$f"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
  log "stopped $name"
}

# write_kubeconfig FILE USER TOKEN SERVER CA_FILE: a one-context kubeconfig (mode 600) for a bearer token.
write_kubeconfig() {
  cat > "$1" <<KC
apiVersion: v1
kind: Config
clusters:
  - name: cluster
    cluster:
      server: $4
      certificate-authority: $5
users:
  - name: $2
    user:
      token: $3
contexts:
  - name: $2
    context: { cluster: cluster, user: $2 }
current-context: $2
KC
  chmod 600 "$1"
}
