// Issue 9, defect 1: FlinkSessions `a/etl` and `b/etl` sharing one versioned bucket and one ZooKeeper
// root would share `etl/flink/…` and `<root>/etl`. The one that came first keeps them; the other is
// refused (InvalidSpec naming it), and its redeploy and its delete (with autoClean) leave every object
// version and znode of the first as they were, counted before and after.
import { CreateBucketCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { stackS3Client } from '../../stack/s3.ts';
import { sessionApi } from '../support/sessions.ts';
import { eventually, stackEndpoints, uniqueName } from '../support/stack.ts';
import { REAL_FLINK_READY_MS, REAL_FLINK_TEST_MS, S3_SECRET, withOperator } from '../support/operator-harness.ts';
import { connectTestZooKeeper, type TestZooKeeper } from '../support/zookeeper.ts';

describe('two sessions of one name in two namespaces, one bucket, one ZooKeeper root', () => {
  const first = uniqueName('team-a');
  const second = uniqueName('team-b');
  const name = 'etl';
  const bucket = uniqueName('shared');
  const root = `/${uniqueName('flink')}`;
  const stack = withOperator({ namespaces: [first, second] });
  let s3: S3Client;
  let zk: TestZooKeeper;
  let spec: FlinkSessionSpec;

  /** Every object version and delete marker under the session's prefix, as key@version. */
  const versions = async (): Promise<string[]> => {
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: `${name}/` }));
    return [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((v) => `${v.Key}@${v.VersionId}`).sort();
  };
  /** Every znode under `<root>/<name>`, as paths. */
  const znodes = (): Promise<string[]> => zk.tree(`${root}/${name}`);

  beforeAll(async () => {
    const endpoints = stackEndpoints();
    s3 = stackS3Client(endpoints.s3);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    zk = await connectTestZooKeeper(endpoints.zookeeper.connect);
    spec = {
      image: 'example.invalid/flink:1.20',
      flinkVersion: '1.20',
      sa: 'flink',
      autoClean: true,
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } },
      s3: { endPoint: endpoints.s3.endpoint, bucket, credentialsSecret: { name: S3_SECRET } },
      ha: { type: 'zookeeper', quorum: endpoints.zookeeper.connect, path: root },
    };
  });

  afterAll(async () => {
    zk?.close();
    s3?.destroy();
  });

  it(
    "the later session is refused, and its redeploy and delete leave the first one's data alone",
    async () => {
      const a = sessionApi(stack.kc, first);
      const b = sessionApi(stack.kc, second);
      await a.create(name, spec);
      await a.waitReady(name, 1, REAL_FLINK_READY_MS);
      // What a's Flink would have written: HA metadata and checkpoints (two versions each), and znodes.
      for (const key of [`${name}/flink/ha/metadata/job-1`, `${name}/flink/checkpoints/job-1/chk-1/_metadata`]) {
        for (const body of ['v1', 'v2']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      }
      for (const path of [`${root}/${name}/leader/rest_server`, `${root}/${name}/jobs/job-1`]) await zk.mkdirp(path);
      const versionsBefore = await versions();
      const znodesBefore = await znodes();
      // The four seeded versions, beside what a's own JobManager wrote there (Flink's HA blobs).
      const seededKeys = [`${name}/flink/ha/metadata/job-1`, `${name}/flink/checkpoints/job-1/chk-1/_metadata`];
      expect(versionsBefore.filter((v) => seededKeys.some((key) => v.startsWith(`${key}@`)))).toHaveLength(4);
      expect(znodesBefore.length).toBeGreaterThanOrEqual(5);

      await b.create(name, spec);
      const refusedError = async (generationEvents: number) =>
        eventually(`${second}/${name} refused`, async () => {
          const session = await b.read(name);
          const degraded = session?.status?.conditions?.find((c) => c.type === 'Degraded');
          const refusals = (await b.eventReasons(name)).filter((r) => r === 'InvalidSpec').length;
          return degraded?.status === 'True' && refusals >= generationEvents ? { reason: degraded.reason, error: session?.status?.lastError ?? '' } : undefined;
        });
      const refused = await refusedError(1);
      expect(refused.reason).toBe('InvalidSpec');
      expect(refused.error).toContain(`FlinkSession ${second}/${name} would share s3://${bucket}/${name}/flink/`);
      expect(refused.error).toContain(`ZooKeeper ${root}/${name}`);
      expect(refused.error).toContain(`with FlinkSession ${first}/${name}, which came first`);

      // A redeploy of the refused session (the annotation) is refused again.
      await b.patch(name, { metadata: { annotations: { 'flink.session-operator.io/redeploy': 'again' } } });
      await refusedError(2);
      await b.remove(name);
      await eventually(`${second}/${name} to be gone`, async () => ((await b.read(name)) === undefined ? true : undefined));

      expect(await versions()).toEqual(versionsBefore);
      expect(await znodes()).toEqual(znodesBefore);
      expect((await stack.batch.listNamespacedJob({ namespace: second })).items).toEqual([]);
      expect((await a.read(name))?.status?.phase).toBe('Running');
      await a.remove(name);
      await eventually(`${first}/${name} to be gone`, async () => ((await a.read(name)) === undefined ? true : undefined));
    },
    REAL_FLINK_TEST_MS,
  );
});
