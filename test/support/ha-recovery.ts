// The HA recovery scenario on real Flink, for each kind of HA store Flink writes to (ZooKeeper znodes,
// or Kubernetes ConfigMaps), with state in S3: what Flink wrote is listed; a redeploy without
// autoClean brings the sample job back by Flink's own HA recovery, its counter going on from the last
// checkpoint; a redeploy with autoClean leaves none of what the job's JobManager wrote, and no job.
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { REDEPLOY_ANNOTATION } from '../../model/names.ts';
import { flinkObjectSelector } from '../../model/ownership.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { startFlinkRestProxy, type FlinkRestProxy } from '../../stack/flink-rest-proxy.ts';
import { startLaunchKubelet, type LaunchKubelet } from '../../stack/launch-kubelet.ts';
import { stackS3Client } from '../../stack/s3.ts';
import type { StackEndpoints } from '../../stack/stack.ts';
import { checkpointStats, clientVersion, highestCount, listJobs, submitJar } from '../../stack/flink-jobs.ts';
import { startOperator, type OperatorProcesses } from './operator.ts';
import { sessionApi } from './sessions.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from './stack.ts';
import { connectTestZooKeeper, type TestZooKeeper } from './zookeeper.ts';

/** Where Flink keeps a session's HA data, as the test reads it. */
interface HaStore {
  spec: NonNullable<FlinkSessionSpec['ha']>;
  /**
   * What Flink wrote there for the session, one line per entry: znodes as paths under
   * <root>/<name>; ConfigMaps as `<name> (uid <uid>)` and each of their keys as `<name>/<key>`.
   */
  entries(): Promise<string[]>;
  close(): void;
}

async function zooKeeperStore(stack: StackEndpoints, root: string, name: string): Promise<HaStore> {
  const zk: TestZooKeeper = await connectTestZooKeeper(stack.zookeeper.connect);
  const znodes = async (path: string): Promise<string[]> => {
    const below = await zk.children(path).catch(() => [] as string[]);
    const nested = await Promise.all(below.map(async (child) => [child, ...(await znodes(`${path}/${child}`)).map((p) => `${child}/${p}`)]));
    return nested.flat();
  };
  return {
    spec: { type: 'zookeeper', quorum: stack.zookeeper.connect, path: root },
    entries: () => znodes(`${root}/${name}`),
    close: () => zk.close(),
  };
}

function kubernetesStore(kc: k8s.KubeConfig, namespace: string, name: string): HaStore {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  return {
    spec: { type: 'kubernetes' },
    // Flink's ConfigMaps that no owner takes away with the cluster: those are its HA ones (its others,
    // such as flink-config-<name>, belong to the JobManager Deployment).
    entries: async () =>
      (await core.listNamespacedConfigMap({ namespace, labelSelector: flinkObjectSelector(name) })).items
        .filter((cm) => (cm.metadata?.ownerReferences ?? []).length === 0)
        .flatMap((cm) => [`${cm.metadata!.name!} (uid ${cm.metadata!.uid!})`, ...Object.keys(cm.data ?? {}).map((key) => `${cm.metadata!.name!}/${key}`)]),
    close: () => undefined,
  };
}

