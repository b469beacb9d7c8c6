#!/usr/bin/env bash
# Kafka 4.x, KRaft, single node (broker + controller) on 127.0.0.1:$KAFKA_PORT.
# A second broker (the fault suite's) runs from the same cached install with its own AUDITGATE_STATE (pid file, logs),
# ports and KAFKA_STATE; KAFKA_EXTRA_PROPERTIES (lines) is appended to its server.properties. Defaults: the shared one.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9097}"
KAFKA_HOME="$AUDITGATE_CACHE/kafka-$KAFKA_VERSION"
KAFKA_STATE="${KAFKA_STATE:-$AUDITGATE_STATE/kafka}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
KAFKA_EXTRA_PROPERTIES="${KAFKA_EXTRA_PROPERTIES:-}"

kafka_java() { java "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$KAFKA_STATE/log4j2.properties" -cp "$KAFKA_HOME/libs/*" "$@"; }

kafka_configure() {
  mkdir -p "$KAFKA_STATE/data"
  cat > "$KAFKA_STATE/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_STATE/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
PROPS
  [[ -z $KAFKA_EXTRA_PROPERTIES ]] || printf '%s\n' "$KAFKA_EXTRA_PROPERTIES" >> "$KAFKA_STATE/server.properties"
  cat > "$KAFKA_STATE/log4j2.properties" <<'PROPS'
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = warn
logger.apache.name = org.apache.kafka
logger.apache.level = warn
logger.raftserver.name = kafka.server.KafkaRaftServer
logger.raftserver.level = info
PROPS
  if [[ ! -f $KAFKA_STATE/data/meta.properties ]]; then
    local id; id=$(kafka_java kafka.tools.StorageTool random-uuid | tail -n1)
    kafka_java kafka.tools.StorageTool format -t "$id" -c "$KAFKA_STATE/server.properties" >>"$AUDITGATE_LOGS/kafka.log" 2>&1 \
      || die "formatting Kafka storage failed (log: $AUDITGATE_LOGS/kafka.log)"
  fi
}

kafka_healthy() { (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null; }

kafka_up() {
  if is_running kafka; then log "kafka already running"; return 0; fi
  bash "$STACK_DIR/install-jvm.sh" kafka
  kafka_configure
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (log: $AUDITGATE_LOGS/kafka.log)"
  : >"$AUDITGATE_LOGS/kafka.log.tmp"; mv "$AUDITGATE_LOGS/kafka.log.tmp" "$AUDITGATE_LOGS/kafka.log"
  start_bg kafka --signature kafka.Kafka java "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_STATE/log4j2.properties" -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$KAFKA_STATE/server.properties"
  wait_for kafka "$AUDITGATE_LOGS/kafka.log" 120 kafka_healthy
}

kafka_down() { stop_pid kafka; }
kafka_status() { if is_running kafka; then echo "kafka: running on 127.0.0.1:$KAFKA_PORT"; else echo "kafka: stopped"; fi; }
