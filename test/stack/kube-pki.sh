#!/usr/bin/env bash
# Generates, once per stack, the control plane's certificates, service-account signing key, static tokens and
# kubeconfigs into $KUBE_STATE. Idempotent: existing material is kept.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
KUBE_STATE="${KUBE_STATE:-$AUDITGATE_STATE/kube}"
KUBE_APISERVER_PORT="${KUBE_APISERVER_PORT:-6443}"
PKI="$KUBE_STATE/pki"

# sign NAME SUBJECT EXTFILE_CONTENT: a key and a CA-signed certificate valid for ten years.
sign() {
  local name=$1 subject=$2 ext=$3
  [[ -f $PKI/$name.crt ]] && return 0
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subject" -out "$PKI/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" > "$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 3650 -sha256 \
    -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

token() { openssl rand -hex 24; }

kube_pki() {
  mkdir -p "$PKI"; chmod 700 "$KUBE_STATE" "$PKI"
  if [[ ! -f $PKI/ca.crt ]]; then
    log "generating the local cluster's CA, certificates and signing keys in $PKI"
    openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=auditgate-local-ca" -days 3650 -sha256 -out "$PKI/ca.crt" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  fi
  sign apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  sign kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  sign kwok-kubelet "/CN=kwok-kubelet" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost"
  if [[ ! -f $PKI/sa.key ]]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  fi
  if [[ ! -f $KUBE_STATE/tokens.csv ]]; then
    local admin gateway cm sched kwok
    admin=$(token); gateway=$(token); cm=$(token); sched=$(token); kwok=$(token)
    cat > "$KUBE_STATE/tokens.csv" <<CSV
$admin,auditgate-admin,uid-admin,"system:masters"
$gateway,auditgate-gateway,uid-gateway,"auditgate:gateways"
$cm,system:kube-controller-manager,uid-kcm
$sched,system:kube-scheduler,uid-sched
$kwok,kwok-controller,uid-kwok,"system:masters"
CSV
    chmod 600 "$KUBE_STATE/tokens.csv"
    write_kubeconfig "$KUBE_STATE/admin.kubeconfig" auditgate-admin "$admin" "https://127.0.0.1:$KUBE_APISERVER_PORT" "$PKI/ca.crt"
    write_kubeconfig "$KUBE_STATE/gateway-upstream.kubeconfig" auditgate-gateway "$gateway" "https://127.0.0.1:$KUBE_APISERVER_PORT" "$PKI/ca.crt"
    write_kubeconfig "$KUBE_STATE/controller-manager.kubeconfig" system:kube-controller-manager "$cm" "https://127.0.0.1:$KUBE_APISERVER_PORT" "$PKI/ca.crt"
    write_kubeconfig "$KUBE_STATE/scheduler.kubeconfig" system:kube-scheduler "$sched" "https://127.0.0.1:$KUBE_APISERVER_PORT" "$PKI/ca.crt"
    write_kubeconfig "$KUBE_STATE/kwok.kubeconfig" kwok-controller "$kwok" "https://127.0.0.1:$KUBE_APISERVER_PORT" "$PKI/ca.crt"
  fi
  cat > "$KUBE_STATE/audit-policy.yaml" <<'YAML'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: []
rules:
  - level: RequestResponse
YAML
}
