#!/usr/bin/env bash
# Named-cluster mode of `npm start` (AUDITGATE_KUBECONFIG): checks, before anything starts, that the cluster can serve
# Auditgate with this kubeconfig as the gateway's upstream identity, and names everything that is missing:
#   - the API server answers (/version);
#   - the service-account issuer is readable through it (/.well-known/openid-configuration, /openid/v1/jwks), which
#     is how the gateway and the query service verify the cluster's tokens (its CA, its credentials);
#   - TokenRequest (create serviceaccounts/token) in the agent and analyst namespaces, where npm start mints tokens;
#   - TokenReview (create tokenreviews.authentication.k8s.io), with which the gateway confirms each new token.
# Usage: preflight-cluster.sh KUBECTL KUBECONFIG AGENT_NS/AGENT_SA ANALYST_NS/ANALYST_SA [NS/SA...] (more accounts whose
# tokens npm start mints: the person behind the MCP client). Prints the issuer on success;
# exits 1 otherwise.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
KUBECTL_BIN=$1 KUBECONFIG_FILE=$2 AGENT=$3 ANALYST=$4
kc() { "$KUBECTL_BIN" --kubeconfig "$KUBECONFIG_FILE" --request-timeout=15s "$@"; }
first_line() { tr -s '\n' ' ' | cut -c1-300; }

[[ -x $KUBECTL_BIN ]] || command -v "$KUBECTL_BIN" >/dev/null 2>&1 || die "kubectl is needed to check and prepare the cluster: install it or set KUBECTL_BIN"
[[ -r $KUBECONFIG_FILE ]] || die "AUDITGATE_KUBECONFIG=$KUBECONFIG_FILE cannot be read"
server=$(kc config view --minify -o 'jsonpath={.clusters[0].cluster.server}' 2>/dev/null || true)
user=$(kc config view --minify -o 'jsonpath={.contexts[0].context.user}' 2>/dev/null || true)
log "checking the cluster at ${server:-?} as kubeconfig user \"${user:-?}\" (AUDITGATE_KUBECONFIG=$KUBECONFIG_FILE)"

if ! out=$(kc get --raw /version 2>&1); then
  log "ERROR: the API server ${server:-named in $KUBECONFIG_FILE} cannot be reached with this kubeconfig: $(first_line <<<"$out")"
  log "Nothing was started. Check that the cluster runs and that the kubeconfig's server, CA and credentials are current."
  exit 1
fi

missing=()
issuer=''
if ! discovery=$(kc get --raw /.well-known/openid-configuration 2>&1); then
  missing+=("the service-account issuer's discovery (GET /.well-known/openid-configuration) is refused: $(first_line <<<"$discovery") — this identity needs the ClusterRole system:service-account-issuer-discovery")
else
  issuer=$(sed -n 's/.*"issuer":"\([^"]*\)".*/\1/p' <<<"$discovery")
  [[ -n $issuer ]] || missing+=("the discovery document names no issuer: $(first_line <<<"$discovery")")
  if ! jwks=$(kc get --raw /openid/v1/jwks 2>&1); then
    missing+=("the service-account issuer's keys (GET /openid/v1/jwks) are refused: $(first_line <<<"$jwks") — this identity needs the ClusterRole system:service-account-issuer-discovery")
  elif [[ $jwks != *'"keys"'* ]]; then
    missing+=("the service-account issuer's keys (/openid/v1/jwks) are not a key set: $(first_line <<<"$jwks")")
  fi
fi

can() { # VERB RESOURCE [NAMESPACE] [SUBRESOURCE]: "yes" when this identity may
  local args=("$1" "$2")
  [[ -n ${3:-} ]] && args+=(-n "$3")
  [[ -n ${4:-} ]] && args+=(--subresource "$4")
  [[ $(kc auth can-i "${args[@]}" 2>/dev/null || true) == yes ]]
}
absent() { # KIND NAME [NAMESPACE]: true when the API server says NotFound
  local out
  out=$(kc ${3:+-n "$3"} get "$1" "$2" -o name 2>&1) && return 1
  [[ $out == *NotFound* || $out == *"not found"* ]]
}
can create tokenreviews.authentication.k8s.io ||
  missing+=("permission to create tokenreviews (TokenReview: the gateway confirms each new service-account token) — bind the ClusterRole system:auth-delegator")
for account in "$AGENT" "$ANALYST" "${@:5}"; do
  ns=${account%%/*} sa=${account#*/}
  # Only a NotFound says it is missing; a Forbidden read leaves it to the checks below.
  if absent namespace "$ns"; then
    can create namespaces || missing+=("namespace $ns does not exist and this identity may not create namespaces")
  fi
  if absent serviceaccount "$sa" "$ns"; then
    can create serviceaccounts "$ns" || missing+=("service account $ns/$sa does not exist and this identity may not create service accounts in $ns")
  fi
  can create serviceaccounts "$ns" token ||
    missing+=("permission to create serviceaccounts/token in namespace $ns (TokenRequest: npm start mints the agent's, the analyst's and the MCP person's tokens)")
done

if [[ ${#missing[@]} -gt 0 ]]; then
  log "ERROR: the cluster at ${server:-?} is not ready for Auditgate with kubeconfig user \"${user:-?}\". Missing:"
  for m in "${missing[@]}"; do log "  - $m"; done
  log "Nothing was started: services that would refuse every request are not worth starting. See README, \"Against a real cluster\"."
  exit 1
fi
log "the cluster is ready: API server, issuer $issuer (discovery and keys through the API server), TokenRequest, TokenReview"
printf '%s\n' "$issuer"
