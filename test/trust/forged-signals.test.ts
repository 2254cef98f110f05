// Issue 9, defect 3: Temporal is not a trusted source of specs. Signals sent with the real `temporal`
// CLI, as anyone who may signal the Temporal namespace could: a delete of `flinksession/kube-system/coredns`
// and a forged specChanged change nothing, and the worker's log says why; `redeploy` still works.
import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { workflowId } from '../../model/names.ts';
import { sessionApi, untagged } from '../support/sessions.ts';
import { eventually, uniqueName } from '../support/stack.ts';
import { signalWithStart, temporal } from '../support/temporal-cli.ts';
import { REAL_FLINK_READY_MS, REAL_FLINK_TEST_MS, withOperator } from '../support/operator-harness.ts';

describe('signals from outside the operator', () => {
  const namespace = uniqueName('signals');
  const name = 'etl';
  const victim = 'kube-system';
  const stack = withOperator({ namespaces: [namespace] });
  let sessions: ReturnType<typeof sessionApi>;
  let spec: FlinkSessionSpec;

  const workerLog = (): string => readFileSync(stack.operator.worker.logFile, 'utf8');
  /** A Deployment that looks like Flink's JobManager of `session` (Flink's labels), so only the signal check protects it. */
  const flinkLookingDeployment = (session: string): k8s.V1Deployment => {
    const labels = { app: session, type: 'flink-native-kubernetes', component: 'jobmanager' };
    return {
      metadata: { name: session, labels },
      spec: {
        replicas: 0,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'example.invalid/dns' }] } },
      },
    };
  };

  beforeAll(async () => {
    sessions = sessionApi(stack.kc, namespace);
    spec = {
      image: 'example.invalid/flink:1.20',
      flinkVersion: '1.20',
      sa: 'flink',
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } },
    };
    await sessions.create(name, spec);
    await sessions.waitReady(name, 1, REAL_FLINK_READY_MS);
  }, REAL_FLINK_TEST_MS);

  afterAll(async () => {
    await stack.apps?.deleteNamespacedDeployment({ namespace: victim, name: 'coredns' }).catch(() => undefined);
  });

  it('signal-with-start of delete for a session in a namespace the operator does not watch deletes nothing', async () => {
    const coredns = await stack.apps.createNamespacedDeployment({ namespace: victim, body: flinkLookingDeployment('coredns') });
    const id = workflowId(victim, 'coredns');
    await signalWithStart(stack.taskQueue, { namespace: victim, name: 'coredns' }, 'delete', { uid: 'forged', spec: { ...spec, autoClean: true } });
    const described = await eventually('the forged run to end', async () => {
      const { stdout } = await temporal('workflow', 'describe', '--workflow-id', id, '--output', 'json');
      const status = String((JSON.parse(stdout) as { workflowExecutionInfo: { status: string } }).workflowExecutionInfo.status);
      return /COMPLETED/.test(status) ? status : undefined;
    });
    expect(described).toMatch(/COMPLETED/);
    const still = await stack.apps.readNamespacedDeployment({ namespace: victim, name: 'coredns' });
    expect(still.metadata?.uid).toBe(coredns.metadata?.uid);
    expect(still.metadata?.deletionTimestamp).toBeUndefined();
    const line = await eventually('the worker to log why it ignored the delete', async () =>
      workerLog()
        .split('\n')
        .find((l) => l.includes('delete signal not acted on') && l.includes(`namespace ${victim} is not watched`)),
    );
    expect(line).toContain(id);
  });

  it('a delete signal for a watched session that is not being deleted deletes nothing', async () => {
    const session = await sessions.read(name);
    const before = await stack.apps.readNamespacedDeployment({ namespace, name });
    await temporal(
      'workflow',
      'signal',
      '--workflow-id',
      workflowId(namespace, name),
      '--name',
      'delete',
      '--input',
      JSON.stringify({ uid: session!.metadata.uid }),
    );
    await eventually('the worker to log why it ignored the delete', async () =>
      workerLog()
        .split('\n')
        .find((l) => l.includes('delete signal not acted on') && l.includes('is not being deleted in the API server')),
    );
    const after = await stack.apps.readNamespacedDeployment({ namespace, name });
    expect(after.metadata?.uid).toBe(before.metadata?.uid);
    expect((await sessions.read(name))?.status?.phase).toBe('Running');
  });

  it('a forged specChanged (another image and service account) is not launched', async () => {
    const session = await sessions.read(name);
    const forged = { uid: session!.metadata.uid, generation: 99, spec: { ...spec, image: 'evil.invalid/miner:latest', sa: 'default' } };
    await temporal('workflow', 'signal', '--workflow-id', workflowId(namespace, name), '--name', 'specChanged', '--input', JSON.stringify(forged));
    await eventually('the worker to log why it ignored the spec', async () =>
      workerLog()
        .split('\n')
        .find((l) => l.includes('signal not acted on') && l.includes('is not the one the API server holds')),
    );
    const { stdout } = await temporal('workflow', 'query', '--workflow-id', workflowId(namespace, name), '--name', 'status', '--output', 'json');
    expect(stdout).toContain('"desiredGeneration": 1');
    expect((await stack.batch.listNamespacedJob({ namespace })).items.map((j) => j.spec?.template.spec?.containers[0]?.image)).not.toContain(
      'evil.invalid/miner:latest',
    );
    expect(stack.kubelets[0]!.runs.map((r) => untagged(r.job)).filter((job) => job.includes('-g99-'))).toEqual([]);

    // The same forged spec for a session of a namespace the operator does not watch.
    const id = workflowId(victim, 'miner');
    await signalWithStart(stack.taskQueue, { namespace: victim, name: 'miner' }, 'specChanged', { ...forged, uid: 'forged' });
    await eventually('the worker to log why it ignored the spec', async () =>
      workerLog()
        .split('\n')
        .find((l) => l.includes('signal not acted on') && l.includes(`namespace ${victim} is not watched`) && l.includes(id)),
    );
    expect((await stack.batch.listNamespacedJob({ namespace: victim })).items).toEqual([]);
  });

  it(
    'the redeploy signal from the Temporal CLI still redeploys',
    async () => {
      await temporal('workflow', 'signal', '--workflow-id', workflowId(namespace, name), '--name', 'redeploy', '--input', '{"reason":"trust test"}');
      await eventually(
        'a second launch of generation 1',
        async () => (stack.kubelets[0]!.runs.some((r) => untagged(r.job) === `${name}-launch-g1-1`) ? true : undefined),
        120_000,
      );
      await sessions.waitReady(name, 1, REAL_FLINK_READY_MS);
      await eventually('Ready after the forced redeploy', async () =>
        (await sessions.eventReasons(name)).filter((r) => r === 'Ready').length === 2 ? true : undefined,
      );
    },
    REAL_FLINK_TEST_MS,
  );
});
