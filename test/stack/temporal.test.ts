import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { eventually, stackEndpoints, uniqueName } from '../support/stack.ts';
import type { greet } from './workflows/greet.ts';

const run = promisify(execFile);
const sessionName = defineSearchAttributeKey('FlinkSessionName', SearchAttributeType.KEYWORD);

describe('Temporal dev server (temporal CLI, real server)', () => {
  it('runs a workflow on a worker, and the CLI finds it by search attribute', async () => {
    const { address, namespace, cli } = stackEndpoints().temporal;
    const taskQueue = uniqueName('smoke');
    const workflowId = uniqueName('smoke-greet');
    const nativeConnection = await NativeConnection.connect({ address });
    const connection = await Connection.connect({ address });
    try {
      const worker = await Worker.create({
        connection: nativeConnection,
        namespace,
        taskQueue,
        workflowsPath: fileURLToPath(new URL('./workflows/greet.ts', import.meta.url)),
      });
      const client = new Client({ connection, namespace });
      const result = await worker.runUntil(
        client.workflow.execute<typeof greet>('greet', {
          taskQueue,
          workflowId,
          args: ['flink'],
          typedSearchAttributes: [{ key: sessionName, value: workflowId }],
        }),
      );
      expect(result).toBe('hello, flink');

      const listed = await eventually(
        'the workflow to show in `temporal workflow list`',
        async () => {
          const { stdout } = await run(cli, [
            'workflow',
            'list',
            '--address',
            address,
            '--namespace',
            namespace,
            '--query',
            `FlinkSessionName="${workflowId}"`,
            '--output',
            'json',
          ]);
          const runs = JSON.parse(stdout || '[]') as Array<{ execution: { workflowId: string }; status: string }>;
          return runs.length > 0 ? runs : undefined;
        },
        30_000,
      );
      expect(listed.map((r) => r.execution.workflowId)).toEqual([workflowId]);
      expect(listed[0]!.status).toMatch(/COMPLETED/);
    } finally {
      await connection.close();
      await nativeConnection.close();
    }
  });
});
