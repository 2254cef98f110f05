import { describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from './flinksession.ts';
import { flinkJobId, jobSpecHash } from './flink-job-id.ts';
import {
  jarRunRequest,
  jobSpecProblems,
  jobStatus,
  parseS3Url,
  rootCauseSummary,
  savepointDirectory,
  retainsCheckpoints,
  stopKind,
  stopsWithSavepoint,
  CHECKPOINT_RETENTION_OPTION,
  type FlinkSessionJobSpec,
} from './flinksessionjob.ts';

const ref = { namespace: 'shop', name: 'counter', uid: '7c9e6679-7425-40de-944b-e07fc1f90ae7', generation: 1 };
const withS3: FlinkSessionSpec = { image: 'flink:1.20.1', s3: { endPoint: 'http://minio:9000', bucket: 'state' } };
const job = (spec: Partial<FlinkSessionJobSpec> = {}): FlinkSessionJobSpec => ({ session: 'orders', jar: 's3://jars/counter.jar', ...spec });

describe('flinkJobId', () => {
  it("is Flink's JobID format (32 hex digits) and the same for the same resource and generation", () => {
    expect(flinkJobId(ref)).toMatch(/^[0-9a-f]{32}$/);
    expect(flinkJobId({ ...ref })).toBe(flinkJobId(ref));
  });

  it.each([
    ["another generation (Flink refuses an ended job's id again)", { generation: 2 }],
    ['another uid (the resource re-created)', { uid: 'another' }],
    ['another name', { name: 'counter2' }],
    ['another namespace', { namespace: 'shop2' }],
  ])('differs for %s', (_what, change) => {
    expect(flinkJobId({ ...ref, ...change })).not.toBe(flinkJobId(ref));
  });
});

describe('jobSpecHash', () => {
  it('ignores key order and tells specs apart', () => {
    expect(jobSpecHash({ jar: 'https://x/a.jar', session: 's', args: ['1'] })).toBe(jobSpecHash({ session: 's', args: ['1'], jar: 'https://x/a.jar' }));
    expect(jobSpecHash(job({ args: ['1'] }))).not.toBe(jobSpecHash(job({ args: ['2'] })));
  });
});

describe('jobSpecProblems', () => {
  it.each<[string, FlinkSessionJobSpec, FlinkSessionSpec, string[]]>([
    ['an s3 jar on a session with S3', job(), withS3, []],
    ['an https jar, stateless, on a session without S3', job({ jar: 'https://repo.example.com/a.jar', upgradeMode: 'stateless' }), { image: 'flink' }, []],
    [
      'an s3 jar on a session without S3',
      job({ upgradeMode: 'stateless' }),
      { image: 'flink' },
      [
        'jar s3://jars/counter.jar is read with the S3 endpoint and credentials of session orders, ' +
          'which has no spec.s3: set it, or serve the jar over https://',
      ],
    ],
    [
      'savepoints without S3',
      job({ jar: 'https://repo.example.com/a.jar' }),
      { image: 'flink' },
      [
        'upgradeMode savepoint stops the job with a savepoint into s3://<bucket>/orders/flink/savepoints/, ' +
          'and session orders has no spec.s3: set it, or set upgradeMode: stateless',
      ],
    ],
    [
      'a session in application mode',
      job(),
      { ...withS3, applicationConfig: { jarPath: 'local:///a.jar' } },
      ['session orders runs in application mode (spec.applicationConfig): it takes no other jobs; run this job on a session without applicationConfig'],
    ],
    [
      'an http jar (the schema refuses it too)',
      job({ jar: 'http://repo/a.jar' }),
      withS3,
      ['jar http://repo/a.jar must be an s3://bucket/key or https:// URL'],
    ],
  ])('%s', (_name, spec, session, problems) => {
    expect(jobSpecProblems(spec, session)).toEqual(problems);
  });

  it('takes a suspended job (the workflow stops it with a savepoint)', () => {
    expect(jobSpecProblems(job({ state: 'suspended' }), withS3)).toEqual([]);
  });
});

describe('jarRunRequest', () => {
  it('passes the fixed id, and only what the spec sets', () => {
    expect(jarRunRequest(job(), 'ab'.repeat(16))).toEqual({ jobId: 'ab'.repeat(16) });
    expect(jarRunRequest(job({ entryClass: 'a.B', args: ['4', '20'], parallelism: 2, flinkConfiguration: { 'pipeline.name': 'x' } }), 'id')).toEqual({
      jobId: 'id',
      entryClass: 'a.B',
      programArgsList: ['4', '20'],
      parallelism: 2,
      flinkConfiguration: { 'pipeline.name': 'x' },
    });
  });

  it('restores from the savepoint of a change before the initial one; allowNonRestoredState only with a restore', () => {
    const spec = job({ initialSavepointPath: 's3://state/orders/flink/savepoints/first', allowNonRestoredState: true });
    expect(jarRunRequest(spec, 'id')).toMatchObject({ savepointPath: 's3://state/orders/flink/savepoints/first', allowNonRestoredState: true });
    expect(jarRunRequest(spec, 'id', 's3://state/orders/flink/savepoints/later')).toMatchObject({ savepointPath: 's3://state/orders/flink/savepoints/later' });
    expect(jarRunRequest(job({ allowNonRestoredState: true }), 'id')).toEqual({ jobId: 'id' });
  });

  it('a last-state job runs with its checkpoints retained on cancellation, unless its configuration says otherwise', () => {
    expect(jarRunRequest(job({ upgradeMode: 'last-state' }), 'id').flinkConfiguration).toEqual({ [CHECKPOINT_RETENTION_OPTION]: 'RETAIN_ON_CANCELLATION' });
    const own = job({ upgradeMode: 'last-state', flinkConfiguration: { [CHECKPOINT_RETENTION_OPTION]: 'DELETE_ON_CANCELLATION', 'pipeline.name': 'x' } });
    expect(jarRunRequest(own, 'id').flinkConfiguration).toEqual({ [CHECKPOINT_RETENTION_OPTION]: 'DELETE_ON_CANCELLATION', 'pipeline.name': 'x' });
    expect(jarRunRequest(job({ upgradeMode: 'savepoint' }), 'id').flinkConfiguration).toBeUndefined();
  });
});

describe('paths and modes', () => {
  it('savepoints go to s3://<bucket>/<session>/flink/savepoints/', () => {
    expect(savepointDirectory('state', 'orders')).toBe('s3://state/orders/flink/savepoints/');
  });
  it('parses s3 URLs', () => {
    expect(parseS3Url('s3://jars/path/to/a.jar')).toEqual({ bucket: 'jars', key: 'path/to/a.jar' });
    expect(parseS3Url('s3://jars')).toBeUndefined();
    expect(parseS3Url('https://x/a.jar')).toBeUndefined();
  });
  it.each([
    [undefined, true],
    ['savepoint', true],
    ['last-state', true],
    ['stateless', false],
  ] as const)('upgradeMode %s stops with a savepoint: %s', (mode, expected) => {
    expect(stopsWithSavepoint(job(mode ? { upgradeMode: mode } : {}))).toBe(expected);
  });
  it.each([
    [undefined, 'upgrade', 'savepoint'],
    ['savepoint', 'suspend', 'savepoint'],
    ['last-state', 'upgrade', 'checkpoint'],
    ['last-state', 'delete', 'savepoint'],
    ['last-state', 'suspend', 'savepoint'],
    ['stateless', 'upgrade', 'cancel'],
    ['stateless', 'suspend', 'cancel'],
  ] as const)('upgradeMode %s, stopped for %s: %s', (mode, why, expected) => {
    expect(stopKind(job(mode ? { upgradeMode: mode } : {}), why, { retainsCheckpoints: true })).toBe(expected);
  });
  it('a change to last-state of a job submitted without its checkpoints retained takes a savepoint (a cancel would lose them)', () => {
    expect(stopKind(job({ upgradeMode: 'last-state' }), 'upgrade', { retainsCheckpoints: false })).toBe('savepoint');
    expect(stopKind(job({ upgradeMode: 'last-state' }), 'upgrade')).toBe('savepoint');
    expect(retainsCheckpoints(job({ upgradeMode: 'last-state' }))).toBe(true);
    expect(retainsCheckpoints(job({ upgradeMode: 'savepoint' }))).toBe(false);
    expect(retainsCheckpoints(job({ upgradeMode: 'last-state', flinkConfiguration: { [CHECKPOINT_RETENTION_OPTION]: 'DELETE_ON_CANCELLATION' } }))).toBe(false);
    expect(retainsCheckpoints(job({ flinkConfiguration: { [CHECKPOINT_RETENTION_OPTION]: 'RETAIN_ON_CANCELLATION' } }))).toBe(true);
  });
});

describe('jobStatus', () => {
  const now = '2026-12-01T12:00:00.000Z';
  it('Ready when running; keeps the transition time of a condition that did not change, and what the report does not say', () => {
    const first = jobStatus(undefined, { generation: 1, reason: 'Submitting', message: 'm', ready: false, progressing: true, jobId: 'j' }, now);
    expect(first.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'False', 'Submitting'],
      ['Progressing', 'True', 'Submitting'],
      ['Degraded', 'False', 'AsExpected'],
    ]);
    const running = jobStatus(
      first,
      { generation: 1, reason: 'JobRunning', message: 'runs', ready: true, progressing: false, jobState: 'RUNNING' },
      '2026-12-01T12:01:00.000Z',
    );
    expect(running).toMatchObject({ jobId: 'j', jobState: 'RUNNING', observedGeneration: 1 });
    expect(running.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'JobRunning',
      lastTransitionTime: '2026-12-01T12:01:00.000Z',
    });
    expect(running.conditions?.find((c) => c.type === 'Degraded')?.lastTransitionTime).toBe(now);
  });

  it("Degraded with the reason, lastError and Flink's root cause when it failed", () => {
    const failed = jobStatus(
      undefined,
      {
        generation: 2,
        reason: 'JobFailed',
        message: 'did not run',
        ready: false,
        progressing: false,
        error: 'the job ended FAILED',
        jobState: 'FAILED',
        rootCause: 'java.lang.RuntimeException: boom',
      },
      now,
    );
    expect(failed).toMatchObject({
      jobState: 'FAILED',
      lastError: 'the job ended FAILED',
      rootCause: 'java.lang.RuntimeException: boom',
      observedGeneration: 2,
    });
    expect(failed.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'JobFailed', message: 'the job ended FAILED' });
  });

  it('cuts a root cause to its first lines', () => {
    const trace = ['java.lang.RuntimeException: boom', ...Array.from({ length: 30 }, (_, i) => `\tat frame${i}`)].join('\n');
    const cut = rootCauseSummary(trace, 3)!;
    expect(cut.split('\n')).toEqual(['java.lang.RuntimeException: boom', '\tat frame0', '\tat frame1', '\t… 28 more lines']);
    expect(rootCauseSummary(null)).toBeUndefined();
  });
});
