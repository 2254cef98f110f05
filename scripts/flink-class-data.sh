#!/usr/bin/env bash
# Writes a class data sharing archive (JDK CDS) of Flink's classes, for the JVMs the local stack
# starts with that client's classpath: Flink's client in launch Jobs, its CLI in tests, and the
# JobManagers and TaskManagers of the Flink kubelet. On two cores most of a JVM's start is loading
# and verifying classes; from the archive they are mapped instead (a JobManager serves its REST on
# ~0.7 s less CPU). The classes are those a short training run loads: a JobManager and a TaskManager
# on 127.0.0.1, the sample job submitted by Flink's CLI and run to a checkpoint, and Flink's
# Kubernetes session client against a closed port. An archive the JVM cannot use (another Java, a
# changed classpath) is ignored by it, silently (-Xshare:auto), so nothing depends on it.
#
#   scripts/flink-class-data.sh <flink-client-dir> <sample-job-jar> <archive> [<flink-runtime-web-jar>]
set -euo pipefail
client_dir=$1 sample_job=$2 archive=$3 runtime_web=${4:-}
java=${JAVA:-java}
classpath="$client_dir/lib/*"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

opens=(--add-exports=java.base/sun.net.util=ALL-UNNAMED)
for p in java.lang java.net java.io java.nio sun.nio.ch java.lang.reflect java.text java.time java.util \
  java.util.concurrent java.util.concurrent.atomic java.util.concurrent.locks; do
  opens+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
train() { # <name> <main class> <args>...: a JVM in the background, its loaded classes listed
  local name=$1; shift
  "$java" -Xmx384m -XX:TieredStopAtLevel=1 "${opens[@]}" -XX:DumpLoadedClassList="$work/$name.classes" \
    -cp "$classpath${runtime_web:+:$runtime_web}" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
}
servers=()
wait_for() { # <log> <extended regex>: the first match, within 90 s, while the JobManager and TaskManager run
  local i pid
  for ((i = 0; i < 900; i++)); do
    grep -oEm1 "$2" "$1" 2>/dev/null && return 0
    for pid in "${servers[@]}"; do kill -0 "$pid" 2>/dev/null || break 2; done
    sleep 0.1
  done
  echo "flink-class-data: no /$2/ in $1:" >&2
  tail -20 "$1" >&2
  return 1
}

mkdir -p "$work/jobmanager" "$work/taskmanager" "$work/client" "$work/checkpoints"
echo "# every option comes as -D" >"$work/client/config.yaml"
# Flink's Kubernetes session client, trying a port nothing listens on (until it gives up, ~20 s).
cat >"$work/kubeconfig" <<'YAML'
apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: none, user: {token: none}}]
contexts: [{name: none, context: {cluster: none, user: none}}]
current-context: none
YAML
FLINK_CONF_DIR="$work/client" train session-client org.apache.flink.kubernetes.cli.KubernetesSessionCli \
  "-Dkubernetes.config.file=$work/kubeconfig" -Dkubernetes.cluster-id=class-data \
  -Djobmanager.memory.process.size=1g -Dtaskmanager.memory.process.size=1g

cat >"$work/jobmanager/config.yaml" <<YAML
jobmanager: {bind-host: 127.0.0.1, rpc: {address: 127.0.0.1, port: 0}, memory: {process: {size: 1600m}}}
rest: {address: 127.0.0.1, bind-address: 127.0.0.1, port: 0}
blob: {server: {port: '0'}}
state: {checkpoints: {dir: 'file://$work/checkpoints'}}
YAML
train jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$work/jobmanager"
servers+=("${pids[-1]}")
rpc_port=$(wait_for "$work/jobmanager.log" 'flink@127\.0\.0\.1:[0-9]+' | sed 's/.*://')
rest_port=$(wait_for "$work/jobmanager.log" 'Rest endpoint listening at 127\.0\.0\.1:[0-9]+' | sed 's/.*://')

cat >"$work/taskmanager/config.yaml" <<YAML
jobmanager: {rpc: {address: 127.0.0.1, port: $rpc_port}}
taskmanager:
  bind-host: 127.0.0.1
  host: 127.0.0.1
  numberOfTaskSlots: 1
  cpu: {cores: 1}
  # what Flink's start scripts would hand a TaskManager as dynamic properties
  memory:
    framework: {heap: {size: 64m}, off-heap: {size: 64m}}
    task: {heap: {size: 128m}, off-heap: {size: 0m}}
    network: {min: 32m, max: 32m}
    managed: {size: 64m}
    jvm-metaspace: {size: 256m}
    jvm-overhead: {min: 192m, max: 192m}
YAML
train taskmanager org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$work/taskmanager"
servers+=("${pids[-1]}")
wait_for "$work/taskmanager.log" 'Successful registration at resource manager' >/dev/null

mkdir -p "$work/cli"
echo "rest: {address: 127.0.0.1, port: $rest_port}" >"$work/cli/config.yaml"
FLINK_CONF_DIR="$work/cli" train cli org.apache.flink.client.cli.CliFrontend run -d "$sample_job"
wait_for "$work/cli.log" 'Job has been submitted with JobID [0-9a-f]+' >/dev/null
wait_for "$work/jobmanager.log" 'Completed checkpoint [0-9]+' >/dev/null
wait_for "$work/session-client.log" 'Error while running the Flink session' >/dev/null || true

for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()
# One list of every class any of them loaded, in the order first seen.
awk '/^#/ { next } !seen[$0]++' "$work"/*.classes >"$work/all.classes"
"$java" -Xshare:dump -XX:SharedClassListFile="$work/all.classes" -XX:SharedArchiveFile="$work/archive.jsa" \
  -cp "$classpath" >"$work/dump.log" 2>&1 || { tail -20 "$work/dump.log" >&2; exit 1; }
mkdir -p "$(dirname "$archive")"
mv "$work/archive.jsa" "$archive"
echo "flink-class-data: $(wc -l <"$work/all.classes") classes in $archive"
