#!/usr/bin/env bash
# OpenSearch 2.19.x single node on 127.0.0.1:$OPENSEARCH_PORT, run as a non-root system user when we are root.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
OPENSEARCH_PORT="${OPENSEARCH_PORT:-9200}"
OPENSEARCH_USER="${OPENSEARCH_USER:-auditgate-os}"
# OpenSearch refuses root, and root's home is usually closed to other users: its runtime copy lives where it can read.
OPENSEARCH_RUNTIME="${OPENSEARCH_RUNTIME:-/var/tmp/auditgate/opensearch-$OPENSEARCH_VERSION}"
# A second node (the fault suite's) shares the runtime copy but has its own AUDITGATE_STATE (pid file, logs), ports,
# cluster name and data and log folders. Defaults: the shared node's.
OPENSEARCH_TRANSPORT_PORT="${OPENSEARCH_TRANSPORT_PORT:-9300}"
OPENSEARCH_CLUSTER_NAME="${OPENSEARCH_CLUSTER_NAME:-auditgate-local}"
OPENSEARCH_DATA="${OPENSEARCH_DATA:-$OPENSEARCH_RUNTIME/data}"
OPENSEARCH_LOGS_DIR="${OPENSEARCH_LOGS_DIR:-$OPENSEARCH_RUNTIME/logs}"

opensearch_prepare() {
  bash "$STACK_DIR/install-jvm.sh" opensearch
  if [[ ! -f $OPENSEARCH_RUNTIME/.complete ]]; then
    mkdir -p "$(dirname "$OPENSEARCH_RUNTIME")"
    rm -rf "$OPENSEARCH_RUNTIME"; cp -a "$AUDITGATE_CACHE/opensearch-$OPENSEARCH_VERSION" "$OPENSEARCH_RUNTIME"
    mkdir -p "$OPENSEARCH_RUNTIME/data" "$OPENSEARCH_RUNTIME/logs"
    touch "$OPENSEARCH_RUNTIME/.complete"
  fi
  mkdir -p "$OPENSEARCH_DATA" "$OPENSEARCH_LOGS_DIR"
  if [[ $(id -u) == 0 ]]; then
    id "$OPENSEARCH_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$OPENSEARCH_USER"
    chown -R "$OPENSEARCH_USER" "$OPENSEARCH_RUNTIME" "$OPENSEARCH_DATA" "$OPENSEARCH_LOGS_DIR"
  fi
}

opensearch_healthy() {
  curl -fsS "http://127.0.0.1:$OPENSEARCH_PORT/_cluster/health?wait_for_status=yellow&timeout=1s" | grep -q '"status":"\(green\|yellow\)"'
}

opensearch_up() {
  if is_running opensearch; then log "opensearch already running"; return 0; fi
  opensearch_prepare
  log "starting OpenSearch $OPENSEARCH_VERSION on 127.0.0.1:$OPENSEARCH_PORT (log: $AUDITGATE_LOGS/opensearch.log)"
  local java_home; java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  local cmd=(env "OPENSEARCH_JAVA_HOME=$java_home" "JAVA_HOME=$java_home"
    "OPENSEARCH_JAVA_OPTS=${OPENSEARCH_JAVA_OPTS:--Xms1g -Xmx1g}"
    "$OPENSEARCH_RUNTIME/bin/opensearch" -Ediscovery.type=single-node -Enetwork.host=127.0.0.1
    -Ehttp.port="$OPENSEARCH_PORT" -Etransport.port="$OPENSEARCH_TRANSPORT_PORT"
    -Ecluster.routing.allocation.disk.threshold_enabled=false -Ecluster.name="$OPENSEARCH_CLUSTER_NAME"
    -Epath.data="$OPENSEARCH_DATA" -Epath.logs="$OPENSEARCH_LOGS_DIR")
  : >"$AUDITGATE_LOGS/opensearch.log"
  if [[ $(id -u) == 0 ]]; then
    start_bg opensearch --signature org.opensearch.bootstrap.OpenSearch setpriv --reuid="$OPENSEARCH_USER" --regid="$(id -g "$OPENSEARCH_USER")" --init-groups "${cmd[@]}"
  else
    start_bg opensearch --signature org.opensearch.bootstrap.OpenSearch "${cmd[@]}"
  fi
  wait_for opensearch "$AUDITGATE_LOGS/opensearch.log" 180 opensearch_healthy
}

opensearch_down() { stop_pid opensearch; }
opensearch_status() { if is_running opensearch; then echo "opensearch: running on http://127.0.0.1:$OPENSEARCH_PORT"; else echo "opensearch: stopped"; fi; }
