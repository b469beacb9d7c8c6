#!/usr/bin/env bash
KUBE_APISERVER_PORT="${KUBE_APISERVER_PORT:-6443}"
KUBE_STATE="$AUDITGATE_STATE/kube"
KUBE_BIN="$AUDITGATE_BIN/kube-$KUBE_VERSION"
kube_up() { die "kube not yet"; }
kube_down() { :; }
kube_status() { echo "kube: todo"; }
