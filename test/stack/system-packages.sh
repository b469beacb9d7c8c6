#!/usr/bin/env bash
# Installs the system tools the stack builds and tests need, only those missing, from Debian (apt-get, as root).
# Usage: system-packages.sh [--with-browser]   (the browser is Debian's chromium, for the analyst UI tests)
set -euo pipefail
pairs=(curl:curl unzip:unzip openssl:openssl setpriv:util-linux flock:util-linux java:openjdk-17-jre-headless
       mvn:maven go:golang python3:python3)
[[ ${1:-} == --with-browser ]] && pairs+=(chromium:chromium)
need=()
for pair in "${pairs[@]}"; do command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}"); done
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
[[ ${#need[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "[system] missing system packages: ${need[*]} — install them (Debian: apt-get install ${need[*]}) and run again" >&2
  exit 1
fi
echo "[system] installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"
