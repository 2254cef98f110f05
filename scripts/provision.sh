#!/usr/bin/env bash
# Provisions every real server the tests run against, and the tools the chart and alert tests use,
# with no internet: Go-built binaries from the Go module proxy, ZooKeeper and Chromium from Debian, Flink's client
# classpath and Temporal's time-skipping test server from Maven Central.
# Everything is cached under $FSO_CACHE (default ~/.cache/flink-session-operator), keyed by version,
# so a second run only checks. A binary already on PATH or named by an env var is used instead.
# `npm test` and `npm run dev` run this first (their pre-scripts), so a fresh machine needs nothing else.
#
# Progress: one line when a tool starts and ends (which one, how many left, elapsed); for a person,
# a line every FSO_PROVISION_TICK seconds (default 30) while a build runs; on CI (CI=true) none.
# Each build's own output goes to $CACHE/logs/<tool>.log and is shown only when the build fails.
#
#   scripts/provision.sh [all|temporal|temporal-test-server|etcd|kube|kwok|versitygw|helm|promtool|zookeeper|chromium|flink]...
set -euo pipefail

CACHE="${FSO_CACHE:-$HOME/.cache/flink-session-operator}"
# shellcheck source=../stack/versions.env
source "$(dirname "$0")/../stack/versions.env"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath
GO_LDFLAGS='-s -w'
LOGS="$CACHE/logs"
TICK="${FSO_PROVISION_TICK:-30}"
[ "${CI:-}" = true ] && TICK=0

log() { printf '[provision %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
fail() { log "error: $*"; exit 1; }
mkdir -p "$CACHE" "$LOGS"

# have VAR NAME: true when the user named a binary in $VAR or has NAME on PATH (stack/binaries.ts
# looks in the same order: env var, PATH, cache).
have() { [ -n "${!1:-}" ] || command -v "$2" >/dev/null 2>&1; }

# quietly TOOL CMD...: runs CMD with its output in the tool's log; on failure shows the log's end.
quietly() {
  local tool=$1; shift
  if ! "$@" >>"$LOGS/$tool.log" 2>&1; then
    log "building $tool failed; the end of $LOGS/$tool.log:"
    tail -n 30 "$LOGS/$tool.log" >&2
    return 1
  fi
}

# go_install_build TOOL DIR PACKAGE@VERSION: `go install` into DIR, which appears only once complete.
go_install_build() {
  local tool=$1 dir=$2 tool_package=$3
  mkdir -p "$dir.tmp"
  GOBIN="$dir.tmp" quietly "$tool" go install -ldflags="$GO_LDFLAGS" "$tool_package"
  rm -rf "$dir"; mv "$dir.tmp" "$dir"
}

# go_wrapper_build TOOL DIR PACKAGE@VERSION NAME=PACKAGE...: builds each binary NAME from PACKAGE
# through a throwaway module that requires it as a tool, so replace/exclude directives in the tool's
# own go.mod (which `go install pkg@version` refuses) do not matter.
go_wrapper_build() {
  local tool=$1 dir=$2 tool_package=$3; shift 3
  local work; work=$(mktemp -d)
  (
    cd "$work"
    go mod init "fso.local/$tool" >/dev/null 2>&1
    quietly "$tool" go get -tool "$tool_package"
    mkdir -p "$dir.tmp"
    local binary
    for binary in "$@"; do quietly "$tool" go build -ldflags="$GO_LDFLAGS" -o "$dir.tmp/${binary%%=*}" "${binary#*=}"; done
  )
  rm -rf "$work" "$dir"; mv "$dir.tmp" "$dir"
}

# Each tool: needed_<tool> is true when it has to be built or fetched; provision_<tool> does it.
needed_temporal() { ! have FSO_TEMPORAL_BIN temporal && [ ! -x "$CACHE/temporal-$TEMPORAL_VERSION/temporal" ]; }
provision_temporal() {
  go_install_build temporal "$CACHE/temporal-$TEMPORAL_VERSION" "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_VERSION"
}

needed_etcd() { ! have FSO_ETCD_BIN etcd && [ ! -x "$CACHE/etcd-$ETCD_VERSION/etcd" ]; }
provision_etcd() {
  go_wrapper_build etcd "$CACHE/etcd-$ETCD_VERSION" "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" etcd=go.etcd.io/etcd/server/v3
}

needed_kube() {
  local dir="$CACHE/kubernetes-$KUBE_VERSION"
  have FSO_KUBE_APISERVER_BIN kube-apiserver && have FSO_KUBE_CONTROLLER_MANAGER_BIN kube-controller-manager \
    && have FSO_KUBE_SCHEDULER_BIN kube-scheduler && return 1
  ! { [ -x "$dir/kube-apiserver" ] && [ -x "$dir/kube-controller-manager" ] && [ -x "$dir/kube-scheduler" ]; }
}
provision_kube() {
  local dir="$CACHE/kubernetes-$KUBE_VERSION"
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
    quietly kube go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@v$KUBE_VERSION" \
                 "k8s.io/kubernetes/cmd/kube-controller-manager@v$KUBE_VERSION" \
                 "k8s.io/kubernetes/cmd/kube-scheduler@v$KUBE_VERSION"
    mkdir -p "$dir.tmp"
    for b in kube-apiserver kube-controller-manager kube-scheduler; do
      quietly kube go build -ldflags="$GO_LDFLAGS" -o "$dir.tmp/$b" "k8s.io/kubernetes/cmd/$b"
    done
  )
  rm -rf "$work" "$dir"; mv "$dir.tmp" "$dir"
}

