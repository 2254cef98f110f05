import { describe, expect, it } from 'vitest';
import { readWorkerConfig } from './config.ts';

describe('readWorkerConfig', () => {
  it('has defaults that reach a local dev server', () => {
    expect(readWorkerConfig({})).toMatchObject({
      temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'flink-session-operator' },
      readinessDeadlineSeconds: 600,
      launchJob: { restExposedType: 'NodePort' },
    });
  });

  it.each([
    [{ TEMPORAL_ADDRESS: 'http://temporal:7233' }, /TEMPORAL_ADDRESS must be host:port/],
    [{ TEMPORAL_TLS_CERT: '/tls/client.pem' }, /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/],
    [{ FSO_READINESS_DEADLINE_SECONDS: 'ten' }, /FSO_READINESS_DEADLINE_SECONDS must be a positive whole number \(got "ten"\)/],
    [{ FSO_REST_EXPOSED_TYPE: 'Ingress' }, /FSO_REST_EXPOSED_TYPE must be ClusterIP, NodePort or LoadBalancer/],
    [{ FSO_REST_URL_TEMPLATE: '{name}:8081' }, /FSO_REST_URL_TEMPLATE must be an http\(s\) URL/],
  ])('refuses %o', (env, message) => {
    expect(() => readWorkerConfig(env)).toThrow(message);
  });

  it('lists every problem at once', () => {
    expect(() => readWorkerConfig({ TEMPORAL_ADDRESS: 'x', FSO_POLL_INTERVAL_MS: '0' })).toThrow(/TEMPORAL_ADDRESS[\s\S]*FSO_POLL_INTERVAL_MS/);
  });
});

describe('readWorkerConfig, crash drills and TLS switch', () => {
  it('reads FSO_FAULT_SIGKILL at start, and refuses a plan it cannot read', () => {
    expect(readWorkerConfig({ FSO_FAULT_SIGKILL: 'before:submitLaunchJob' }).faultPlan).toEqual({ when: 'before', activity: 'submitLaunchJob' });
    expect(() => readWorkerConfig({ FSO_FAULT_SIGKILL: 'sometimes' })).toThrow(
      /FSO_FAULT_SIGKILL must be before:<activityType>, after:<activityType>, during:<activityType>:<ms> or heartbeat:<activityType>:<n ≥ 1>/,
    );
  });

  it('takes TEMPORAL_TLS true or false only, and an empty task queue as the default', () => {
    expect(readWorkerConfig({ TEMPORAL_TLS: 'TRUE' }).temporal.tls).toEqual({});
    expect(() => readWorkerConfig({ TEMPORAL_TLS: 'yes' })).toThrow('TEMPORAL_TLS must be true or false (got "yes")');
    expect(readWorkerConfig({ TEMPORAL_TASK_QUEUE: ' ' }).temporal.taskQueue).toBe('flink-session-operator');
  });
});

describe('readWorkerConfig, how much a worker runs at once', () => {
  it("keeps Temporal's defaults, and the sticky cache by heap size, unless told", () => {
    expect(readWorkerConfig({}).slots).toEqual({ activities: 100, localActivities: 100, workflowTasks: 40 });
    expect(
      readWorkerConfig({
        FSO_MAX_CONCURRENT_ACTIVITIES: '400',
        FSO_MAX_CONCURRENT_LOCAL_ACTIVITIES: '200',
        FSO_MAX_CONCURRENT_WORKFLOW_TASKS: '80',
        FSO_MAX_CACHED_WORKFLOWS: '1000',
      }).slots,
    ).toEqual({ activities: 400, localActivities: 200, workflowTasks: 80, cachedWorkflows: 1000 });
  });

  it('refuses more workflow tasks than cached runs, a cache of one, and counts that are not positive', () => {
    expect(() => readWorkerConfig({ FSO_MAX_CONCURRENT_WORKFLOW_TASKS: '50', FSO_MAX_CACHED_WORKFLOWS: '20' })).toThrow(
      'FSO_MAX_CONCURRENT_WORKFLOW_TASKS (50) must not exceed FSO_MAX_CACHED_WORKFLOWS (20): raise the cache or lower the tasks',
    );
    expect(() => readWorkerConfig({ FSO_MAX_CONCURRENT_WORKFLOW_TASKS: '1', FSO_MAX_CACHED_WORKFLOWS: '1' })).toThrow(
      'FSO_MAX_CACHED_WORKFLOWS must be at least 2',
    );
    expect(() => readWorkerConfig({ FSO_MAX_CONCURRENT_ACTIVITIES: '0' })).toThrow('FSO_MAX_CONCURRENT_ACTIVITIES must be a positive whole number (got "0")');
    expect(() => readWorkerConfig({ FSO_MAX_CACHED_WORKFLOWS: '-3' })).toThrow('FSO_MAX_CACHED_WORKFLOWS must be a positive whole number (got "-3")');
  });
});
