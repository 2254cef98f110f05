// Issue 9, defects 2 and 7: the operator touches only what it can prove is the session's. A Deployment,
// ConfigMap or Secret of another owner under a name the session needs is reported (NameConflict) and
// left as it is, through a create and a delete of the FlinkSession.
import * as k8s from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FlinkSession, FlinkSessionSpec } from '../../model/flinksession.ts';
import { sessionApi } from '../support/sessions.ts';
import { eventually, stackEndpoints, uniqueName } from '../support/stack.ts';
import { REAL_FLINK_READY_MS, REAL_FLINK_TEST_MS, withOperator } from '../support/operator-harness.ts';

describe('objects the session does not own', () => {
  const namespace = uniqueName('owned');
  const stack = withOperator({ namespaces: [namespace] });
  let sessions: ReturnType<typeof sessionApi>;
  let spec: FlinkSessionSpec;

  beforeAll(async () => {
    sessions = sessionApi(stack.kc, namespace);
    spec = {
      image: 'example.invalid/flink:1.20',
      flinkVersion: '1.20',
      sa: 'flink',
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } },
    };
  });

  /** Waits until the session's status says why it was refused; returns that text. */
  const refusal = (name: string) =>
    eventually(`${namespace}/${name} refused`, async () => {
      const session: FlinkSession | undefined = await sessions.read(name);
      const degraded = session?.status?.conditions?.find((c) => c.type === 'Degraded');
      return degraded?.status === 'True' ? { reason: degraded.reason, error: session?.status?.lastError ?? '' } : undefined;
    });

  const deleteSession = async (name: string): Promise<void> => {
    await sessions.remove(name);
    await eventually(`${namespace}/${name} to be gone`, async () => ((await sessions.read(name)) === undefined ? true : undefined));
  };

  it("a Deployment named like the session, without Flink's labels, is reported and survives the create and the delete", async () => {
    const web: k8s.V1Deployment = {
      metadata: { name: 'web', labels: { app: 'web-frontend' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web-frontend' } },
        template: { metadata: { labels: { app: 'web-frontend' } }, spec: { containers: [{ name: 'nginx', image: 'example.invalid/nginx' }] } },
      },
    };
    const foreign = await stack.apps.createNamespacedDeployment({ namespace, body: web });
    await sessions.create('web', spec);
    const refused = await refusal('web');
    expect(refused.reason).toBe('NameConflict');
    expect(refused.error).toContain(`Deployment ${namespace}/web exists and is not this session's`);
    expect(refused.error).toContain('app=web, type=flink-native-kubernetes, component=jobmanager');
    expect(await sessions.eventReasons('web')).toContain('NameConflict');
    expect((await stack.batch.listNamespacedJob({ namespace })).items).toEqual([]);

    await deleteSession('web');
    const still = await stack.apps.readNamespacedDeployment({ namespace, name: 'web' });
    expect(still.metadata?.uid).toBe(foreign.metadata?.uid);
  });

  it('a files ConfigMap the operator did not create is neither replaced nor adopted', async () => {
    await stack.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'files-flink-files' }, data: { mine: 'keep me' } } });
    await sessions.create('files', { ...spec, config: { 'flink-conf.yaml': 'parallelism.default: 2\n' } });
    const refused = await refusal('files');
    expect(refused.reason).toBe('NameConflict');
    expect(refused.error).toContain(`ConfigMap ${namespace}/files-flink-files exists and is not this session's`);
    await deleteSession('files');
    const still = await stack.core.readNamespacedConfigMap({ namespace, name: 'files-flink-files' });
    expect(still.data).toEqual({ mine: 'keep me' });
  });

  it('a credentials Secret the operator did not create is neither replaced nor adopted', async () => {
    const { s3 } = stackEndpoints();
    await stack.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'inline-credentials' }, stringData: { accessKey: 'theirs', secretKey: 'theirs' } },
    });
    await sessions.create('inline', { ...spec, s3: { endPoint: s3.endpoint, bucket: uniqueName('b'), accessKey: 'AKIAINLINE', secretKey: 'inline-secret' } });
    const refused = await refusal('inline');
    expect(refused.reason).toBe('NameConflict');
    expect(refused.error).toContain(`Secret ${namespace}/inline-credentials exists and is not this session's`);
    await deleteSession('inline');
    const still = await stack.core.readNamespacedSecret({ namespace, name: 'inline-credentials' });
    expect(Buffer.from(still.data?.accessKey ?? '', 'base64').toString()).toBe('theirs');
  });

  it(
    'x-rest after x (both need the Service x-rest) is refused, naming x; x keeps running',
    async () => {
      await sessions.create('x', spec);
      await sessions.waitReady('x', 1, REAL_FLINK_READY_MS);
      await sessions.create('x-rest', spec);
      const refused = await refusal('x-rest');
      expect(refused.reason).toBe('InvalidSpec');
      expect(refused.error).toContain(`FlinkSession ${namespace}/x-rest would share Service x-rest with FlinkSession ${namespace}/x, which came first`);
      expect((await stack.batch.listNamespacedJob({ namespace })).items.map((j) => j.metadata?.name ?? '').filter((n) => n.startsWith('x-rest-'))).toEqual([]);
      expect((await sessions.read('x'))?.status?.phase).toBe('Running');
      await deleteSession('x-rest');
      await deleteSession('x');
    },
    REAL_FLINK_TEST_MS,
  );
});
