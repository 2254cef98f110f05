import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure logic, no server) and `integration` (the real local stack, started once
// per run by test/global-setup.ts). Forks, because the Temporal worker's native bridge and the
// ZooKeeper addon do not belong in worker threads.
/** Tests under test/ that read files only (compose file, Dockerfile): no stack needed. */
const SERVERLESS_TESTS = ['test/deploy/compose.test.ts', 'test/deploy/image.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    // The JSON report lets .ci/run close with a plain "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{model,stack,crds,concurrency,config,kube,net,observability,cli,bin,watcher,workflows,activities,worker,tools}/**/*.test.ts', ...SERVERLESS_TESTS],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: SERVERLESS_TESTS,
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