needed_kwok() {
  have FSO_KWOK_BIN kwok && [ -n "${FSO_KWOK_STAGES:-}" ] && return 1
  ! { [ -x "$CACHE/kwok-$KWOK_VERSION/kwok" ] && [ -d "$CACHE/kwok-$KWOK_VERSION/stage" ]; }
}
provision_kwok() {
  local dir="$CACHE/kwok-$KWOK_VERSION"
  mkdir -p "$dir.tmp"
  GOBIN="$dir.tmp" quietly kwok go install -ldflags="$GO_LDFLAGS" "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
  cp -r "$(go env GOMODCACHE)/sigs.k8s.io/kwok@v$KWOK_VERSION/kustomize/stage" "$dir.tmp/stage"
  chmod -R u+w "$dir.tmp/stage"
  rm -rf "$dir"; mv "$dir.tmp" "$dir"
}

needed_versitygw() { ! have FSO_VERSITYGW_BIN versitygw && [ ! -x "$CACHE/versitygw-$VERSITYGW_VERSION/versitygw" ]; }
provision_versitygw() {
  go_install_build versitygw "$CACHE/versitygw-$VERSITYGW_VERSION" "github.com/versity/versitygw/cmd/versitygw@v$VERSITYGW_VERSION"
}

# Helm 3, for the chart's tests (charts/flink-session-operator).
needed_helm() { ! have FSO_HELM_BIN helm && [ ! -x "$CACHE/helm-$HELM_VERSION/helm" ]; }
provision_helm() {
  go_wrapper_build helm "$CACHE/helm-$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION" helm=helm.sh/helm/v3/cmd/helm
}

# Prometheus' promtool, for the alert rules' unit tests (deploy/monitoring). Prometheus 3.x is
# published as module versions v0.3xx.y (PROMETHEUS_MODULE_VERSION in versions.env).
needed_promtool() { ! have FSO_PROMTOOL_BIN promtool && [ ! -x "$CACHE/promtool-$PROMETHEUS_MODULE_VERSION/promtool" ]; }
provision_promtool() {
  go_wrapper_build promtool "$CACHE/promtool-$PROMETHEUS_MODULE_VERSION" \
    "github.com/prometheus/prometheus/cmd/promtool@v$PROMETHEUS_MODULE_VERSION" promtool=github.com/prometheus/prometheus/cmd/promtool
}

