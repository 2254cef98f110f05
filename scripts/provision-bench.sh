#!/usr/bin/env bash
# Installs the peer tools `npm run bench` compares the operator with, into the same cache as the
# servers ($FSO_CACHE, default ~/.cache/flink-session-operator), keyed by version; a second run only
# checks. Not part of CI (CI runs no benchmark): run it once before `npm run bench`.
#   s5cmd:  built from the Go module proxy (a scratch module: `go get` + `go build`)
#   awscli: from PyPI, into a virtualenv
# ZooKeeper's own CLI (ZooKeeperMain) comes with Debian's zookeeper package, which scripts/provision.sh installs.
#
#   scripts/provision-bench.sh [all|s5cmd|awscli]...
set -euo pipefail

CACHE="${FSO_CACHE:-$HOME/.cache/flink-session-operator}"
# shellcheck source=../bench/versions.env
source "$(dirname "$0")/../bench/versions.env"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath

log() { printf '[provision-bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
mkdir -p "$CACHE"

provision_s5cmd() {
  local dir="$CACHE/s5cmd-$S5CMD_VERSION"
  [ -x "$dir/s5cmd" ] && return 0
  log "building s5cmd v$S5CMD_VERSION"
  local work; work=$(mktemp -d)
  (
    cd "$work"
    go mod init fso.local/s5cmd >/dev/null 2>&1
    go get "github.com/peak/s5cmd/v2@v$S5CMD_VERSION"
    mkdir -p "$dir.tmp"
    go build -ldflags='-s -w' -o "$dir.tmp/s5cmd" github.com/peak/s5cmd/v2
  )
  rm -rf "$work" "$dir"; mv "$dir.tmp" "$dir"
}

provision_awscli() {
  local dir="$CACHE/awscli-$AWSCLI_VERSION"
  # A virtualenv cannot be moved (its scripts name its folder), so it is built in place and marked done.
  [ -f "$dir/.installed" ] && return 0
  log "installing awscli $AWSCLI_VERSION into a virtualenv"
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "awscli==$AWSCLI_VERSION"
  touch "$dir/.installed"
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(all)
for target in "${targets[@]}"; do
  case "$target" in
    all) provision_s5cmd; provision_awscli ;;
    s5cmd|awscli) "provision_$target" ;;
    *) echo "unknown tool: $target (all, s5cmd, awscli)" >&2; exit 2 ;;
  esac
done
log "peer tools ready in $CACHE"
