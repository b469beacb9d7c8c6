#!/usr/bin/env bash
# moto server (real STS semantics: AssumeRole, GetCallerIdentity) on 127.0.0.1:$MOTO_PORT, from PyPI in a venv.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
MOTO_PORT="${MOTO_PORT:-5000}"
MOTO_VENV="$AUDITGATE_CACHE/moto-$MOTO_VERSION"

moto_install() {
  [[ -x $MOTO_VENV/bin/moto_server ]] && return 0
  log "installing moto[server]==$MOTO_VERSION from PyPI into $MOTO_VENV"
  python3 -m venv "$MOTO_VENV"
  "$MOTO_VENV/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2 || die "pip install moto failed"
}

moto_healthy() { curl -fsS "http://127.0.0.1:$MOTO_PORT/moto-api/data.json" >/dev/null; }

moto_up() {
  if is_running moto; then log "moto already running"; return 0; fi
  with_lock moto moto_install
  log "starting moto on 127.0.0.1:$MOTO_PORT (log: $AUDITGATE_LOGS/moto.log)"
  : >"$AUDITGATE_LOGS/moto.log"
  start_bg moto "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT"
  wait_for moto "$AUDITGATE_LOGS/moto.log" 60 moto_healthy
}

moto_down() { stop_pid moto; }
moto_status() { if is_running moto; then echo "moto: running on http://127.0.0.1:$MOTO_PORT"; else echo "moto: stopped"; fi; }