export function describeHaRecovery(ha: 'zookeeper' | 'kubernetes', flinkVersions: readonly string[]): void {
  describe.each(flinkVersions)(`Flink %s with ${ha} HA and S3: redeploys with and without autoClean`, (flinkVersion) => {
    const namespace = uniqueName('ha');
    const name = 'ledger';
    const bucket = uniqueName('ha-state');
    let kc: k8s.KubeConfig;
    let kubelet: LaunchKubelet;
    let proxy: FlinkRestProxy;
    let operator: OperatorProcesses;
    let sessions: ReturnType<typeof sessionApi>;
    let store: HaStore;
    let s3: S3Client;
    let jobId = '';

    const rest = (): string => proxy.urlTemplate.replace('{namespace}', namespace).replace('{name}', name);
    const keys = async (prefix: string): Promise<string[]> =>
      ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);

    beforeAll(async () => {
      const stack = stackEndpoints();
      kc = kubeConfig();
      const core = kc.makeApiClient(k8s.CoreV1Api);
      await installFlinkSessionCrd(kc);
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      await core.createNamespacedSecret({
        namespace,
        body: { metadata: { name: 's3' }, stringData: { accessKey: stack.s3.accessKeyId, secretKey: stack.s3.secretAccessKey } },
      });
      store = ha === 'zookeeper' ? await zooKeeperStore(stack, `/ha-${namespace}`, name) : kubernetesStore(kc, namespace, name);
      s3 = stackS3Client(stack.s3);
      kubelet = startLaunchKubelet(kc, stack, namespace, { flinkPods: 'process' });
      proxy = await startFlinkRestProxy((ns, session) => kubelet.flink!.restUrl(ns, session));
      operator = await startOperator({ stack, namespace, taskQueue: uniqueName('fso'), restUrlTemplate: proxy.urlTemplate, readinessDeadlineSeconds: 240 });
      sessions = sessionApi(kc, namespace);
    });

    afterAll(async () => {
      await sessions?.remove(name).catch(() => undefined);
      await eventually(`${name} to be gone`, async () => ((await sessions.read(name)) === undefined ? true : undefined), 120_000).catch(() => undefined);
      await operator?.stop();
      await kubelet?.stop();
      await proxy?.close();
      store?.close();
      s3?.destroy();
    });

    it('the job comes back by HA recovery and its counter goes on from the last checkpoint', async () => {
      const stack = stackEndpoints();
      await sessions.create(name, {
        image: `example.invalid/flink:${flinkVersion}`,
        flinkVersion,
        autoClean: false,
        s3: { endPoint: stack.s3.endpoint, bucket, credentialsSecret: { name: 's3' } },
        ha: store.spec,
      });
      await sessions.waitReady(name, 1, 300_000);
      // Four keys, four numbers a second: each key counts about one a second.
      const version = clientVersion(stack.flink, flinkVersion);
      jobId = await submitJar(stack.flink, version, kubelet.flink!.restUrl(namespace, name)!, stack.flink.sampleJobs[version]!, ['4', '4']);
      const before = await eventually(
        'the counter to pass 20 with checkpoints completed',
        async () => {
          const count = await highestCount(rest(), jobId).catch(() => undefined);
          const checkpoints = await checkpointStats(rest(), jobId).catch(() => undefined);
          return count !== undefined && count >= 20 && (checkpoints?.completed ?? 0) >= 3 ? count : undefined;
        },
        240_000,
      );

      const written = { [ha]: await store.entries(), ha: await keys(`${name}/flink/ha/`), checkpoints: await keys(`${name}/flink/checkpoints/`) };
      console.log(`what Flink wrote (Flink ${flinkVersion}, ${ha} HA, job ${jobId}):\n${JSON.stringify(written, null, 2)}`);
      expect(written[ha]!.some((entry) => entry.includes(jobId))).toBe(true);
      expect(written.ha.length).toBeGreaterThan(0);
      expect(written.checkpoints.some((k) => k.includes(jobId) && /chk-\d+\/_metadata$/.test(k))).toBe(true);

      const oldJobManager = kubelet.flink!.restUrl(namespace, name);
      await sessions.patch(name, { metadata: { annotations: { [REDEPLOY_ANNOTATION]: 'ha-recovery' } } });
      await eventually(
        'a new JobManager',
        async () => {
          const current = kubelet.flink!.restUrl(namespace, name);
          return current && current !== oldJobManager ? true : undefined;
        },
        240_000,
      );
      await eventually(
        'Ready after the redeploy',
        async () => {
          const reasons = await sessions.eventReasons(name);
          return reasons.at(-1) === 'Ready' && reasons.filter((r) => r === 'Launched').length === 2 ? true : undefined;
        },
        240_000,
      );

      const restored = await eventually(
        'the job to be running again, restored from a checkpoint',
        async () => {
          const job = (await listJobs(rest()).catch(() => [])).find((j) => j.jid === jobId);
          const checkpoints = await checkpointStats(rest(), jobId).catch(() => undefined);
          const count = await highestCount(rest(), jobId).catch(() => undefined);
          return job?.state === 'RUNNING' && checkpoints?.restoredId !== undefined && count !== undefined && count > 0 ? { count, checkpoints } : undefined;
        },
        240_000,
      );
      console.log(
        `Flink ${flinkVersion}, ${ha} HA: highestCount ${before} before the redeploy, ${restored.count} after, ` +
          `restored from checkpoint ${restored.checkpoints.restoredId}`,
      );
      // A job started afresh would count from 1; restored, each key goes on from its checkpointed count.
      expect(restored.count).toBeGreaterThanOrEqual(before - 5);
      expect(restored.checkpoints.restoredId).toBeGreaterThan(0);
    }, 900_000);

    it('a redeploy with autoClean leaves none of what Flink wrote for the job, and the job is gone with it', async () => {
      // autoClean cleans what the deployed generation used: deploy it first, then redeploy.
      await sessions.patch(name, { spec: { autoClean: true } });
      await sessions.waitReady(name, 2, 300_000);
      await eventually(
        'the job to be back after that redeploy (no clean-up yet)',
        async () => ((await listJobs(rest()).catch(() => [])).some((j) => j.jid === jobId && j.state === 'RUNNING') ? true : undefined),
        240_000,
      );
      const launched = (await sessions.eventReasons(name)).filter((r) => r === 'Launched').length;
      const beforeClean = await store.entries();
      await sessions.patch(name, { metadata: { annotations: { [REDEPLOY_ANNOTATION]: 'clean' } } });
      await eventually(
        'Ready after the redeploy with autoClean',
        async () => {
          const reasons = await sessions.eventReasons(name);
          return reasons.at(-1) === 'Ready' && reasons.filter((r) => r === 'Launched').length === launched + 1 ? true : undefined;
        },
        300_000,
      );
      // The new JobManager found no job to recover.
      await eventually('the new JobManager to answer', async () => await listJobs(rest()).catch(() => undefined));
      expect((await listJobs(rest())).map((j) => j.jid)).not.toContain(jobId);
      const afterClean = await store.entries();
      console.log(
        `${ha} HA entries before the redeploy with autoClean:\n  ${beforeClean.join('\n  ')}\nafter it (the new JobManager's):\n  ${afterClean.join('\n  ')}`,
      );
      const left = {
        [ha]: afterClean.filter((entry) => entry.includes(jobId)),
        objects: [...(await keys(`${name}/flink/ha/`)), ...(await keys(`${name}/flink/checkpoints/`))].filter((k) => k.includes(jobId)),
      };
      expect(left).toEqual({ [ha]: [], objects: [] });
      // ConfigMaps: none of the old JobManager's is left (what the new one wrote has other uids).
      const uids = (entries: string[]): string[] => entries.flatMap((e) => /\(uid (\S+)\)$/.exec(e)?.[1] ?? []);
      expect(uids(afterClean).filter((uid) => uids(beforeClean).includes(uid))).toEqual([]);
    }, 900_000);
  });
}
