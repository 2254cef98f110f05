// Issue 9, defect 4: what creating a FlinkSession lets its author run is narrowed by the worker's
// settings: allowed service accounts and images, no hostPath unless allowed, and (opt-in) only
// Secrets labelled readable for the S3 credentials the worker sends to the session's endpoint.
import { beforeAll, describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { LABEL_SECRET_READABLE } from '../../model/names.ts';
import { sessionApi } from '../support/sessions.ts';
import { eventually, stackEndpoints, uniqueName } from '../support/stack.ts';
import { REAL_FLINK_READY_MS, REAL_FLINK_TEST_MS, S3_SECRET, withOperator } from '../support/operator-harness.ts';

describe('the settings that narrow what a FlinkSession may run', () => {
  const namespace = uniqueName('policy');
  const stack = withOperator({
    namespaces: [namespace],
    operator: { env: { FSO_ALLOWED_SERVICE_ACCOUNTS: 'flink', FSO_ALLOWED_IMAGES: 'example.invalid/flink:*', FSO_SECRET_OPT_IN: 'true' } },
  });
  let sessions: ReturnType<typeof sessionApi>;
  let spec: FlinkSessionSpec;

  beforeAll(async () => {
    sessions = sessionApi(stack.kc, namespace);
    const { s3 } = stackEndpoints();
    spec = {
      image: 'example.invalid/flink:1.20',
      flinkVersion: '1.20',
      sa: 'flink',
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } },
      s3: { endPoint: s3.endpoint, bucket: uniqueName('b'), credentialsSecret: { name: S3_SECRET } },
    };
  });

  const failure = (name: string) =>
    eventually(`${namespace}/${name} refused`, async () => {
      const session = await sessions.read(name);
      const degraded = session?.status?.conditions?.find((c) => c.type === 'Degraded');
      return degraded?.status === 'True' ? { reason: degraded.reason, error: session?.status?.lastError ?? '' } : undefined;
    });

  it.each<[string, Partial<FlinkSessionSpec>, string]>([
    [
      'a service account not allowed',
      { sa: 'default' },
      'spec.sa: service account "default" is not allowed here; use one of flink (FSO_ALLOWED_SERVICE_ACCOUNTS)',
    ],
    [
      'an image not allowed',
      { image: 'evil.invalid/miner:1' },
      'spec.image: image "evil.invalid/miner:1" matches none of the allowed patterns example.invalid/flink:* (FSO_ALLOWED_IMAGES)',
    ],
    [
      'a hostPath volume',
      { volumes: [{ name: 'host', hostPath: { path: '/' } }], volumeMounts: [{ name: 'host', mountPath: '/host' }] },
      'spec.volumes[0].hostPath: hostPath volumes are not allowed here',
    ],
  ])('%s is refused before anything is launched', async (_, change, message) => {
    const name = uniqueName('p');
    await sessions.create(name, { ...spec, ...change });
    const refused = await failure(name);
    expect(refused.reason).toBe('InvalidSpec');
    expect(refused.error).toContain(message);
    expect((await stack.batch.listNamespacedJob({ namespace })).items.filter((j) => j.metadata?.name?.startsWith(name))).toEqual([]);
  });

  it(
    'a credentials Secret without the opt-in label is not read; labelled, the session runs',
    async () => {
      await sessions.create('creds', spec);
      const refused = await failure('creds');
      expect(refused.reason).toBe('SecretNotOptedIn');
      expect(refused.error).toContain(`label it ${LABEL_SECRET_READABLE}=true`);
      await stack.core.patchNamespacedSecret({
        namespace,
        name: S3_SECRET,
        body: [{ op: 'add', path: '/metadata/labels', value: { [LABEL_SECRET_READABLE]: 'true' } }],
      });
      await sessions.patch('creds', { metadata: { annotations: { 'flink.session-operator.io/redeploy': 'labelled' } } });
      await sessions.waitReady('creds', 1, REAL_FLINK_READY_MS);
    },
    REAL_FLINK_TEST_MS,
  );
});
