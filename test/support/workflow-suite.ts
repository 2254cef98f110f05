// A workflow test file's set-up in one call: the time-skipping test server for the file, and sessions
// that are stopped after each test.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startWorkflowTestEnv, type SessionOptions, type SessionUnderTest, type WorkflowTestEnv } from './time-skipping.ts';

/** Call at the top of a test file; `defaults` apply to every session it starts. */
export function workflowSuite(defaults: SessionOptions = {}): { session(options?: SessionOptions): Promise<SessionUnderTest> } {
  let tests: WorkflowTestEnv | undefined;
  const started: SessionUnderTest[] = [];
  beforeAll(async () => {
    tests = await startWorkflowTestEnv();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  });
  afterAll(async () => {
    await tests?.teardown();
  });
  return {
    async session(options) {
      if (!tests) throw new Error('workflowSuite: the test server is not up (call it at the top of the file, not inside a test)');
      const s = await tests.session({ ...defaults, ...options });
      started.push(s);
      return s;
    },
  };
}
