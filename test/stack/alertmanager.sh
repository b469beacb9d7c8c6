#!/usr/bin/env bash
# Alertmanager on 127.0.0.1:$ALERTMANAGER_PORT, delivering every alert to a webhook receiver at
# $ALERTMANAGER_WEBHOOK_URL (tests listen there).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ALERTMANAGER_PORT="${ALERTMANAGER_PORT:-9093}"
ALERTMANAGER_WEBHOOK_URL="${ALERTMANAGER_WEBHOOK_URL:-http://127.0.0.1:9099/alertmanager}"
ALERTMANAGER_STATE="$AUDITGATE_STATE/alertmanager"

alertmanager_configure() {
  mkdir -p "$ALERTMANAGER_STATE/data"
  cat > "$ALERTMANAGER_STATE/alertmanager.yml" <<YAML
route:
  receiver: webhook
  group_by: ['alertname', 'actor']
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: webhook
    webhook_configs:
      - url: '$ALERTMANAGER_WEBHOOK_URL'
        send_resolved: true
YAML
}

alertmanager_healthy() { curl -fsS "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready" >/dev/null; }

alertmanager_up() {
  if is_running alertmanager; then log "alertmanager already running"; return 0; fi
  bash "$STACK_DIR/build-kube.sh" alertmanager
  alertmanager_configure
  log "starting Alertmanager $ALERTMANAGER_VERSION on 127.0.0.1:$ALERTMANAGER_PORT (log: $AUDITGATE_LOGS/alertmanager.log)"
  : >"$AUDITGATE_LOGS/alertmanager.log"
  start_bg alertmanager "$AUDITGATE_BIN/alertmanager-$ALERTMANAGER_VERSION/alertmanager" \
    --config.file="$ALERTMANAGER_STATE/alertmanager.yml" --storage.path="$ALERTMANAGER_STATE/data" \
    --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" --cluster.listen-address="" 
  wait_for alertmanager "$AUDITGATE_LOGS/alertmanager.log" 60 alertmanager_healthy
}

alertmanager_down() { stop_pid alertmanager; }
alertmanager_status() { if is_running alertmanager; then echo "alertmanager: running on http://127.0.0.1:$ALERTMANAGER_PORT"; else echo "alertmanager: stopped"; fi; }
