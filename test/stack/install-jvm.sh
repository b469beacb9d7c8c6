#!/usr/bin/env bash
# Fetches Kafka (with its runtime dependencies) and the OpenSearch integ-test distribution from Maven Central.
# Cached under $AUDITGATE_CACHE; a second run does nothing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_kafka() {
  local dir="$AUDITGATE_CACHE/kafka-$KAFKA_VERSION"
  [[ -f $dir/.complete ]] && return 0
  log "fetching Kafka $KAFKA_VERSION and its runtime dependencies from Maven Central"
  mkdir -p "$dir"
  cat > "$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.auditgate</groupId><artifactId>kafka-runtime</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_$KAFKA_SCALA</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>$SLF4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
POM
  (cd "$dir" && mvn -B -q -ntp dependency:copy-dependencies -DoutputDirectory=libs -DincludeScope=runtime >&2) \
    || die "could not fetch Kafka from Maven Central (see output above)"
  touch "$dir/.complete"
  log "Kafka ready in $dir ($(ls "$dir/libs" | wc -l) jars)"
}

install_opensearch() {
  local dir="$AUDITGATE_CACHE/opensearch-$OPENSEARCH_VERSION"
  [[ -f $dir/.complete ]] && return 0
  log "fetching OpenSearch $OPENSEARCH_VERSION (integ-test zip) from Maven Central"
  local art="org.opensearch.distribution.integ-test-zip:opensearch:$OPENSEARCH_VERSION:zip"
  mvn -B -q -ntp dependency:copy -Dartifact="$art" -DoutputDirectory="$AUDITGATE_CACHE/downloads" >&2 \
    || die "could not fetch $art"
  rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
  (cd "$dir.tmp" && unzip -q "$AUDITGATE_CACHE/downloads/opensearch-$OPENSEARCH_VERSION.zip")
  rm -rf "$dir"; mv "$dir.tmp/opensearch-$OPENSEARCH_VERSION" "$dir"; rm -rf "$dir.tmp"
  touch "$dir/.complete"
  log "OpenSearch ready in $dir"
}

case "${1:-all}" in
  all) with_lock kafka install_kafka; with_lock opensearch install_opensearch ;;
  kafka) with_lock kafka install_kafka ;;
  opensearch) with_lock opensearch install_opensearch ;;
  *) die "usage: install-jvm.sh [all|kafka|opensearch]" ;;
esac
