// Plays the kubelet for the pods of Flink clusters on the local stack (tests, dev mode): a JobManager
// pod of the Deployment Flink's client created, or a TaskManager pod the JobManager created, runs as a
// local `java` process of its own entrypoint class, with the pod's environment and the configuration
// Flink wrote (flink-config-<name>), changed only where a laptop needs it (flink-pod-config.ts). The
// pod is Running when the process starts, Ready when its REST (JobManager) or RPC port (TaskManager)
// answers. When the process dies, a pod of restartPolicy Never (Flink's TaskManagers) is Failed; any
// other (the JobManager Deployment's) is started again after a back-off, in CrashLoopBackOff meanwhile
// with its restart count and last exit, as a kubelet does (the back-off is 1 s doubling to 8 s here,
// 10 s to 5 min on a node). Deleting the pod stops the process. Only pods that carry
// FLINK_KUBELET_LABEL (put there by the launch kubelet, see launch-kubelet.ts) are run here; kwok
// leaves them alone (kwok-stages.ts).
import * as k8s from '@kubernetes/client-node';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { FLINK_CONF_DIR } from '../model/launch-layout.ts';
import { DEFAULT_FLINK_VERSION, parseFlinkVersion } from '../model/flink-version.ts';
import { API_GROUP, API_VERSION, FLINK_LABEL_APP, FLINK_LABEL_COMPONENT, FLINKSESSION_PLURAL } from '../model/names.ts';
import { isNotFound } from '../kube/errors.ts';
import { freePorts } from '../net/ports.ts';
import {
  flattenFlinkConfig,
  flinkJavaOptions,
  imageJarOverrides,
  jobManagerOverrides,
  taskManagerOverrides,
  withOverrides,
  type JobManagerPorts,
} from './flink-pod-config.ts';
import { FLINK_KUBELET_LABEL, FLINK_KUBELET_VALUE } from './kwok-stages.ts';
import { watchPods } from './pod-informer.ts';
import { containerEnv, volumeFiles } from './pod-volumes.ts';
import { stackJvm } from './jvm-options.ts';
import { backOffPod, failPod, removePod, runPod, terminated, type Restarts } from './pod-status.ts';
import { pollUntil } from './poll.ts';
import { logTail, startProcess, type ManagedProcess } from './processes.ts';
import type { StackEndpoints } from './stack.ts';

const SESSION_ENTRYPOINT = 'org.apache.flink.kubernetes.entrypoint.KubernetesSessionClusterEntrypoint';
const APPLICATION_ENTRYPOINT = 'org.apache.flink.kubernetes.entrypoint.KubernetesApplicationClusterEntrypoint';
const TASK_EXECUTOR_RUNNER = 'org.apache.flink.kubernetes.taskmanager.KubernetesTaskExecutorRunner';
/** The longest back-off before a container that exited is started again (a node's kubelet: 5 min). */
const MAX_BACK_OFF_SECONDS = 8;

export interface FlinkProcess {
  namespace: string;
  pod: string;
  session: string;
  component: 'jobmanager' | 'taskmanager';
  process: ManagedProcess;
  /** JobManagers: their ports on 127.0.0.1. */
  ports?: JobManagerPorts;
  /** How the process ended, once it has (a pod that failed stays, as on a node, until deleted). */
  exited?: string;
}

export interface FlinkKubelet {
  /** Every process started, running or not, in start order. */
  started: FlinkProcess[];
  /** The REST URL of a session's running JobManager, if it has one. */
  restUrl(namespace: string, session: string): string | undefined;
  /** The processes that run and whose pods are not being deleted. */
  running(): FlinkProcess[];
  stop(): Promise<void>;
}

/** What a Flink pod's main container asks for: the entrypoint class and its arguments (after `bash -c`). */
export function flinkCommand(
  container: k8s.V1Container,
  config: Record<string, unknown>,
): { component: 'jobmanager' | 'taskmanager'; mainClass: string; args: string[] } {
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  const script = argv.at(-1) ?? '';
  const words = shellWords(script);
  if (words[0] === 'kubernetes-taskmanager.sh') return { component: 'taskmanager', mainClass: TASK_EXECUTOR_RUNNER, args: words.slice(1) };
  if (words[0] === 'kubernetes-jobmanager.sh') {
    const configured = config['kubernetes.internal.jobmanager.entrypoint.class'];
    const mainClass = typeof configured === 'string' ? configured : words[1] === 'kubernetes-application' ? APPLICATION_ENTRYPOINT : SESSION_ENTRYPOINT;
    return { component: 'jobmanager', mainClass, args: words.slice(2) };
  }
  throw new Error(`not a Flink pod the stack can run: ${argv.join(' ')}`);
}

