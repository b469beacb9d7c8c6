#!/usr/bin/env bash
# The real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver (RBAC, https service-account issuer, audit log
# at RequestResponse), kube-controller-manager, kube-scheduler, and kwok as a simulated node with exec/logs/attach/
# port-forward. Built from the Go module proxy by build-kube.sh; certificates and tokens from kube-pki.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$STACK_DIR/kube-pki.sh"
KUBE_APISERVER_PORT="${KUBE_APISERVER_PORT:-6443}"
ETCD_CLIENT_PORT="${ETCD_CLIENT_PORT:-2379}"
ETCD_PEER_PORT="${ETCD_PEER_PORT:-2380}"
KWOK_KUBELET_PORT="${KWOK_KUBELET_PORT:-10250}"
KUBE_STATE="$AUDITGATE_STATE/kube"
KUBE_BIN="$AUDITGATE_BIN/kube-$KUBE_VERSION"
KUBE_AUDIT_LOG="$KUBE_STATE/audit.log"
KWOK_NODE="${KWOK_NODE:-kwok-node-0}"

kubectl_admin() { "$KUBE_BIN/kubectl" --kubeconfig "$KUBE_STATE/admin.kubeconfig" "$@"; }

etcd_up() {
  is_running etcd && return 0
  mkdir -p "$KUBE_STATE/etcd"; chmod 700 "$KUBE_STATE/etcd"
  : >"$AUDITGATE_LOGS/etcd.log"
  start_bg etcd "$AUDITGATE_BIN/etcd-$ETCD_VERSION/etcd" --name auditgate --data-dir "$KUBE_STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "auditgate=http://127.0.0.1:$ETCD_PEER_PORT" --quota-backend-bytes 4294967296 \
    --listen-metrics-urls "" --log-level warn
  wait_for etcd "$AUDITGATE_LOGS/etcd.log" 60 curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health"
}

apiserver_up() {
  is_running kube-apiserver && return 0
  : >"$AUDITGATE_LOGS/kube-apiserver.log"
  start_bg kube-apiserver "$KUBE_BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$KUBE_APISERVER_PORT" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" --client-ca-file "$PKI/ca.crt" \
    --token-auth-file "$KUBE_STATE/tokens.csv" --authorization-mode RBAC --anonymous-auth=true \
    --service-account-issuer "https://127.0.0.1:$KUBE_APISERVER_PORT" \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 --allow-privileged=true \
    --kubelet-client-certificate "$PKI/kubelet-client.crt" --kubelet-client-key "$PKI/kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP \
    --audit-policy-file "$KUBE_STATE/audit-policy.yaml" --audit-log-path "$KUBE_AUDIT_LOG" \
    --audit-log-maxsize 500 --audit-log-maxbackup 2 --audit-log-mode blocking \
    --enable-priority-and-fairness=false --profiling=false --v=1
  wait_for kube-apiserver "$AUDITGATE_LOGS/kube-apiserver.log" 120 \
    curl -fsS --cacert "$PKI/ca.crt" "https://127.0.0.1:$KUBE_APISERVER_PORT/readyz"
}

controllers_up() {
  if ! is_running kube-controller-manager; then
    : >"$AUDITGATE_LOGS/kube-controller-manager.log"
    start_bg kube-controller-manager "$KUBE_BIN/kube-controller-manager" \
      --kubeconfig "$KUBE_STATE/controller-manager.kubeconfig" --leader-elect=false \
      --bind-address 127.0.0.1 --secure-port 10257 \
      --authentication-kubeconfig "$KUBE_STATE/controller-manager.kubeconfig" \
      --authorization-kubeconfig "$KUBE_STATE/controller-manager.kubeconfig" \
      --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
      --use-service-account-credentials=true --allocate-node-cidrs=false \
      --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" --v=1
  fi
  if ! is_running kube-scheduler; then
    : >"$AUDITGATE_LOGS/kube-scheduler.log"
    start_bg kube-scheduler "$KUBE_BIN/kube-scheduler" \
      --kubeconfig "$KUBE_STATE/scheduler.kubeconfig" --leader-elect=false \
      --bind-address 127.0.0.1 --secure-port 10259 \
      --authentication-kubeconfig "$KUBE_STATE/scheduler.kubeconfig" \
      --authorization-kubeconfig "$KUBE_STATE/scheduler.kubeconfig" --v=1
  fi
  wait_for kube-controller-manager "$AUDITGATE_LOGS/kube-controller-manager.log" 60 \
    curl -fsSk "https://127.0.0.1:10257/healthz"
  wait_for kube-scheduler "$AUDITGATE_LOGS/kube-scheduler.log" 60 curl -fsSk "https://127.0.0.1:10259/healthz"
}

