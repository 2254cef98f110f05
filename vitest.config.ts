import { defineConfig } from 'vitest/config';
import { LongRunningFirst } from './test/support/sequencer.ts';

// Three projects: `unit` (pure logic, no server), `workflow` (the workflow on Temporal's time-skipping
// test server, which each file starts itself: no stack) and `integration` (the real local stack,
// started once per run by test/global-setup.ts). Forks, because the Temporal worker's native bridge
// and the ZooKeeper addon do not belong in worker threads.
/** Tests under test/ that read files or run a local tool only (compose file, Dockerfile, promtool): no stack needed. */
const SERVERLESS_TESTS = ['test/deploy/compose.test.ts', 'test/deploy/image.test.ts', 'test/monitoring/*.test.ts', 'test/docs/*.test.ts'];
/** Workflow-level tests: the real workflow, recording activities, the time-skipping test server. */
const WORKFLOW_TESTS = ['test/workflow/**/*.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    // Two files at a time (vitest's default here is one: cores - 1). The integration files wait on
    // JVMs, timers and the servers much of the time; two keep the 2 cores busy (measured: the
    // integration project 1,903 s with two against ~3,300 s with one; CPU 10 % idle with two).
    // Every file works in namespaces, buckets, task queues and ZooKeeper paths of its own.
    maxWorkers: 2,
    // The files that run Flink's JobManagers for minutes first, the short ones after (test/support/sequencer.ts).
    sequence: { sequencer: LongRunningFirst },
    // A test file's process ends with vitest's own, however that ends (every project extends this).
    setupFiles: ['test/exit-with-runner.ts'],
    // The JSON report lets .ci/run close with a plain "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            '{model,stack,crds,concurrency,config,kube,net,observability,cli,bin,watcher,workflows,activities,worker,tools,bench}/**/*.test.ts',
            ...SERVERLESS_TESTS,
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'workflow',
          include: WORKFLOW_TESTS,
          // Starting the test server and bundling workflows/ happen once per file, in beforeAll.
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...SERVERLESS_TESTS, ...WORKFLOW_TESTS],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
