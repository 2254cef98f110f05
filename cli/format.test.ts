import { describe, expect, it } from 'vitest';
import { formatPlan, type RedeployPlan } from './plan.ts';
import { formatStatus } from './status.ts';

const target = { namespace: 'team-a', name: 'orders' };
const base: RedeployPlan = {
  target,
  generation: 3,
  autoClean: true,
  flinkCluster: ['deployment/orders', 'pod/orders-abc', 'service/orders-rest'],
  launchJobs: ['orders-launch-g2-0'],
};

describe('formatPlan', () => {
  it('lists the Flink cluster, the znodes, the S3 versions and bytes, and the launch Jobs, in redeploy order', () => {
    const text = formatPlan({
      ...base,
      zookeeper: { quorum: 'zk:2181', path: '/flink/orders', znodes: 7 },
      s3: {
        endPoint: 'http://s3:9000',
        bucket: 'b',
        prefixes: ['orders/flink/ha/', 'orders/flink/checkpoints/'],
        counts: { objects: 2, versions: 3, deleteMarkers: 1, bytes: 2048 },
      },
    });
    expect(text).toContain('redeploy plan for FlinkSession team-a/orders (generation 3); nothing has been changed');
    expect(text).toContain('1. the Flink cluster (3 objects): deployment/orders, pod/orders-abc, service/orders-rest');
    expect(text).toContain('2. ZooKeeper HA: 7 znodes under /flink/orders (quorum zk:2181)');
    expect(text).toContain(
      '3. S3: 2 objects, 3 object versions and 1 delete marker (2048 bytes) under s3://b/orders/flink/ha/ and s3://b/orders/flink/checkpoints/ ' +
        'at http://s3:9000; savepoints are kept',
    );
    expect(text).toContain('the old launch Jobs: orders-launch-g2-0');
    expect(text.indexOf('1. the Flink cluster')).toBeLessThan(text.indexOf('2. ZooKeeper'));
  });

  it('says what is kept without autoClean, and names Kubernetes HA ConfigMaps', () => {
    expect(formatPlan({ ...base, autoClean: false })).toContain('2. HA data and checkpoints: kept (autoClean is off)');
    expect(formatPlan({ ...base, haConfigMaps: ['orders-cluster-config-map'] })).toContain('2. Kubernetes HA ConfigMaps (1): orders-cluster-config-map');
  });

  it('lists first how each job on Flink would be carried: savepoints it would take, jobs it would restore, a hold', () => {
    const text = formatPlan({
      ...base,
      jobs: {
        reachable: true,
        savepoints: 's3://b/orders/flink/savepoints/',
        carries: [
          { jobId: 'a1', jobName: 'keyed-counter', sessionJob: 'counter', action: 'savepoint', why: '' },
          { jobId: 'b2', jobName: 'keyed-counter', sessionJob: 'keeper', action: 'ha', why: '' },
          { jobId: 'c3', jobName: 'adhoc', action: 'savepoint', why: '' },
        ],
      },
    });
    expect(text).toContain('would first carry 3 jobs running on Flink:');
    expect(text).toContain('  - FlinkSessionJob counter (job a1): a savepoint into s3://b/orders/flink/savepoints/, restored from it');
    expect(text).toContain("  - FlinkSessionJob keeper (job b2): left to Flink's HA, checked RUNNING on the new JobManager");
    expect(text).toContain('  - adhoc (job c3, submitted by hand): a savepoint into s3://b/orders/flink/savepoints/, its path reported');
    expect(text.indexOf('would first carry')).toBeLessThan(text.indexOf('1. the Flink cluster'));
    expect(formatPlan({ ...base, jobs: { reachable: true, carries: [], blocked: 'jobs no FlinkSessionJob declares run' } })).toContain(
      'the redeploy would be held: jobs no FlinkSessionJob declares run',
    );
    expect(formatPlan({ ...base, jobs: { reachable: false, why: 'ECONNREFUSED', carries: [] } })).toContain('its REST does not answer: ECONNREFUSED');
  });

  it('says a refused spec deletes nothing', () => {
    expect(formatPlan({ ...base, refused: 'spec.resource.taskManager.memory: too small' })).toContain(
      'the current spec would be refused, so a redeploy would delete nothing: spec.resource.taskManager.memory: too small',
    );
  });
});

describe('formatStatus', () => {
  const view = {
    target,
    workflowId: 'flinksession/team-a/orders',
    runId: 'r1',
    runStatus: 'RUNNING',
    startedAt: new Date('2026-11-26T10:00:00Z'),
    taskQueue: 'fso',
  };

  it('shows phase, step, generations, redeploys, the last error and the UI link', () => {
    const text = formatStatus({
      ...view,
      status: {
        namespace: 'team-a',
        name: 'orders',
        phase: 'Redeploying',
        step: 'purge S3 prefix',
        desiredGeneration: 4,
        deployedGeneration: 3,
        redeploys: 5,
        lastError: 'boom',
      },
      uiLink: 'http://ui/namespaces/default/workflows/x',
    });
    expect(text).toContain('workflow:            flinksession/team-a/orders (run r1, RUNNING, started 2026-11-26T10:00:00.000Z, task queue fso)');
    expect(text).toContain('phase:               Redeploying (now: purge S3 prefix)');
    expect(text).toContain('desired generation:  4');
    expect(text).toContain('deployed generation: 3');
    expect(text).toContain('last error:          boom');
    expect(text).toContain('Temporal UI:         http://ui/namespaces/default/workflows/x');
  });

  it('says why the status query had no answer', () => {
    expect(formatStatus({ ...view, queryError: 'deadline exceeded; is a worker polling task queue fso?' })).toContain(
      'status query:        no answer (deadline exceeded; is a worker polling task queue fso?)',
    );
  });
});
