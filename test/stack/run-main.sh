#!/usr/bin/env bash
# The README's main command (`npm start`): installs what is missing, brings the local stack up, starts every
# Auditgate service against the local kube-apiserver (or the cluster named by AUDITGATE_KUBECONFIG), and prints the
# kubeconfig that points kubectl or an MCP server at the gateway. Ctrl-C stops everything it started.
set -euo pipefail
# A relative AUDITGATE_KUBECONFIG means the caller's folder (npm runs scripts from the package root; INIT_CWD is where
# `npm start` was typed).
if [[ -n ${AUDITGATE_KUBECONFIG:-} && $AUDITGATE_KUBECONFIG != /* ]]; then AUDITGATE_KUBECONFIG=${INIT_CWD:-$PWD}/$AUDITGATE_KUBECONFIG; fi
cd "$(dirname "$0")/../.."
source test/stack/lib.sh
STACK=test/stack/stack.sh
MAIN_STATE="$AUDITGATE_STATE/main"
mkdir -p "$MAIN_STATE"; chmod 700 "$MAIN_STATE"

bash test/stack/system-packages.sh
if [[ ! -x node_modules/.bin/tsx || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "installing npm dependencies"; npm install --no-audit --no-fund
fi

eval "$(bash "$STACK" env)" # the stack's addresses and kubectl; nothing is started by this
AGENT_NS=${AUDITGATE_AGENT_NAMESPACE:-auditgate-agents}
AGENT_SA=${AUDITGATE_AGENT_SERVICEACCOUNT:-mcp-agent}
ANALYST_NS=${AUDITGATE_ANALYST_NAMESPACE:-auditgate-analysts}
ANALYST_SA=${AUDITGATE_ANALYST_SERVICEACCOUNT:-analyst}
# The person behind an MCP client (a service account of the cluster's issuer stands in for an IdP user locally).
PERSON_NS=${AUDITGATE_PERSON_NAMESPACE:-auditgate-people}
PERSON_SA=${AUDITGATE_PERSON_SERVICEACCOUNT:-developer}
KUBERNETES_MCP_PORT=${KUBERNETES_MCP_PORT:-8086}
# Named-cluster mode: the user's cluster must be able to serve Auditgate before anything is started.
if [[ -n ${AUDITGATE_KUBECONFIG:-} ]]; then
  KUBECTL_BIN=${KUBECTL_BIN:-$(command -v kubectl || echo "$KUBECTL")}
  ISSUER=$(bash test/stack/preflight-cluster.sh "$KUBECTL_BIN" "$AUDITGATE_KUBECONFIG" "$AGENT_NS/$AGENT_SA" "$ANALYST_NS/$ANALYST_SA" "$PERSON_NS/$PERSON_SA")
fi

components=(kafka opensearch moto alertmanager)
[[ -n ${AUDITGATE_KUBECONFIG:-} ]] || components+=(kube)
started_stack=()
for c in "${components[@]}"; do [[ $(bash "$STACK" status "$c") == *running* ]] || started_stack+=("$c"); done
service_pids=()
cleanup() {
  trap - EXIT INT TERM
  log "stopping Auditgate services"
  for pid in "${service_pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${service_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ ${#started_stack[@]} -gt 0 ]]; then bash "$STACK" down "${started_stack[@]}" || true; fi
  log "stopped"
}
trap cleanup EXIT INT TERM
bash "$STACK" up "${components[@]}"
eval "$(bash "$STACK" env)" # again: `up` may have chosen ports

# The cluster the gateway fronts, and who the caller is.
if [[ -n ${AUDITGATE_KUBECONFIG:-} ]]; then
  UPSTREAM_KUBECONFIG=$AUDITGATE_KUBECONFIG
else
  UPSTREAM_KUBECONFIG=$KUBE_STATE/gateway-upstream.kubeconfig
  KUBECTL_BIN=$KUBECTL
fi
kc() { "$KUBECTL_BIN" --kubeconfig "$UPSTREAM_KUBECONFIG" "$@"; }
[[ -n ${ISSUER:-} ]] || ISSUER=$(kc get --raw /.well-known/openid-configuration | sed -n 's/.*"issuer":"\([^"]*\)".*/\1/p')
[[ -n $ISSUER ]] || die "cannot read the cluster's service-account issuer (/.well-known/openid-configuration)"
kc get namespace "$AGENT_NS" >/dev/null 2>&1 || kc create namespace "$AGENT_NS" >/dev/null
kc -n "$AGENT_NS" get serviceaccount "$AGENT_SA" >/dev/null 2>&1 || kc -n "$AGENT_NS" create serviceaccount "$AGENT_SA" >/dev/null
AGENT_TOKEN=$(kc -n "$AGENT_NS" create token "$AGENT_SA" --audience auditgate --duration 24h)
# The analyst who signs in to the query service: a service account of the same issuer, bound to the admin role.
kc get namespace "$ANALYST_NS" >/dev/null 2>&1 || kc create namespace "$ANALYST_NS" >/dev/null
kc -n "$ANALYST_NS" get serviceaccount "$ANALYST_SA" >/dev/null 2>&1 || kc -n "$ANALYST_NS" create serviceaccount "$ANALYST_SA" >/dev/null
ANALYST_TOKEN=$(kc -n "$ANALYST_NS" create token "$ANALYST_SA" --audience auditgate-query --duration 24h)
PROXY_HTTPS_PORT=${PROXY_HTTPS_PORT:-8443}
MCP_RESOURCE="https://127.0.0.1:$PROXY_HTTPS_PORT/mcp/kubernetes"
kc get namespace "$PERSON_NS" >/dev/null 2>&1 || kc create namespace "$PERSON_NS" >/dev/null
kc -n "$PERSON_NS" get serviceaccount "$PERSON_SA" >/dev/null 2>&1 || kc -n "$PERSON_NS" create serviceaccount "$PERSON_SA" >/dev/null
# The MCP client's OAuth access token: issued for the gate's resource (RFC 8707 audience).
PERSON_TOKEN=$(kc -n "$PERSON_NS" create token "$PERSON_SA" --audience "$MCP_RESOURCE" --duration 24h)

# The gateway's own material, made once: masking key and TLS certificate.
[[ -f $MAIN_STATE/masking.key ]] || { openssl rand -hex 32 > "$MAIN_STATE/masking.key"; chmod 600 "$MAIN_STATE/masking.key"; }
if [[ ! -f $MAIN_STATE/proxy.crt ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 -subj /CN=auditgate-proxy \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$MAIN_STATE/proxy.key" -out "$MAIN_STATE/proxy.crt" 2>/dev/null
fi
PROXY_OPS_PORT=${PROXY_OPS_PORT:-9464}
# The key that signs the MCP gate's delegated tokens (EC P-256, ES256), made once.
[[ -f $MAIN_STATE/mcp-delegation.key ]] || { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$MAIN_STATE/mcp-delegation.key" 2>/dev/null; chmod 600 "$MAIN_STATE/mcp-delegation.key"; }

export KAFKAJS_NO_PARTITIONER_WARNING=1
start_service() { # NAME ENV... -- starts services/NAME with the given environment, logs to the logs folder
  local name=$1; shift
  log "starting $name (log: $AUDITGATE_LOGS/$name.log)"
  setsid env "$@" npx tsx "services/$name/src/main.ts" >>"$AUDITGATE_LOGS/$name.log" 2>&1 < /dev/null &
  service_pids+=($!)
}

# The issuer's trust: the local cluster's CA file; a named cluster's own API server, with the kubeconfig's CA and
# credentials (its issuer is often an in-cluster address such as https://kubernetes.default.svc.cluster.local).
if [[ -n ${AUDITGATE_KUBECONFIG:-} ]]; then
  issuer_trust=(PROXY_SA_ISSUER_TRUST=upstream)
  query_trust=",\"kubeconfig\":\"$UPSTREAM_KUBECONFIG\""
  mcp_trust=",\"trust\":\"upstream\""
else
  issuer_trust=("PROXY_SA_ISSUER_CA_FILE=$KUBE_STATE/pki/ca.crt")
  query_trust=",\"caFile\":\"$KUBE_STATE/pki/ca.crt\""
  mcp_trust=",\"caFile\":\"$KUBE_STATE/pki/ca.crt\""
fi
start_service proxy NODE_OPTIONS=--max-semi-space-size=8 \
  PROXY_UPSTREAM_MODE=kubeconfig PROXY_UPSTREAM_KUBECONFIG="$UPSTREAM_KUBECONFIG" \
  PROXY_SA_ISSUER_URL="$ISSUER" "${issuer_trust[@]}" \
  PROXY_POLICY_FILE="${AUDITGATE_POLICY_FILE:-services/proxy/policy/example-policy.yaml}" \
  PROXY_MASKING_KEY_FILE="$MAIN_STATE/masking.key" \
  PROXY_TLS_CERT_FILE="$MAIN_STATE/proxy.crt" PROXY_TLS_KEY_FILE="$MAIN_STATE/proxy.key" \
  PROXY_HTTPS_PORT="$PROXY_HTTPS_PORT" PROXY_HTTP_PORT="${PROXY_HTTP_PORT:--1}" PROXY_OPS_PORT="$PROXY_OPS_PORT" \
  PROXY_KAFKA_OUTAGE_MODE="${PROXY_KAFKA_OUTAGE_MODE:-spool}" PROXY_SPOOL_DIR="$MAIN_STATE/spool" \
  KAFKA_BROKERS="$KAFKA_BROKERS" CLUSTER_NAME="${CLUSTER_NAME:-local}" \
  PROXY_MCP_PUBLIC_URL="https://127.0.0.1:$PROXY_HTTPS_PORT" PROXY_MCP_DELEGATION_KEY_FILE="$MAIN_STATE/mcp-delegation.key" \
  PROXY_MCP_SERVERS="[{\"name\":\"kubernetes\",\"url\":\"http://127.0.0.1:$KUBERNETES_MCP_PORT/mcp\"}]" \
  PROXY_MCP_ISSUERS="[{\"issuer\":\"$ISSUER\",\"kind\":\"serviceaccount\"$mcp_trust}]"
INDEXER_OPS_PORT=${INDEXER_OPS_PORT:-9465}
start_service indexer \
  KAFKA_BROKERS="$KAFKA_BROKERS" OPENSEARCH_URL="$OPENSEARCH_URL" CLUSTER_NAME="${CLUSTER_NAME:-local}" \
  INDEXER_OPS_PORT="$INDEXER_OPS_PORT" INDEXER_KUBE_ENABLED=true INDEXER_KUBECONFIG="$UPSTREAM_KUBECONFIG"
DETECTOR_OPS_PORT=${DETECTOR_OPS_PORT:-9466}
start_service detector \
  KAFKA_BROKERS="$KAFKA_BROKERS" OPENSEARCH_URL="$OPENSEARCH_URL" DETECTOR_OPS_PORT="$DETECTOR_OPS_PORT" DETECTOR_QUERY_URL="http://127.0.0.1:${QUERY_PORT:-8080}" \
  DETECTOR_ALERTMANAGER_URL="$ALERTMANAGER_URL" ${DETECTOR_WEBHOOK_URL:+DETECTOR_WEBHOOK_URL="$DETECTOR_WEBHOOK_URL"}
QUERY_PORT=${QUERY_PORT:-8080}
QUERY_OPS_PORT=${QUERY_OPS_PORT:-9467}
start_service query \
  OPENSEARCH_URL="$OPENSEARCH_URL" QUERY_PORT="$QUERY_PORT" QUERY_OPS_PORT="$QUERY_OPS_PORT" \
  QUERY_OIDC_ISSUERS="[{\"issuer\":\"$ISSUER\",\"audiences\":[\"auditgate-query\"],\"kind\":\"serviceaccount\"$query_trust}]" \
  QUERY_ROLE_BINDINGS="${QUERY_ROLE_BINDINGS:-admin=system:serviceaccount:$ANALYST_NS:$ANALYST_SA}"
wait_for proxy "$AUDITGATE_LOGS/proxy.log" 60 curl -fsS "http://127.0.0.1:$PROXY_OPS_PORT/readyz"
wait_for indexer "$AUDITGATE_LOGS/indexer.log" 60 curl -fsS "http://127.0.0.1:$INDEXER_OPS_PORT/readyz"
wait_for detector "$AUDITGATE_LOGS/detector.log" 60 curl -fsS "http://127.0.0.1:$DETECTOR_OPS_PORT/readyz"
wait_for query "$AUDITGATE_LOGS/query.log" 60 curl -fsS "http://127.0.0.1:$QUERY_OPS_PORT/readyz"

# kubernetes-mcp-server (the npm package's Go binary) in HTTP mode behind the gate: OAuth required, tokens verified
# against the gate's delegation issuer; its kubeconfig points at the gateway and holds no credential, so every
# Kubernetes request it makes carries the delegated token of the tool call it serves.
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) MCP_BIN=node_modules/kubernetes-mcp-server-linux-amd64/bin/kubernetes-mcp-server-linux-amd64 ;;
  Linux/aarch64) MCP_BIN=node_modules/kubernetes-mcp-server-linux-arm64/bin/kubernetes-mcp-server-linux-arm64 ;;
  Darwin/arm64) MCP_BIN=node_modules/kubernetes-mcp-server-darwin-arm64/bin/kubernetes-mcp-server-darwin-arm64 ;;
  *) MCP_BIN=node_modules/kubernetes-mcp-server-darwin-amd64/bin/kubernetes-mcp-server-darwin-amd64 ;;
esac
cat > "$MAIN_STATE/kubernetes-mcp.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: gateway, cluster: {server: "https://127.0.0.1:$PROXY_HTTPS_PORT", certificate-authority: "$MAIN_STATE/proxy.crt"}}]
users: [{name: nobody, user: {}}]
contexts: [{name: gateway, context: {cluster: gateway, user: nobody}}]
current-context: gateway
KC
cat > "$MAIN_STATE/kubernetes-mcp.toml" <<TOML
require_oauth = true
authorization_url = "https://127.0.0.1:$PROXY_HTTPS_PORT/mcp-delegation"
oauth_audience = "auditgate-mcp:kubernetes"
certificate_authority = "$MAIN_STATE/proxy.crt"
TOML
log "starting kubernetes-mcp-server behind the gate (log: $AUDITGATE_LOGS/kubernetes-mcp-server.log)"
setsid "$MCP_BIN" --config "$MAIN_STATE/kubernetes-mcp.toml" --kubeconfig "$MAIN_STATE/kubernetes-mcp.kubeconfig" \
  --port "$KUBERNETES_MCP_PORT" --bind-address 127.0.0.1 --disable-multi-cluster --log-level 2 \
  --log-file "$AUDITGATE_LOGS/kubernetes-mcp-server.log" < /dev/null >/dev/null 2>&1 &
service_pids+=($!)
wait_for kubernetes-mcp-server "$AUDITGATE_LOGS/kubernetes-mcp-server.log" 60 curl -fsS "http://127.0.0.1:$KUBERNETES_MCP_PORT/healthz"
(umask 077; printf '%s\n' "$PERSON_TOKEN" > "$MAIN_STATE/mcp-person.token")

(umask 077; printf '%s\n' "$ANALYST_TOKEN" > "$MAIN_STATE/analyst.token")
GATEWAY_KUBECONFIG=$MAIN_STATE/gateway.kubeconfig
write_kubeconfig "$GATEWAY_KUBECONFIG" "$AGENT_SA" "$AGENT_TOKEN" "https://127.0.0.1:$PROXY_HTTPS_PORT" "$MAIN_STATE/proxy.crt"

cat <<MSG

Auditgate is running. Point kubectl or an MCP server at the gateway (as system:serviceaccount:$AGENT_NS:$AGENT_SA):

  export KUBECONFIG=$GATEWAY_KUBECONFIG

Gateway https://127.0.0.1:$PROXY_HTTPS_PORT · metrics http://127.0.0.1:$PROXY_OPS_PORT/metrics · audit events on Kafka topic auditgate.events.v1 ($KAFKA_BROKERS)
Indexed in OpenSearch: $OPENSEARCH_URL/auditgate-events/_search · indexer metrics http://127.0.0.1:$INDEXER_OPS_PORT/metrics
Alerts: Kafka topic auditgate.alerts.v1, $OPENSEARCH_URL/auditgate-alerts-*/_search, Alertmanager $ALERTMANAGER_URL · detector metrics http://127.0.0.1:$DETECTOR_OPS_PORT/metrics
MCP gate (Streamable HTTP, OAuth 2.1): $MCP_RESOURCE fronts kubernetes-mcp-server. Point an MCP client at it with
  the bearer token in $MAIN_STATE/mcp-person.token (system:serviceaccount:$PERSON_NS:$PERSON_SA stands in for the person)
  and trust $MAIN_STATE/proxy.crt (Node clients: NODE_EXTRA_CA_CERTS=$MAIN_STATE/proxy.crt), e.g. in .mcp.json:
    {"mcpServers": {"kubernetes": {"type": "http", "url": "$MCP_RESOURCE", "headers": {"Authorization": "Bearer <that token>"}}}}
  Clients discover the IdP from $MCP_RESOURCE's 401 (RFC 9728 metadata). Each tool call's Kubernetes requests carry its
  delegated token: see them with  npx auditgate calls --since 1h  and  npx auditgate call <call id>.
Analyst UI (signed in as system:serviceaccount:$ANALYST_NS:$ANALYST_SA, admin): http://127.0.0.1:$QUERY_PORT/ui/#token=$ANALYST_TOKEN
Query API http://127.0.0.1:$QUERY_PORT/api/v1 (services/query/API.md) · the analyst token is in $MAIN_STATE/analyst.token
Logs: $AUDITGATE_LOGS. Press Ctrl-C to stop everything this command started.
MSG
if [[ -n ${AUDITGATE_MAIN_EXIT_AFTER_START:-} ]]; then exit 0; fi
wait -n "${service_pids[@]}" || true
log "a service exited; see $AUDITGATE_LOGS"
