// Plays the kubelet for the operator's launch Jobs: reads a Job from the API server, lays out its
// ConfigMap and Secret volumes in a temporary root, and runs the Job's exact argv with Flink's own
// client (the stack's Maven classpath) against the test API server. Paths under the Job's mounts are
// moved under the temporary root; nothing else in the argv changes.
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { LABEL_FLINK_VERSION } from '../model/names.ts';
import { FLINK_CLI_FRONTEND, KUBERNETES_SESSION_CLI } from './flink.ts';
import { imageConfigYaml } from './flink-image-config.ts';
import { exitReason, stackJvm } from './jvm-options.ts';
import { volumeFiles } from './pod-volumes.ts';
import type { StackEndpoints } from './stack.ts';

const run = promisify(execFile);

export interface LaunchRun {
  exitCode: number;
  output: string;
  /** The argv the Job asked for, as the container would have run it. */
  jobArgv: string[];
}

/** Runs a launch Job's pod template once, as a pod of the Job would. */
export async function runLaunchJob(kc: k8s.KubeConfig, stack: StackEndpoints, namespace: string, jobName: string): Promise<LaunchRun> {
  const job = await kc.makeApiClient(k8s.BatchV1Api).readNamespacedJob({ name: jobName, namespace });
  return runLaunchPod(kc, stack, namespace, `launch Job ${namespace}/${jobName}`, job.spec?.template.spec, job.metadata?.labels ?? {});
}

/** Runs the container of a launch Job's pod (its spec and labels) with Flink's client. */
/** Labels Flink's client is to put on the cluster's pods besides the ones the Job asks for. */
export interface LaunchOptions {
  podLabels?: Record<string, string>;
  /** Aborted when the pod is deleted: the client is stopped with SIGTERM, as a kubelet stops a container. */
  signal?: AbortSignal;
}

/** The exit code a container stopped by SIGTERM reports (128 + 15). */
export const EXIT_TERMINATED = 143;

export async function runLaunchPod(
  kc: k8s.KubeConfig,
  stack: StackEndpoints,
  namespace: string,
  what: string,
  pod: k8s.V1PodSpec | undefined,
  labels: Record<string, string>,
  options: LaunchOptions = {},
): Promise<LaunchRun> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const container = pod?.containers[0];
  if (!pod || !container?.command) throw new Error(`${what} has no container command`);
  const jobArgv = [...container.command, ...(container.args ?? [])];
  // The class behind each script of the image: kubernetes-session.sh, or bin/flink (run-application).
  const mainClass = { 'kubernetes-session.sh': KUBERNETES_SESSION_CLI, flink: FLINK_CLI_FRONTEND }[basename(container.command[0]!)];
  if (!mainClass) {
    throw new Error(`the launch runner runs kubernetes-session.sh and bin/flink only, not ${container.command[0]}`);
  }
  const flinkVersion = labels[LABEL_FLINK_VERSION] ?? '';
  const clientVersion = Object.keys(stack.flink.classpaths).find((v) => v === flinkVersion || v.startsWith(`${flinkVersion}.`));
  if (!clientVersion) throw new Error(`no Flink client in the stack for ${LABEL_FLINK_VERSION}=${flinkVersion}`);

  const root = mkdtempSync(join(tmpdir(), 'fso-launch-'));
  const mountPaths: string[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === mount.name);
    if (!volume) throw new Error(`volumeMount ${mount.name} names no volume`);
    // The service account token the API server adds to a pod: Flink's client uses the test kubeconfig.
    if (volume.projected) continue;
    const files = await volumeFiles(core, namespace, volume);
    const target = join(root, mount.mountPath);
    if (mount.subPath) {
      const content = files.get(mount.subPath);
      if (content === undefined) throw new Error(`volume ${mount.name} has no ${mount.subPath} for ${mount.mountPath}`);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    } else {
      mkdirSync(target, { recursive: true });
      for (const [file, content] of files) writeFileSync(join(target, file), content);
    }
    mountPaths.push(mount.mountPath);
  }
  const confDir = join(root, container.env?.find((e) => e.name === 'FLINK_CONF_DIR')?.value ?? '/opt/flink/conf');
  mkdirSync(confDir, { recursive: true });
  // The image's own config file, unless the user's is mounted over it.
  if (!existsSync(join(confDir, 'config.yaml')) && !existsSync(join(confDir, 'flink-conf.yaml')))
    writeFileSync(join(confDir, 'config.yaml'), imageConfigYaml());

  const relocate = (arg: string): string => {
    const match = /^-D([^=]+)=(.*)$/s.exec(arg);
    if (!match) return arg;
    const value = match[2]!;
    return mountPaths.some((p) => value.startsWith(p)) ? `-D${match[1]}=${join(root, value)}` : arg;
  };
  // The test kubeconfig goes in front: bin/flink reads options only before the jar (after its action).
  const jobArgs = withPodLabels((container.args ?? []).map(relocate), options.podLabels ?? {});
  const kubeconfig = `-Dkubernetes.config.file=${stack.kubernetes.kubeconfig}`;
  const clientArgs = mainClass === FLINK_CLI_FRONTEND ? [jobArgs[0]!, kubeconfig, ...jobArgs.slice(1)] : [kubeconfig, ...jobArgs];
  const classpath = stack.flink.classpaths[clientVersion]!;
  const jvm = await stackJvm(stack.flink, clientVersion, 'launch-client', classpath);
  const args = [...jvm.options, '-cp', classpath, mainClass, ...clientArgs];
  try {
    const { stdout, stderr } = await run(stack.flink.java, args, {
      env: { ...process.env, FLINK_CONF_DIR: confDir },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
      killSignal: 'SIGTERM',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    jvm.exited('exit code 0');
    return { exitCode: 0, output: stdout + stderr, jobArgv };
  } catch (error: unknown) {
    jvm.exited(exitReason(error));
    if (options.signal?.aborted) {
      const stopped = error as Error & { stdout?: string; stderr?: string };
      return { exitCode: EXIT_TERMINATED, output: `${stopped.stdout ?? ''}${stopped.stderr ?? ''}\n(stopped: its pod was deleted)`, jobArgv };
    }
    if (error instanceof Error && 'code' in error && typeof error.code === 'number') {
      const failed = error as Error & { code: number; stdout?: string; stderr?: string };
      return { exitCode: failed.code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`, jobArgv };
    }
    throw error;
  }
}

/** The args with `labels` added to kubernetes.{jobmanager,taskmanager}.labels (`k1:v1,k2:v2`), merged into the Job's own. */
function withPodLabels(args: string[], labels: Record<string, string>): string[] {
  const extra = Object.entries(labels)
    .map(([k, v]) => `${k}:${v}`)
    .join(',');
  if (!extra) return args;
  const result = [...args];
  for (const key of ['kubernetes.jobmanager.labels', 'kubernetes.taskmanager.labels']) {
    const index = result.findIndex((arg) => arg.startsWith(`-D${key}=`));
    if (index >= 0) result[index] = `${result[index]},${extra}`;
    else result.splice(result[0] === 'run-application' ? 1 : 0, 0, `-D${key}=${extra}`);
  }
  return result;
}