# The time-skipping test server @temporalio/testing would download is a native build of the Java SDK's
# io.temporal.testserver.TestServer; the same server runs from its jars. The wrapper takes the arguments
# the SDK passes (`<port> [--enable-time-skipping]`) and execs the JVM, so stopping it stops the server.
# C1 only and the serial GC: it starts in ~0.8 s instead of ~1.1 s, well inside the SDK's 5 s probe.
needed_temporal_test_server() { ! have FSO_TEMPORAL_TEST_SERVER_BIN temporal-test-server && [ ! -f "$CACHE/temporal-test-server-$TEMPORAL_TEST_SERVER_VERSION/.complete" ]; }
provision_temporal_test_server() {
  local dir="$CACHE/temporal-test-server-$TEMPORAL_TEST_SERVER_VERSION"
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
  quietly temporal-test-server mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dir.tmp/lib" -DincludeScope=runtime
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

needed_zookeeper() { [ ! -f "${FSO_ZOOKEEPER_JAR:-/usr/share/java/zookeeper.jar}" ]; }
provision_zookeeper() {
  [ "$(id -u)" = 0 ] || fail "ZooKeeper comes from Debian's zookeeper package: run \`sudo apt-get install zookeeper\` (or set FSO_ZOOKEEPER_JAR), then run this again"
  quietly zookeeper apt-get update -qq
  DEBIAN_FRONTEND=noninteractive quietly zookeeper apt-get install -y -qq --no-install-recommends zookeeper
}

# Headless Chromium for the Temporal UI test (test/ui/) and `npm run generate:screenshots`, driven
# by puppeteer-core (npm): Debian's package, like ZooKeeper.
needed_chromium() { ! have FSO_CHROMIUM_BIN chromium; }
provision_chromium() {
  [ "$(id -u)" = 0 ] || fail "Chromium comes from Debian's chromium package: run \`sudo apt-get install chromium\` (or set FSO_CHROMIUM_BIN), then run this again"
  quietly chromium apt-get update -qq
  DEBIAN_FRONTEND=noninteractive quietly chromium apt-get install -y -qq --no-install-recommends chromium
}

# The test stack's sample job (stack/sample-job), compiled against each client, keyed by its source's hash.
SAMPLE_JOB_SRC="$ROOT/stack/sample-job/src/io/sessionoperator/sample/KeyedCounter.java"
CLASS_DATA_SCRIPT="$ROOT/scripts/flink-class-data.sh"
sample_job_jar() { echo "$CACHE/flink-client-$1/sample-job/keyed-counter-$(sha256sum "$SAMPLE_JOB_SRC" | cut -c1-12).jar"; }
# Flink's S3 file system as a plugin folder of each client (flink-s3-fs-hadoop, from Maven Central).
s3_plugin_jar() { echo "$CACHE/flink-client-$1/plugins/s3-fs-hadoop/flink-s3-fs-hadoop-$1.jar"; }
# Flink's dashboard (web UI, and the REST jar handlers /jars/upload and /jars/:id/run that
# FlinkSessionJobs use; flink-dist carries it in a real image) for the versions it is served for, in a folder of its own
# by version: the stack adds it to the classpath of the JobManagers it runs (stack/flink-kubelet.ts).
runtime_web_jar() { echo "$CACHE/flink-runtime-web-$1/flink-runtime-web-$1.jar"; }
has_runtime_web() { [[ " $FLINK_RUNTIME_WEB_VERSIONS " == *" $1 "* ]]; }
# A class data sharing archive of the client's classes, for the JVMs the stack starts (keyed by the script that trains it).
class_data_archive() { echo "$CACHE/flink-client-$1/class-data/flink-$(sha256sum "$CLASS_DATA_SCRIPT" | cut -c1-12).jsa"; }
needed_flink() {
  local v
  for v in $FLINK_VERSIONS; do
    [ -f "$CACHE/flink-client-$v/.complete" ] && [ -f "$(sample_job_jar "$v")" ] && [ -f "$(s3_plugin_jar "$v")" ] || return 0
    [ -f "$(class_data_archive "$v")" ] || return 0
    if has_runtime_web "$v"; then [ -f "$(runtime_web_jar "$v")" ] || return 0; fi
  done
  return 1
}
provision_flink_extras() {
  local v=$1 dir="$CACHE/flink-client-$1"
  local jar; jar=$(sample_job_jar "$v")
  if [ ! -f "$jar" ]; then
    local classes; classes=$(mktemp -d)
    quietly "flink-sample-job-$v" javac -nowarn -d "$classes" -cp "$dir/lib/*" "$SAMPLE_JOB_SRC"
    rm -rf "$dir/sample-job"; mkdir -p "$dir/sample-job"
    quietly "flink-sample-job-$v" jar --create --file "$jar" --main-class io.sessionoperator.sample.KeyedCounter -C "$classes" .
    rm -rf "$classes"
  fi
  local plugin; plugin=$(s3_plugin_jar "$v")
  if [ ! -f "$plugin" ]; then
    mkdir -p "$(dirname "$plugin")"
    quietly "flink-s3-fs-hadoop-$v" mvn -q -B dependency:copy -Dartifact="org.apache.flink:flink-s3-fs-hadoop:$v" -DoutputDirectory="$(dirname "$plugin")"
  fi
  if has_runtime_web "$v" && [ ! -f "$(runtime_web_jar "$v")" ]; then
    quietly "flink-runtime-web-$v" mvn -q -B dependency:copy -Dartifact="org.apache.flink:flink-runtime-web:$v" -DoutputDirectory="$(dirname "$(runtime_web_jar "$v")")"
  fi
  local archive; archive=$(class_data_archive "$v")
  if [ ! -f "$archive" ]; then
    rm -rf "$(dirname "$archive")"
    local web=""; has_runtime_web "$v" && web=$(runtime_web_jar "$v")
    JAVA="${FSO_JAVA_BIN:-java}" quietly "flink-class-data-$v" bash "$CLASS_DATA_SCRIPT" "$dir" "$jar" "$archive" $web
  fi
}
provision_flink() {
  local v
  for v in $FLINK_VERSIONS; do
    local dir="$CACHE/flink-client-$v"
    [ -f "$dir/.complete" ] && { provision_flink_extras "$v"; continue; }
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
    quietly flink mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dir/lib" -DincludeScope=runtime
    rm -rf "$work"
    touch "$dir/.complete"
    provision_flink_extras "$v"
  done
}

# What each tool's build needs on this machine, checked before anything starts.
requirement_of() {
  case $1 in
    zookeeper|chromium) echo apt-get ;;
    flink) echo "mvn java javac jar" ;;
    temporal-test-server) echo "mvn java" ;;
    kube) echo "go python3" ;;
    *) echo go ;;
  esac
}

