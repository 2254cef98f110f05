// Starts the real local stack once per test run and hands its endpoints to every test file
// (`inject('stack')`). FSO_TEST_STACK=path/to/stack.json reuses a stack started with `npm run stack:up`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { killGroup } from '../stack/processes.ts';
import { startStack, type StackEndpoints, type StackStateFile } from '../stack/stack.ts';
import { writeWorkflowBundle } from '../worker/workflow-bundle.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEndpoints;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const removeBundle = await bundleWorkflowsOnce();
  const reuse = process.env.FSO_TEST_STACK;
  if (reuse) {
    const state = JSON.parse(readFileSync(reuse, 'utf8')) as StackStateFile;
    project.provide('stack', state.endpoints);
    return async () => removeBundle();
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'fso-test-stack-'));
  const started = Date.now();
  const stack = await startStack({ stateDir, env: process.env, fresh: true });
  console.log(`local stack healthy in ${((Date.now() - started) / 1000).toFixed(1)} s (state in ${stateDir})`);
  // If the run is interrupted or dies, take the servers down with it.
  const killAll = (): void => stack.processes.forEach((p) => killGroup(p.pid, 'SIGKILL'));
  process.once('exit', killAll);
  project.provide('stack', stack.endpoints);
  return async () => {
    process.off('exit', killAll);
    await stack.stop();
    removeBundle();
  };
}

/**
 * The workflow code bundled once for the run: every operator worker the tests start (dozens) gets it
 * through FSO_WORKFLOW_BUNDLE, inherited by the test files' processes and theirs, instead of bundling
 * workflows/ itself (2–5 s of CPU each). A bundle given from outside is kept.
 */
async function bundleWorkflowsOnce(): Promise<() => void> {
  if (process.env.FSO_WORKFLOW_BUNDLE) return () => undefined;
  const dir = mkdtempSync(join(tmpdir(), 'fso-workflow-bundle-'));
  const file = join(dir, 'workflow-bundle.js');
  const started = Date.now();
  await writeWorkflowBundle(file);
  console.log(`workflow bundle for the run's workers in ${((Date.now() - started) / 1000).toFixed(1)} s (${file})`);
  process.env.FSO_WORKFLOW_BUNDLE = file;
  return () => rmSync(dir, { recursive: true, force: true });
}
