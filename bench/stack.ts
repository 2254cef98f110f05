// The stack a benchmark runs on: its own, started fresh in a temporary folder, or the one named by
// FSO_TEST_STACK (a stack.json of `npm run stack:up`), as in the tests.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type StackEndpoints, type StackStateFile } from '../stack/stack.ts';

export interface BenchStack {
  endpoints: StackEndpoints;
  stop(): Promise<void>;
}

async function benchStack(): Promise<BenchStack> {
  if (process.env.FSO_TEST_STACK) {
    const state = JSON.parse(readFileSync(process.env.FSO_TEST_STACK, 'utf8')) as StackStateFile;
    return { endpoints: state.endpoints, stop: async () => {} };
  }
  const started = await startStack({ stateDir: mkdtempSync(join(tmpdir(), 'fso-bench-')), env: process.env, fresh: true });
  return { endpoints: started.endpoints, stop: () => started.stop() };
}

/** Runs `bench` on a stack and stops the stack afterwards, also when the benchmark fails. */
export async function onStack<T>(bench: (stack: StackEndpoints) => Promise<T>): Promise<T> {
  const stack = await benchStack();
  try {
    return await bench(stack.endpoints);
  } finally {
    await stack.stop();
  }
}
