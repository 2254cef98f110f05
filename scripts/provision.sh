#!/usr/bin/env bash
# Provisions every real server the tests run against, with no internet: Go-built binaries from the
# Go module proxy, ZooKeeper from Debian, Flink's client classpath and Temporal's time-skipping test
# server from Maven Central.
# Everything is cached under $FSO_CACHE (default ~/.cache/flink-session-operator), keyed by version,
# so a second run only checks. A binary already on PATH or named by an env var is used instead.
#
#   scripts/provision.sh [all|temporal|temporal-test-server|etcd|kube|kwok|versitygw|zookeeper|flink]...
set -euo pipefail

CACHE="${FSO_CACHE:-$HOME/.cache/flink-session-operator}"
# shellcheck source=../stack/versions.env
source "$(dirname "$0")/../stack/versions.env"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath
GO_LDFLAGS='-s -w'

log() { printf '[provision %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
mkdir -p "$CACHE"

timed() { local start=$SECONDS; "$@"; log "$1 took $((SECONDS - start)) s"; }

# have VAR NAME: true when the user named a binary in $VAR or has NAME on PATH (stack/binaries.ts
# looks in the same order: env var, PATH, cache).
have() { [ -n "${!1:-}" ] || command -v "$2" >/dev/null 2>&1; }

provision_temporal() {
  local dir="$CACHE/temporal-$TEMPORAL_VERSION"
  have FSO_TEMPORAL_BIN temporal && return 0
  [ -x "$dir/temporal" ] && return 0
  log "building temporal CLI v$TEMPORAL_VERSION"
  mkdir -p "$dir"
  GOBIN="$dir" go install -ldflags="$GO_LDFLAGS" "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_VERSION"
}

# The time-skipping test server @temporalio/testing would download is a native build of the Java SDK's
# io.temporal.testserver.TestServer; the same server runs from its jars. The wrapper takes the arguments
# the SDK passes (`<port> [--enable-time-skipping]`) and execs the JVM, so stopping it stops the server.
# C1 only and the serial GC: it starts in ~0.8 s instead of ~1.1 s, well inside the SDK's 5 s probe.
provision_temporal_test_server() {
  local dir="$CACHE/temporal-test-server-$TEMPORAL_TEST_SERVER_VERSION"
  have FSO_TEMPORAL_TEST_SERVER_BIN temporal-test-server && return 0
  [ -f "$dir/.complete" ] && return 0
  log "fetching Temporal's test server $TEMPORAL_TEST_SERVER_VERSION from Maven Central"
  local work; work=$(mktemp -d)
  cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.fso</groupId><artifactId>temporal-test-server</artifactId><version>0</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>$TEMPORAL_TEST_SERVER_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
POM
  rm -rf "$dir.tmp"; mkdir -p "$dir.tmp/lib"
  mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dir.tmp/lib" -DincludeScope=runtime
  rm -rf "$work"
  cat >"$dir.tmp/temporal-test-server" <<'WRAPPER'
#!/bin/sh
# Temporal's time-skipping test server: temporal-test-server <port> [--enable-time-skipping]
# The JVM replaces this shell, so the SDK's kill reaches it; setpriv also has it killed when the
# process that started it dies without stopping it (a test run killed mid-way).
set -- "${FSO_JAVA_BIN:-java}" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$(dirname "$0")/lib/*" io.temporal.testserver.TestServer "$@"
if command -v setpriv >/dev/null 2>&1; then set -- setpriv --pdeathsig KILL "$@"; fi
exec "$@"
WRAPPER
  chmod +x "$dir.tmp/temporal-test-server"
  touch "$dir.tmp/.complete"
  rm -rf "$dir"; mv "$dir.tmp" "$dir"
}

provision_etcd() {
  local dir="$CACHE/etcd-$ETCD_VERSION"
  have FSO_ETCD_BIN etcd && return 0
  [ -x "$dir/etcd" ] && return 0
  log "building etcd v$ETCD_VERSION"
  local work; work=$(mktemp -d)
  (
    cd "$work"
    go mod init fso.local/etcd >/dev/null 2>&1
    go get -tool "go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
    mkdir -p "$dir.tmp"
    go build -ldflags="$GO_LDFLAGS" -o "$dir.tmp/etcd" go.etcd.io/etcd/server/v3
  )
  rm -rf "$work" "$dir"; mv "$dir.tmp" "$dir"
}

provision_kube() {
  local dir="$CACHE/kubernetes-$KUBE_VERSION"
  have FSO_KUBE_APISERVER_BIN kube-apiserver && have FSO_KUBE_CONTROLLER_MANAGER_BIN kube-controller-manager \
    && have FSO_KUBE_SCHEDULER_BIN kube-scheduler && return 0
  [ -x "$dir/kube-apiserver" ] && [ -x "$dir/kube-controller-manager" ] && [ -x "$dir/kube-scheduler" ] && return 0
  log "building kube-apiserver, kube-controller-manager, kube-scheduler v$KUBE_VERSION"
  local work; work=$(mktemp -d)
  (
    cd "$work"
    go mod init fso.local/kube >/dev/null 2>&1
    # k8s.io/kubernetes replaces its staging modules with local paths; a wrapper module must pin each.
    local gomod; gomod=$(go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
    local staging; staging=$(awk '/=> \.\/staging\/src\//{print $1}' "$gomod" | sort -u)
    local minor=${KUBE_VERSION#1.}
    local args=()
    for m in $staging; do args+=("-replace=$m=$m@v0.$minor"); done
    go mod edit "${args[@]}"
    go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@v$KUBE_VERSION" \
                 "k8s.io/kubernetes/cmd/kube-controller-manager@v$KUBE_VERSION" \
                 "k8s.io/kubernetes/cmd/kube-scheduler@v$KUBE_VERSION"
    mkdir -p "$dir.tmp"
    for b in kube-apiserver kube-controller-manager kube-scheduler; do
      go build -ldflags="$GO_LDFLAGS" -o "$dir.tmp/$b" "k8s.io/kubernetes/cmd/$b"
    done
  )
  rm -rf "$work" "$dir"; mv "$dir.tmp" "$dir"
}

provision_kwok() {
  local dir="$CACHE/kwok-$KWOK_VERSION"
  have FSO_KWOK_BIN kwok && [ -n "${FSO_KWOK_STAGES:-}" ] && return 0
  [ -x "$dir/kwok" ] && [ -d "$dir/stage" ] && return 0
  log "building kwok v$KWOK_VERSION"
  mkdir -p "$dir.tmp"
  GOBIN="$dir.tmp" go install -ldflags="$GO_LDFLAGS" "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
  cp -r "$(go env GOMODCACHE)/sigs.k8s.io/kwok@v$KWOK_VERSION/kustomize/stage" "$dir.tmp/stage"
  chmod -R u+w "$dir.tmp/stage"
  rm -rf "$dir"; mv "$dir.tmp" "$dir"
}

provision_versitygw() {
  local dir="$CACHE/versitygw-$VERSITYGW_VERSION"
  have FSO_VERSITYGW_BIN versitygw && return 0
  [ -x "$dir/versitygw" ] && return 0
  log "building versitygw v$VERSITYGW_VERSION"
  mkdir -p "$dir.tmp"
  GOBIN="$dir.tmp" go install -ldflags="$GO_LDFLAGS" "github.com/versity/versitygw/cmd/versitygw@v$VERSITYGW_VERSION"
  rm -rf "$dir"; mv "$dir.tmp" "$dir"
}

provision_zookeeper() {
  [ -f /usr/share/java/zookeeper.jar ] && return 0
  log "installing Debian's zookeeper"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends zookeeper >/dev/null
}

provision_flink() {
  local v
  for v in $FLINK_VERSIONS; do
    local dir="$CACHE/flink-client-$v"
    [ -f "$dir/.complete" ] && continue
    log "fetching Flink $v client classpath from Maven Central"
    local work; work=$(mktemp -d)
    cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.fso</groupId><artifactId>flink-client-$v</artifactId><version>0</version>
  <dependencies>
    <dependency><groupId>org.apache.flink</groupId><artifactId>flink-kubernetes</artifactId><version>$v</version></dependency>
    <dependency><groupId>org.apache.flink</groupId><artifactId>flink-clients</artifactId><version>$v</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
POM
    rm -rf "$dir"; mkdir -p "$dir/lib"
    mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dir/lib" -DincludeScope=runtime
    rm -rf "$work"
    touch "$dir/.complete"
  done
}

targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(all)
[ "${targets[0]}" = all ] && targets=(zookeeper flink temporal temporal-test-server etcd kwok versitygw kube)
for t in "${targets[@]}"; do timed "provision_${t//-/_}"; done
log "cache ready at $CACHE"
