// Issue 9, defect 6: secret values written into config.flink-conf.yaml are refused (InvalidSpec with a
// pointer to s3.credentialsSecret), nothing is launched, and the values never reach the workflow's
// history nor the operator's logs.
import { Client, Connection } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workflowId } from '../../model/names.ts';
import { sessionApi } from '../support/sessions.ts';
import { eventually, stackEndpoints, uniqueName } from '../support/stack.ts';
import { withOperator } from '../support/operator-harness.ts';

/** Every text in a fetched history, payloads decoded (they are bytes). */
function textsOf(value: unknown, into: string[] = []): string[] {
  if (value instanceof Uint8Array) into.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) textsOf(item, into);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) textsOf(item, into);
  return into;
}

describe('secret values in config files', () => {
  const namespace = uniqueName('secrets');
  const name = 'leaky';
  const values = ['S3SECRETVALUE-9f2c', 'S3ACCESSVALUE-7d1a', 'S3ASECRETVALUE-4b8e', 'KEYSTOREPASSWORD-1e5f'];
  const stack = withOperator({ namespaces: [namespace] });

  it('are refused with a pointer to s3.credentialsSecret and never reach history, logs or the cluster', async () => {
    const { s3, temporal } = stackEndpoints();
    const sessions = sessionApi(stack.kc, namespace);
    const flinkConf = [
      'parallelism.default: 2',
      `s3.secret-key: ${values[0]}`,
      `s3.access-key: ${values[1]}`,
      `fs.s3a.secret.key: ${values[2]}`,
      `security.ssl.rest.keystore-password: ${values[3]}`,
      '',
    ].join('\n');
    await sessions.create(name, {
      image: 'example.invalid/flink:1.20',
      flinkVersion: '1.20',
      sa: 'flink',
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } },
      s3: { endPoint: s3.endpoint, bucket: uniqueName('b'), credentialsSecret: { name: 's3-credentials' } },
      config: { 'flink-conf.yaml': flinkConf },
    });
    const refused = await eventually('the refusal in status', async () => {
      const session = await sessions.read(name);
      const degraded = session?.status?.conditions?.find((c) => c.type === 'Degraded');
      return degraded?.status === 'True' ? { reason: degraded.reason, error: session?.status?.lastError ?? '' } : undefined;
    });
    expect(refused.reason).toBe('InvalidSpec');
    for (const key of ['s3.secret-key', 's3.access-key', 'fs.s3a.secret.key', 'security.ssl.rest.keystore-password'])
      expect(refused.error).toContain(`"${key}" holds a secret value`);
    expect(refused.error).toContain('spec.s3.credentialsSecret');
    expect((await stack.batch.listNamespacedJob({ namespace })).items).toEqual([]);
    expect((await stack.core.listNamespacedConfigMap({ namespace })).items.map((c) => c.metadata?.name)).not.toContain(`${name}-flink-files`);

    const connection = await Connection.connect({ address: temporal.address });
    try {
      const client = new Client({ connection, namespace: temporal.namespace });
      const history = await client.workflow.getHandle(workflowId(namespace, name)).fetchHistory();
      const texts = textsOf(history).join('\n');
      expect(texts).toContain('s3.secret-key'); // the key is there (redacted), so the history was read
      for (const value of values) expect(texts).not.toContain(value);
    } finally {
      await connection.close();
    }
    for (const log of [stack.operator.worker.logFile, stack.operator.watcher.logFile]) {
      const text = readFileSync(log, 'utf8');
      for (const value of values) expect(text).not.toContain(value);
    }
    await sessions.remove(name);
    await eventually('the FlinkSession to be gone', async () => ((await sessions.read(name)) === undefined ? true : undefined));
  });
});