# A line every $TICK seconds while a build runs, so a person sees it is alive.
start_ticker() {
  [ "$TICK" -gt 0 ] 2>/dev/null || return 0
  local what=$1 started=$2
  ( while sleep "$TICK"; do log "  … still on $what ($((SECONDS - started)) s)"; done ) &
  TICKER=$!
}
stop_ticker() {
  [ -n "${TICKER:-}" ] || return 0
  kill "$TICKER" 2>/dev/null || true
  wait "$TICKER" 2>/dev/null || true
  TICKER=
}
trap stop_ticker EXIT

ALL=(zookeeper chromium flink temporal temporal-test-server etcd kwok versitygw kube helm promtool)
targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(all)
[ "${targets[0]}" = all ] && targets=("${ALL[@]}")
for t in "${targets[@]}"; do
  declare -F "provision_${t//-/_}" >/dev/null || fail "unknown tool '$t'; the tools are: ${ALL[*]}"
done

todo=()
for t in "${targets[@]}"; do "needed_${t//-/_}" && todo+=("$t"); done
if [ ${#todo[@]} -eq 0 ]; then
  log "ready: ${#targets[@]} of ${#targets[@]} tools (cache $CACHE)"
  exit 0
fi

declare -A needed_by=()
for t in "${todo[@]}"; do
  for program in $(requirement_of "$t"); do
    command -v "$program" >/dev/null 2>&1 || needed_by[$program]+="${needed_by[$program]:+, }$t"
  done
done
if [ ${#needed_by[@]} -gt 0 ]; then
  problems=()
  for program in "${!needed_by[@]}"; do problems+=("$program (to build ${needed_by[$program]})"); done
  fail "not on PATH: ${problems[*]}; install them (see the README's requirements) and run this again"
fi

log "${#todo[@]} of ${#targets[@]} tools to build or fetch into $CACHE: ${todo[*]} (a cold build of all of them takes ~16 min on 2 cores)"
start=$SECONDS
i=0
for t in "${todo[@]}"; do
  i=$((i + 1))
  what="$t ($i/${#todo[@]})"
  log "$what: building"
  tool_start=$SECONDS
  start_ticker "$what" "$tool_start"
  "provision_${t//-/_}"
  stop_ticker
  log "$what: done in $((SECONDS - tool_start)) s; $((${#todo[@]} - i)) left, $((SECONDS - start)) s so far"
done
log "cache ready at $CACHE in $((SECONDS - start)) s"
