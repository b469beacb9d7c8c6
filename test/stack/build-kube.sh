#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler and kubectl from the Go module proxy through a
# wrapper module that maps each k8s.io staging module to its published tag. Cached: a second run does nothing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_kube() {
  local out="$AUDITGATE_BIN/kube-$KUBE_VERSION"
  if [[ -x $out/kube-apiserver && -x $out/kubectl && -x $out/kube-controller-manager && -x $out/kube-scheduler ]]; then return 0; fi
  local work="$AUDITGATE_CACHE/build/kube-$KUBE_VERSION"
  mkdir -p "$work" "$out"
  cd "$work"
  log "building Kubernetes $KUBE_VERSION control plane from the Go module proxy (cold: ~20-30 min on 2 cores)"
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [[ -f $gomod ]] || die "cannot download k8s.io/kubernetes@$KUBE_VERSION go.mod"
  {
    echo "module auditgate.local/kubebuild"
    echo
    echo "go $(sed -n 's/^go //p' "$gomod")"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    echo "replace ("
    sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$KUBE_STAGING_VERSION"'#p' "$gomod"
    echo ")"
  } > go.mod
  local pkgs=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
              k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
  GOFLAGS=-mod=mod go get "${pkgs[@]/%/@$KUBE_VERSION}" >&2
  local minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
  local vpkg
  local ldflags="-s -w"
  for vpkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $vpkg.gitVersion=$KUBE_VERSION -X $vpkg.gitMajor=1 -X $vpkg.gitMinor=$minor -X $vpkg.gitTreeState=clean"
    ldflags+=" -X $vpkg.buildDate=2026-01-01T00:00:00Z"
  done
  GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$out/" "${pkgs[@]}" >&2
  log "Kubernetes binaries ready in $out"
}

build_etcd() {
  local out="$AUDITGATE_BIN/etcd-$ETCD_VERSION"
  [[ -x $out/etcd ]] && return 0
  local work="$AUDITGATE_CACHE/build/etcd-$ETCD_VERSION"
  mkdir -p "$work" "$out"; cd "$work"
  log "building etcd $ETCD_VERSION from the Go module proxy"
  cat > go.mod <<GOMOD
module auditgate.local/etcdbuild

go 1.24
GOMOD
  cat > main.go <<'GO'
// Command etcd runs the etcd server from go.etcd.io/etcd/server/v3.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  GOFLAGS=-mod=mod go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
  GOFLAGS=-mod=mod go mod tidy >&2
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out/etcd" . >&2
  log "etcd ready in $out"
}

build_go_tool() { # NAME MODULE_PKG VERSION
  local name=$1 pkg=$2 version=$3
  local out="$AUDITGATE_BIN/$name-$version"
  [[ -x $out/$name ]] && return 0
  mkdir -p "$out"
  log "building $name $version from the Go module proxy"
  GOBIN="$out" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "$pkg@$version" >&2
  log "$name ready in $out"
}

build_all() {
  with_lock etcd build_etcd
  with_lock kube build_kube
  with_lock kwok build_go_tool kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION"
}

case "${1:-all}" in
  all) build_all ;;
  kube) with_lock kube build_kube ;;
  etcd) with_lock etcd build_etcd ;;
  kwok) with_lock kwok build_go_tool kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION" ;;
  alertmanager) with_lock alertmanager build_go_tool alertmanager github.com/prometheus/alertmanager/cmd/alertmanager "$ALERTMANAGER_VERSION" ;;
  *) die "usage: build-kube.sh [all|kube|etcd|kwok|alertmanager]" ;;
esac
