// Temporal is not a trusted source of FlinkSessionJob specs either (SPEC: Ownership and trust): job
// signals sent with the real `temporal` CLI, as anyone who may signal the Temporal namespace could — a
// jobChanged with a spec the API server does not hold, a jobDeleted of a job nobody deletes, a
// jobChanged naming another session's job or a job of a namespace the operator does not watch — make
// no Flink call (the log of the REST proxy in front of the session's real JobManager shows no /jars or
// /jobs request), leave each job as it was (status, Events, finalizer), and the worker's log says why.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlinkSessionJob, FlinkSessionJobSpec } from '../../model/flinksessionjob.ts';
import { JOB_FINALIZER, workflowId } from '../../model/names.ts';
import { sessionJobApi } from '../support/session-jobs.ts';
import { sessionApi } from '../support/sessions.ts';
import { eventually, stackEndpoints, uniqueName } from '../support/stack.ts';
import { signalWithStart, temporal } from '../support/temporal-cli.ts';
import { S3_SECRET, startTrustStack, type TrustStack } from '../support/trust-stack.ts';

describe('FlinkSessionJob signals from outside the operator', () => {
  const namespace = uniqueName('jobsig');
  const unwatched = uniqueName('unwatched');
  const session = 'etl';
  let stack: TrustStack;
  let jobs: ReturnType<typeof sessionJobApi>;
  let counter: FlinkSessionJob;
  let theirs: FlinkSessionJob;

  const workerLogLine = (...parts: string[]) =>
    eventually(`the worker to log ${parts.join(' … ')}`, async () =>
      readFileSync(stack.operator.worker.logFile, 'utf8')
        .split('\n')
        .find((l) => parts.every((p) => l.includes(p))),
    );
  /** Flink REST calls on jobs (uploads, runs, stops, job reads) since `from` in the REST proxy's log. */
  const jobCallsSince = (from: number) => stack.rest.log.slice(from).filter((l) => /\/(jars|jobs)(\/|$|\?)/.test(l));
  /** What a forged signal must leave alone: the job's status, finalizers and Events. */
  const kept = async (api: ReturnType<typeof sessionJobApi>, name: string) => {
    const job = await api.read(name);
    return { status: job?.status, finalizers: job?.metadata.finalizers, generation: job?.metadata.generation, events: await api.eventReasons(name) };
  };

  beforeAll(async () => {
    const { s3 } = stackEndpoints();
    stack = await startTrustStack([namespace]);
    await stack.core.createNamespace({ body: { metadata: { name: unwatched } } });
    jobs = sessionJobApi(stack.kc, namespace);
    const bucket = uniqueName('jobsig');
    await sessionApi(stack.kc, namespace).create(session, {
      image: 'example.invalid/flink:1.20',
      flinkVersion: '1.20',
      sa: 'flink',
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } },
      s3: { endPoint: s3.endpoint, bucket, credentialsSecret: { name: S3_SECRET } },
    });
    await sessionApi(stack.kc, namespace).waitReady(session, 1, 180_000);
    // A job of this session whose jar is not there: the operator tried it once and says so (Degraded).
    await jobs.create('counter', { session, jar: `s3://${bucket}/jars/missing.jar` });
    counter = await jobs.waitCondition('counter', 'Degraded', 'True', 120_000, 'JarNotFound');
    // A job of another session, which does not exist: it waits for it.
    await jobs.create('theirs', { session: 'other', jar: `s3://${bucket}/jars/theirs.jar` });
    theirs = await jobs.waitCondition('theirs', 'Progressing', 'True', 60_000, 'WaitingForSession');
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('a jobChanged with a spec the API server does not hold is not submitted; the job keeps what it had', async () => {
    // The log is the operator's: its readiness checks of the session went through the proxy.
    expect(stack.rest.log.some((l) => l.startsWith(`GET /${namespace}/${session}/`))).toBe(true);
    const before = await kept(jobs, 'counter');
    const from = stack.rest.log.length;
    const forged = {
      name: 'counter',
      uid: counter.metadata.uid,
      generation: 7,
      spec: { ...counter.spec, jar: 'https://evil.invalid/miner.jar', entryClass: 'evil.Miner' } satisfies FlinkSessionJobSpec,
    };
    await temporal('workflow', 'signal', '--workflow-id', workflowId(namespace, session), '--name', 'jobChanged', '--input', JSON.stringify(forged));
    await workerLogLine('job signal not acted on', `the job to submit is not the one the API server holds for ${namespace}/counter`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(jobCallsSince(from)).toEqual([]);
    expect(await kept(jobs, 'counter')).toEqual(before);
  });

  it('a jobDeleted of a job nobody deletes stops nothing and releases nothing; a real delete afterwards still completes', async () => {
    const before = await kept(jobs, 'counter');
    const from = stack.rest.log.length;
    await temporal(
      'workflow',
      'signal',
      '--workflow-id',
      workflowId(namespace, session),
      '--name',
      'jobDeleted',
      '--input',
      JSON.stringify({ name: 'counter', uid: counter.metadata.uid }),
    );
    await workerLogLine('job delete not acted on', `the FlinkSessionJob ${namespace}/counter is not being deleted in the API server`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(jobCallsSince(from)).toEqual([]);
    expect(await kept(jobs, 'counter')).toEqual(before);
    expect(before.finalizers).toContain(JOB_FINALIZER);
    // The workflow still looks after the job: a delete from kubectl releases its finalizer.
    await jobs.remove('counter');
    await jobs.waitGone('counter', 60_000);
  });

  it("a jobChanged naming another session's job is not submitted to this session; that job keeps waiting for its own", async () => {
    const before = await kept(jobs, 'theirs');
    const from = stack.rest.log.length;
    const forged = { name: 'theirs', uid: theirs.metadata.uid, generation: theirs.metadata.generation, spec: theirs.spec };
    await temporal('workflow', 'signal', '--workflow-id', workflowId(namespace, session), '--name', 'jobChanged', '--input', JSON.stringify(forged));
    await workerLogLine('job signal not acted on', `the FlinkSessionJob ${namespace}/theirs runs on session other, not ${session}`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(jobCallsSince(from)).toEqual([]);
    expect(await kept(jobs, 'theirs')).toEqual(before);
  });

  it('a jobChanged for a job of a namespace the operator does not watch writes nothing there', async () => {
    const spec: FlinkSessionJobSpec = { session: 'coredns', jar: 'https://evil.invalid/miner.jar' };
    const miner = await sessionJobApi(stack.kc, unwatched).create('miner', spec);
    const from = stack.rest.log.length;
    await signalWithStart(stack.taskQueue, { namespace: unwatched, name: 'coredns' }, 'jobChanged', {
      name: 'miner',
      uid: miner.metadata.uid,
      generation: miner.metadata.generation,
      spec,
    });
    await workerLogLine('job signal not acted on', `namespace ${unwatched} is not watched`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(jobCallsSince(from)).toEqual([]);
    const after = await sessionJobApi(stack.kc, unwatched).read('miner');
    expect(after?.status).toBeUndefined();
    expect(after?.metadata.finalizers).toBeUndefined();
    expect(await sessionJobApi(stack.kc, unwatched).eventReasons('miner')).toEqual([]);
  });
});