cluster_bootstrap() {
  # Who may do what in the local cluster: the gateway's upstream identity acts (and impersonates) for its callers;
  # the service-account issuer's discovery and JWKS are public, as an EKS cluster's OIDC issuer is.
  kubectl_admin apply -f - >/dev/null <<'YAML'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: auditgate-gateway-upstream }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: Group, name: "auditgate:gateways" }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: auditgate-public-issuer-discovery }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:service-account-issuer-discovery }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:unauthenticated }]
YAML
}

kube_up() {
  bash "$STACK_DIR/build-kube.sh" all
  kube_pki
  log "starting the Kubernetes $KUBE_VERSION control plane on https://127.0.0.1:$KUBE_APISERVER_PORT (logs: $AUDITGATE_LOGS)"
  etcd_up
  apiserver_up
  wait_for rbac-bootstrap "$AUDITGATE_LOGS/kube-apiserver.log" 60 kubectl_admin get clusterrole cluster-admin
  cluster_bootstrap
  controllers_up
  kwok_up
  log "kube: admin kubeconfig $KUBE_STATE/admin.kubeconfig; audit log $KUBE_AUDIT_LOG"
}

kube_down() {
  for c in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do stop_pid "$c"; done
}

kube_status() {
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
    if is_running "$c"; then echo "$c: running"; else echo "$c: stopped"; fi
  done
}

kwok_configure() {
  mkdir -p "$KUBE_STATE/kwok/exec"
  touch "$KUBE_STATE/kwok/container.log"
  # Exec runs the command locally in a scratch folder; logs and attach follow a file tests append to;
  # port-forward pipes the stream through `cat`, so a forwarded port echoes what it is sent.
  cat > "$KUBE_STATE/kwok/kwok.yaml" <<YAML
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterExec
metadata: { name: auditgate-local }
spec:
  execs:
    - local:
        workDir: $KUBE_STATE/kwok/exec
        envs: [{ name: AUDITGATE_KWOK, value: "1" }]
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata: { name: auditgate-local }
spec:
  logs:
    - logsFile: $KUBE_STATE/kwok/container.log
      follow: true
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterAttach
metadata: { name: auditgate-local }
spec:
  attaches:
    - logsFile: $KUBE_STATE/kwok/container.log
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterPortForward
metadata: { name: auditgate-local }
spec:
  forwards:
    - command: [cat]
YAML
}

kwok_node() {
  kubectl_admin apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Node
metadata:
  name: $KWOK_NODE
  annotations: { kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0" }
  labels: { kubernetes.io/hostname: $KWOK_NODE, kubernetes.io/os: linux, kubernetes.io/arch: amd64, type: kwok }
spec: {}
status:
  allocatable: { cpu: "32", memory: 256Gi, pods: "110" }
  capacity: { cpu: "32", memory: 256Gi, pods: "110" }
YAML
}

kwok_ready() { [[ $(kubectl_admin get node "$KWOK_NODE" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') == True ]]; }

kwok_up() {
  if ! is_running kwok; then
    kwok_configure
    kwok_node
    : >"$AUDITGATE_LOGS/kwok.log"
    start_bg kwok "$AUDITGATE_BIN/kwok-$KWOK_VERSION/kwok" --kubeconfig "$KUBE_STATE/kwok.kubeconfig" \
      --config "$KUBE_STATE/kwok/kwok.yaml" --manage-all-nodes \
      --server-address "127.0.0.1:$KWOK_KUBELET_PORT" --node-ip 127.0.0.1 --node-port "$KWOK_KUBELET_PORT" \
      --tls-cert-file "$PKI/kwok-kubelet.crt" --tls-private-key-file "$PKI/kwok-kubelet.key" --cidr 10.244.0.1/16 \
      --node-lease-duration-seconds 40
  fi
  wait_for kwok "$AUDITGATE_LOGS/kwok.log" 60 kwok_ready
}
