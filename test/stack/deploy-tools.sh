#!/usr/bin/env bash
# The platform tools the deploy tests run, built from the Go module proxy and cached in $AUDITGATE_BIN (a second run
# does nothing): `deploy-tools.sh helm|promtool|compose|all`. Prints the binary's path (one line per tool).
#   helm      helm.sh/helm/v4/cmd/helm                      renders and lints k8s/helm/auditgate
#   promtool  github.com/prometheus/prometheus/cmd/promtool  checks and unit-tests k8s/monitoring/ rules
#   compose   github.com/docker/compose/v5/cmd               Docker Compose itself (`config` needs no engine), run as
#             `docker-compose` or as the Docker CLI's compose plugin
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# build_module_tool NAME PKG VERSION LDFLAGS: `go install PKG@VERSION` into $AUDITGATE_BIN/NAME-VERSION/NAME.
build_module_tool() {
  local name=$1 pkg=$2 version=$3 ldflags=$4
  local out="$AUDITGATE_BIN/$name-$version"
  [[ -x $out/$name ]] && return 0
  command -v go >/dev/null 2>&1 || die "go is missing: run test/stack/system-packages.sh"
  local tmp="$out.partial"
  rm -rf "$tmp"; mkdir -p "$tmp"
  log "building $name $version from the Go module proxy ($pkg)"
  GOBIN="$tmp" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w $ldflags" "$pkg@$version" >&2
  # go install names the binary after the package's last element (compose's is `cmd`).
  local built
  built=$(find "$tmp" -maxdepth 1 -type f -perm -u+x | head -n 1)
  [[ -n $built ]] || die "building $name produced no binary"
  mkdir -p "$out"
  mv "$built" "$out/$name"
  rm -rf "$tmp"
  log "$name ready in $out"
}

helm_build() {
  build_module_tool helm helm.sh/helm/v4/cmd/helm "$HELM_VERSION" \
    "-X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
}

promtool_build() {
  # Prometheus 3.x is published as module versions v0.3MM.P (3.MM.P); promtool reports the release version.
  local minor=${PROMETHEUS_MODULE_VERSION#v0.3}; minor=${minor%%.*}; minor=$((10#$minor))
  local release="3.$minor.${PROMETHEUS_MODULE_VERSION##*.}"
  build_module_tool promtool github.com/prometheus/prometheus/cmd/promtool "$PROMETHEUS_MODULE_VERSION" \
    "-X github.com/prometheus/common/version.Version=$release -X github.com/prometheus/common/version.Branch=release"
}

# build_wrapped_tool NAME MODULE VERSION PKG LDFLAGS: for a module whose go.mod has exclude directives (which
# `go install pkg@version` refuses): build PKG from a wrapper module that requires MODULE@VERSION with the same excludes.
build_wrapped_tool() {
  local name=$1 module=$2 version=$3 pkg=$4 ldflags=$5
  local out="$AUDITGATE_BIN/$name-$version"
  [[ -x $out/$name ]] && return 0
  command -v go >/dev/null 2>&1 || die "go is missing: run test/stack/system-packages.sh"
  local work="$AUDITGATE_CACHE/build/$name-$version"
  mkdir -p "$work"; cd "$work"
  log "building $name $version from the Go module proxy ($pkg, through a wrapper module)"
  local gomod
  gomod=$(go mod download -json "$module@$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [[ -f $gomod ]] || die "cannot download $module@$version go.mod"
  {
    echo "module auditgate.local/${name}build"
    echo
    echo "go $(sed -n 's/^go //p' "$gomod")"
    echo
    echo "require $module $version"
    echo
    # The upstream excludes, single-line and block form, comments dropped.
    awk '/^exclude \($/ {b=1; print; next} b && /^\)/ {b=0; print; next} b && !/^[[:space:]]*\/\// {print; next} /^exclude [^(]/ {print}' "$gomod"
  } > go.mod
  GOFLAGS=-mod=mod go get "$pkg@$version" >&2
  mkdir -p "$out"
  GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $ldflags" -o "$out/$name.partial" "$pkg" >&2
  mv "$out/$name.partial" "$out/$name"
  log "$name ready in $out"
}

compose_build() {
  build_wrapped_tool docker-compose github.com/docker/compose/v5 "$COMPOSE_VERSION" github.com/docker/compose/v5/cmd \
    "-X github.com/docker/compose/v5/internal.Version=$COMPOSE_VERSION"
}

tool() { # NAME: build if missing (one builder at a time across processes), print the path
  case "$1" in
    helm) with_lock helm helm_build; echo "$AUDITGATE_BIN/helm-$HELM_VERSION/helm" ;;
    promtool) with_lock promtool promtool_build; echo "$AUDITGATE_BIN/promtool-$PROMETHEUS_MODULE_VERSION/promtool" ;;
    compose) with_lock compose compose_build; echo "$AUDITGATE_BIN/docker-compose-$COMPOSE_VERSION/docker-compose" ;;
    *) die "usage: deploy-tools.sh helm|promtool|compose|all" ;;
  esac
}

[[ $# -gt 0 ]] || set -- all
for t in "$@"; do
  if [[ $t == all ]]; then for x in helm promtool compose; do tool "$x"; done; else tool "$t"; fi
done
