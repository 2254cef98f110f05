// What the FlinkSessionJob tests on real Flink share: a namespace with the S3 credentials Secret, a
// bucket holding the sample job's jar (stack/sample-job) for one Flink version, the launch kubelet that
// runs Flink's pods as Flink's own processes, the REST proxy in front of them, and the operator's two
// processes watching the namespace. Plus what those tests read of Flink: where a job was restored from.
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { clientVersion, highestCount } from '../../stack/flink-jobs.ts';
import { startFlinkRestProxy, type FlinkRestProxy } from '../../stack/flink-rest-proxy.ts';
import { startLaunchKubelet, type LaunchKubelet } from '../../stack/launch-kubelet.ts';
import { stackS3Client } from '../../stack/s3.ts';
import type { StackEndpoints } from '../../stack/stack.ts';
import { startOperator, type OperatorProcesses } from './operator.ts';
import { sessionJobApi } from './session-jobs.ts';
import { sessionApi } from './sessions.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from './stack.ts';

const execFileAsync = promisify(execFile);
const S3_SECRET = 's3';
const JAR_KEY = 'jars/keyed-counter.jar';

export interface FlinkJobsStack {
  namespace: string;
  bucket: string;
  /** The sample job's jar, s3://<bucket>/jars/keyed-counter.jar. */
  jar: string;
  kc: k8s.KubeConfig;
  kubelet: LaunchKubelet;
  operator: OperatorProcesses;
  sessions: ReturnType<typeof sessionApi>;
  jobs: ReturnType<typeof sessionJobApi>;
  s3: S3Client;
  /** Flink's REST of a session's JobManager (through the proxy). */
  rest(session: string): string;
  /** A session spec of this Flink version with the stack's S3 (its checkpoints and savepoints go to the bucket). */
  sessionSpec(extra?: Partial<FlinkSessionSpec>): FlinkSessionSpec;
  kubectl(args: string[], input?: string): Promise<{ stdout: string; stderr: string }>;
  /** Best effort, for a test's tear-down: deletes the jobs (each stopped by the operator), then the session, and waits until they are gone. */
  removeSessionAndJobs(session: string, jobs: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

/** `stack`: the endpoints to run on (a benchmark's); in a test, the suite's stack. */
export async function startFlinkJobsStack(
  prefix: string,
  flinkVersion: string,
  options: { readinessDeadlineSeconds?: number; stack?: StackEndpoints } = {},
): Promise<FlinkJobsStack> {
  const stack = options.stack ?? stackEndpoints();
  const kc = kubeConfig(stack);
  const namespace = uniqueName(prefix);
  const bucket = uniqueName(`${prefix}-state`);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await installFlinkSessionCrd(kc);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedSecret({
    namespace,
    body: { metadata: { name: S3_SECRET }, stringData: { accessKey: stack.s3.accessKeyId, secretKey: stack.s3.secretAccessKey } },
  });
  const s3 = stackS3Client(stack.s3);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const version = clientVersion(stack.flink, flinkVersion);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: JAR_KEY, Body: readFileSync(stack.flink.sampleJobs[version]!) }));
  const kubelet = startLaunchKubelet(kc, stack, namespace, { flinkPods: 'process' });
  const proxy: FlinkRestProxy = await startFlinkRestProxy((ns, name) => kubelet.flink!.restUrl(ns, name));
  const operator = await startOperator({
    stack,
    namespace,
    taskQueue: uniqueName('fso'),
    restUrlTemplate: proxy.urlTemplate,
    readinessDeadlineSeconds: options.readinessDeadlineSeconds ?? 240,
  });
  return {
    namespace,
    bucket,
    jar: `s3://${bucket}/${JAR_KEY}`,
    kc,
    kubelet,
    operator,
    sessions: sessionApi(kc, namespace),
    jobs: sessionJobApi(kc, namespace),
    s3,
    rest: (session) => proxy.urlTemplate.replace('{namespace}', namespace).replace('{name}', session),
    sessionSpec: (extra = {}) => ({
      image: `example.invalid/flink:${flinkVersion}`,
      flinkVersion,
      numberOfTaskSlots: 2,
      s3: { endPoint: stack.s3.endpoint, bucket, credentialsSecret: { name: S3_SECRET } },
      ...extra,
    }),
    kubectl: async (args, input) => {
      const child = execFileAsync('kubectl', [...args, '--namespace', namespace], { env: { ...process.env, KUBECONFIG: stack.kubernetes.kubeconfig } });
      if (input !== undefined) child.child.stdin!.end(input);
      return child;
    },
    async removeSessionAndJobs(session, jobNames) {
      const jobApi = sessionJobApi(kc, namespace);
      const sessionsApi = sessionApi(kc, namespace);
      for (const name of jobNames) await jobApi.remove(name).catch(() => undefined);
      for (const name of jobNames) await jobApi.waitGone(name, 120_000).catch(() => undefined);
      await sessionsApi.remove(session).catch(() => undefined);
      await eventually(`${session} to be gone`, async () => ((await sessionsApi.read(session)) === undefined ? true : undefined), 180_000).catch(
        () => undefined,
      );
    },
    async stop() {
      await operator.stop();
      await kubelet.stop();
      await proxy.close();
      s3.destroy();
    },
  };
}

/** The savepoint or checkpoint Flink restored the job from (its external path), when it was restored. */
export async function restoredFrom(rest: string, jobId: string): Promise<string | undefined> {
  const response = await fetch(`${rest}/jobs/${jobId}/checkpoints`);
  if (!response.ok) throw new Error(`read the checkpoints of ${jobId}: HTTP ${response.status} ${await response.text()}`);
  const stats = (await response.json()) as { latest?: { restored?: { external_path?: string } | null } };
  return stats.latest?.restored?.external_path ?? undefined;
}

/** The sample job's highest count (its keyed state, through Flink's REST) once it is past `floor`. */
export function countPast(rest: string, jobId: string, floor: number, timeoutMs = 180_000): Promise<number> {
  return eventually(
    `job ${jobId} to count past ${floor}`,
    async () => {
      const value = await highestCount(rest, jobId).catch(() => undefined);
      return value !== undefined && value > floor ? value : undefined;
    },
    timeoutMs,
  );
}