/** The words `bash -c` makes of a script of plain words with '…' and "…" quoting (what Flink writes). */
export function shellWords(script: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const char of script) {
    if (quote) {
      if (char === quote) quote = undefined;
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= '';
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

export function startFlinkKubelet(kc: k8s.KubeConfig, stack: StackEndpoints, namespace?: string): FlinkKubelet {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const objects = kc.makeApiClient(k8s.CustomObjectsApi);
  /** Each pod's process, by pod uid: the latest start's (a restarted container replaces it). */
  const byUid = new Map<string, Promise<FlinkProcess | undefined>>();
  const stopping = new Set<string>();
  let stopped = false;
  const kubelet: FlinkKubelet = {
    started: [],
    running: () => kubelet.started.filter((p) => p.exited === undefined && !stopping.has(p.namespace + '/' + p.pod)),
    restUrl: (ns, session) => {
      const jm = kubelet.running().findLast((p) => p.namespace === ns && p.session === session && p.component === 'jobmanager' && p.ports);
      return jm ? `http://127.0.0.1:${jm.ports!.rest}` : undefined;
    },
    async stop() {
      stopped = true;
      void pods.stop();
      await Promise.all([...byUid.values()].map(async (started) => (await started)?.process.stop()));
    },
  };

  /**
   * The session's flinkVersion; a cluster launched by hand with Flink's client (no FlinkSession of
   * that name) runs the version its image's tag names (example.invalid/flink:2.1), else the default.
   */
  async function flinkVersion(ns: string, session: string, image: string | undefined): Promise<string> {
    const tag = /:([^:/]+)$/.exec(image ?? '')?.[1];
    const byImage = tag && parseFlinkVersion(tag) ? tag : DEFAULT_FLINK_VERSION;
    try {
      const fls = (await objects.getNamespacedCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        namespace: ns,
        plural: FLINKSESSION_PLURAL,
        name: session,
      })) as { spec?: { flinkVersion?: string } };
      return fls.spec?.flinkVersion ?? DEFAULT_FLINK_VERSION;
    } catch {
      return byImage;
    }
  }

  async function start(pod: k8s.V1Pod, restarts: Restarts = { count: 0 }): Promise<FlinkProcess | undefined> {
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    const session = pod.metadata?.labels?.[FLINK_LABEL_APP] ?? '';
    const container = pod.spec!.containers[0]!;
    const startedAt = new Date().toISOString();
    const dir = join(stack.stateDir, 'flink-pods', `${ns}-${name}`);
    rmSync(dir, { recursive: true, force: true });
    const confDir = join(dir, 'conf');
    mkdirSync(confDir, { recursive: true });
    for (const mount of container.volumeMounts ?? []) {
      if (mount.mountPath !== FLINK_CONF_DIR) continue;
      const volume = pod.spec!.volumes?.find((v) => v.name === mount.name);
      // Flink writes flink-config-<name> right after the Deployment: like a kubelet, wait for it.
      if (!volume) continue;
      const files = await pollUntil(`the volume ${volume.name} of ${ns}/${name}`, () => volumeFiles(core, ns, volume), {
        timeoutMs: 120_000,
        intervalMs: 500,
        giveUpIf: () => (stopped || stopping.has(`${ns}/${name}`) ? 'the pod is being deleted' : undefined),
      });
      for (const [file, content] of files) writeFileSync(join(confDir, file), content);
    }
    const configFile = join(confDir, 'config.yaml');
    const config = readFileSync(configFile, 'utf8');
    const flatConfig = flattenFlinkConfig(config);
    const command = flinkCommand(container, flatConfig);
    const version = await flinkVersion(ns, session, container.image);
    const clientVersion = Object.keys(stack.flink.classpaths).find((v) => v === version || v.startsWith(`${version}.`));
    if (!clientVersion) throw new Error(`no Flink in the stack for ${ns}/${session} (flinkVersion ${version})`);

    const env = {
      ...(await containerEnv(core, pod, container)),
      FLINK_CONF_DIR: confDir,
      FLINK_PLUGINS_DIR: stack.flink.plugins[clientVersion]!,
      _POD_IP_ADDRESS: '127.0.0.1',
    };
    let ports: JobManagerPorts | undefined;
    let probe: () => Promise<boolean>;
    /** The JVM's sizes (small: a laptop runs many), then its main class and arguments. */
    let memory: string[];
    let main: string[];
    // The dashboard where it is provisioned, as an image's lib/ has it (the JobManager serves it).
    const classpath = [
      stack.flink.classpaths[clientVersion]!,
      ...(command.component === 'jobmanager' && stack.flink.runtimeWeb[clientVersion] ? [stack.flink.runtimeWeb[clientVersion]] : []),
    ].join(delimiter);
    if (command.component === 'jobmanager') {
      const [rpc, blob, rest] = (await freePorts(3)) as [number, number, number];
      ports = { rpc, blob, rest };
      writeFileSync(
        configFile,
        withOverrides(config, {
          ...jobManagerOverrides(ports, stack.kubernetes.kubeconfig),
          ...imageJarOverrides(flatConfig, stack.flink.sampleJobs[clientVersion]!),
        }),
      );
      memory = ['-Xmx384m'];
      main = [command.mainClass, ...command.args];
      probe = async () => (await fetch(`http://127.0.0.1:${rest}/v1/overview`, { signal: AbortSignal.timeout(2_000) })).ok;
    } else {
      const [rpc] = (await freePorts(1)) as [number];
      const jobManager = kubelet.running().findLast((p) => p.namespace === ns && p.session === session && p.component === 'jobmanager')?.ports;
      writeFileSync(configFile, withOverrides(config, taskManagerOverrides(rpc, jobManager, stack.kubernetes.kubeconfig)));
      memory = ['-Xmx512m', '-XX:MaxDirectMemorySize=256m'];
      main = [command.mainClass, '--configDir', confDir, ...command.args];
      probe = () =>
        new Promise((resolve) => {
          const socket = connect(rpc, '127.0.0.1', () => {
            socket.destroy();
            resolve(true);
          });
          socket.on('error', () => resolve(false));
        });
    }
    const stackOptions = await stackJvm(stack.flink, clientVersion, command.component, classpath);
    // The stack's options first, then the ones the image's scripts would give this JVM (read from the
    // configuration Flink wrote), which win where they say otherwise.
    const args = [
      ...memory,
      '-XX:MaxMetaspaceSize=256m',
      ...stackOptions.options,
      ...flinkJavaOptions(flatConfig, command.component),
      '-cp',
      classpath,
      ...main,
    ];
    let process_: ManagedProcess;
    try {
      process_ = startProcess({ name: `flink-${ns}-${name}`, command: stack.flink.java, args, env, logDir: stack.logDir, cwd: dir });
    } catch (error: unknown) {
      stackOptions.exited('not started');
      throw error;
    }
    const started: FlinkProcess = { namespace: ns, pod: name, session, component: command.component, process: process_, ...(ports ? { ports } : {}) };
    kubelet.started.push(started);
    await runPod(core, pod, false, startedAt, restarts).catch(() => undefined);
    let exited: string | undefined;
    void process_.exited.then(async (reason) => {
      stackOptions.exited(reason);
      exited = reason;
      started.exited = reason;
      if (stopping.has(`${ns}/${name}`) || stopped) return;
      const code = /exit code (\d+)/.exec(reason)?.[1];
      const exitCode = code ? Number(code) : 137;
      if (pod.spec?.restartPolicy === 'Never') {
        await failPod(core, pod, exitCode, logTail(process_.logFile, 80), startedAt).catch(() => undefined);
        return;
      }
      const next: Restarts = { count: restarts.count + 1, lastTerminated: terminated(exitCode, logTail(process_.logFile, 80), startedAt) };
      const backOffSeconds = Math.min(2 ** restarts.count, MAX_BACK_OFF_SECONDS);
      await backOffPod(core, pod, next, backOffSeconds).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, backOffSeconds * 1000));
      if (stopping.has(`${ns}/${name}`) || stopped || (await goingAway(pod).catch(() => false))) return;
      runProcess(pod, next);
    });
    // Ready once it answers; JVM start-ups on two busy cores take seconds, so no deadline but its life.
    void (async () => {
      while (exited === undefined && !stopping.has(`${ns}/${name}`)) {
        if (await probe().catch(() => false)) {
          await runPod(core, pod, true, startedAt).catch(() => undefined);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    return started;
  }

  /**
   * Whether the pod is deleted or about to be: it, its ReplicaSet or that one's Deployment is gone or
   * terminating (an application's JobManager deletes its own Deployment, then exits; the pods go a
   * moment later, by the garbage collector). A node's kubelet would restart the container meanwhile;
   * here that would start the ended application again, so it is not.
   */
  async function goingAway(pod: k8s.V1Pod): Promise<boolean> {
    const namespace = pod.metadata!.namespace!;
    const gone = async (read: () => Promise<k8s.V1ObjectMeta | undefined>): Promise<boolean> => {
      try {
        return (await read())?.deletionTimestamp !== undefined;
      } catch (error: unknown) {
        if (isNotFound(error)) return true;
        throw error;
      }
    };
    if (await gone(async () => (await core.readNamespacedPod({ namespace, name: pod.metadata!.name! })).metadata)) return true;
    const replicaSet = pod.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
    if (!replicaSet) return false;
    let deployment: string | undefined;
    if (
      await gone(async () => {
        const read = await apps.readNamespacedReplicaSet({ namespace, name: replicaSet });
        deployment = read.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment')?.name;
        return read.metadata;
      })
    )
      return true;
    return deployment !== undefined && (await gone(async () => (await apps.readNamespacedDeployment({ namespace, name: deployment! })).metadata));
  }

  /** Runs the pod's process (again, when `restarts` says so); a pod the kubelet cannot start fails with why. */
  function runProcess(pod: k8s.V1Pod, restarts?: Restarts): void {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    byUid.set(
      pod.metadata!.uid!,
      start(pod, restarts).catch(async (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        writeFileSync(join(stack.logDir, `flink-${key.replace('/', '-')}.log`), `the Flink kubelet could not start this pod: ${message}\n`, { flag: 'a' });
        await failPod(core, pod, 1, message, new Date().toISOString()).catch(() => undefined);
        return undefined;
      }),
    );
  }

  /** Pods being deleted whose process the kubelet is stopping, by uid (each is removed once, after its process ended). */
  const removing = new Set<string>();
  const onPod = (pod: k8s.V1Pod): void => {
    const uid = pod.metadata?.uid;
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    if (!uid || stopped) return;
    if (pod.metadata?.deletionTimestamp) {
      onDeleting(pod, uid);
      return;
    }
    const component = pod.metadata?.labels?.[FLINK_LABEL_COMPONENT];
    if (byUid.has(uid) || !pod.spec?.nodeName || (component !== 'jobmanager' && component !== 'taskmanager')) return;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    stopping.delete(key);
    runProcess(pod);
  };
  /**
   * A pod being deleted (kwok leaves these pods' deletes to this kubelet): its process is stopped, and
   * only then is the pod removed, so that a pod gone means its JobManager or TaskManager is gone too.
   */
  const onDeleting = (pod: k8s.V1Pod, uid: string): void => {
    if (removing.has(uid)) return;
    removing.add(uid);
    void (async () => {
      await onDelete(pod);
      await removePod(core, pod).catch(() => undefined);
      removing.delete(uid);
    })();
  };
  const onDelete = async (pod: k8s.V1Pod): Promise<void> => {
    const uid = pod.metadata?.uid;
    const started = uid ? byUid.get(uid) : undefined;
    if (!started) return;
    stopping.add(`${pod.metadata?.namespace}/${pod.metadata?.name}`);
    await (await started)?.process.stop();
  };
  const pods = watchPods(kc, namespace, `${FLINK_KUBELET_LABEL}=${FLINK_KUBELET_VALUE}`, { changed: onPod, deleted: (pod) => void onDelete(pod) });
  return kubelet;
}
