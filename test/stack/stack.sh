#!/usr/bin/env bash
# The real local stack: `stack.sh up|down|status [component...]`. Components, in start order:
# kafka opensearch moto alertmanager kube. Installs what is missing (cached in $AUDITGATE_CACHE), starts each on
# 127.0.0.1, waits for health. `down` stops only what `up` started, in reverse order.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for f in kafka opensearch moto alertmanager kube; do source "$STACK_DIR/$f.sh"; done

ALL=(kafka opensearch moto alertmanager kube)
action="${1:-status}"; shift || true
components=("$@"); [[ ${#components[@]} -gt 0 ]] || components=("${ALL[@]}")
for c in "${components[@]}"; do [[ " ${ALL[*]} " == *" $c "* ]] || die "unknown component '$c' (known: ${ALL[*]})"; done

case "$action" in
  up)
    for c in "${components[@]}"; do "${c}_up"; done
    if [[ " ${components[*]} " == *" kafka "* ]]; then
      log "creating Kafka topics"
      (cd "$STACK_DIR/../.." && KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT" npx tsx test/stack/create-topics.ts) || die "creating Kafka topics failed"
    fi
    log "stack up: ${components[*]} (state: $AUDITGATE_STATE, logs: $AUDITGATE_LOGS)"
    ;;
  down)
    for (( i=${#components[@]}-1; i>=0; i-- )); do "${components[$i]}_down"; done ;;
  status)
    for c in "${components[@]}"; do "${c}_status"; done ;;
  env)
    # Prints the stack's addresses as shell exports, for tests and services.
    cat <<ENV
export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
export OPENSEARCH_URL=http://127.0.0.1:$OPENSEARCH_PORT
export MOTO_URL=http://127.0.0.1:$MOTO_PORT
export ALERTMANAGER_URL=http://127.0.0.1:$ALERTMANAGER_PORT
export ALERTMANAGER_WEBHOOK_URL=$ALERTMANAGER_WEBHOOK_URL
export KUBE_APISERVER_URL=https://127.0.0.1:$KUBE_APISERVER_PORT
export KUBE_STATE=$KUBE_STATE
export KUBECTL=$KUBE_BIN/kubectl
ENV
    ;;
  *) die "usage: stack.sh up|down|status|env [${ALL[*]}]" ;;
esac
