import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { keptPort } from '../net/ports.ts';
import { startProcess, waitUntilHealthy, type ManagedProcess } from './processes.ts';

export interface S3Endpoints {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Fixed test credentials: the server is only ever on 127.0.0.1 and lives for one run. */
const STACK_S3_CREDENTIALS = { accessKeyId: 'fso-test-access', secretAccessKey: 'fso-test-secret-key-0123456789' } as const;

export interface S3Options {
  binary: string;
  stateDir: string;
  logDir: string;
}

/** Starts versitygw (posix backend, versioning on) on 127.0.0.1. */
export async function startS3(options: S3Options): Promise<{ process: ManagedProcess; endpoints: S3Endpoints }> {
  const data = join(options.stateDir, 's3', 'data');
  const versions = join(options.stateDir, 's3', 'versions');
  mkdirSync(data, { recursive: true });
  mkdirSync(versions, { recursive: true });
  // Kept with the data: a dev example's spec.s3.endPoint stays true on a restart.
  const port = await keptPort(join(options.stateDir, 's3', 'port'));
  const process = startProcess({
    name: 's3',
    command: options.binary,
    args: ['--port', `127.0.0.1:${port}`, 'posix', '--versioning-dir', versions, data],
    env: { ROOT_ACCESS_KEY: STACK_S3_CREDENTIALS.accessKeyId, ROOT_SECRET_KEY: STACK_S3_CREDENTIALS.secretAccessKey },
    logDir: options.logDir,
  });
  const endpoints: S3Endpoints = { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', ...STACK_S3_CREDENTIALS };
  const client = stackS3Client(endpoints);
  try {
    await waitUntilHealthy(
      process,
      async () => {
        await client.send(new ListBucketsCommand({}));
        return true;
      },
      30_000,
    );
  } finally {
    client.destroy();
  }
  return { process, endpoints };
}

/** An S3 client set up the way S3-compatible servers need (path style, checksums only when required). */
export function stackS3Client(endpoints: S3Endpoints): S3Client {
  return new S3Client({
    endpoint: endpoints.endpoint,
    region: endpoints.region,
    credentials: { accessKeyId: endpoints.accessKeyId, secretAccessKey: endpoints.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
}
