import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../workflows/contract.ts';
import { join } from 'node:path';
import { freePorts } from '../net/ports.ts';
import { startProcess, waitUntilHealthy, type ManagedProcess } from './processes.ts';

export interface TemporalEndpoints {
  /** gRPC frontend, host:port. */
  address: string;
  namespace: string;
  uiUrl: string;
  /** The CLI the stack runs the server with, for tests that drive it like a user would. */
  cli: string;
}

/** The dev server's name for a search attribute type (`--search-attribute Name=Type`). */
const CLI_TYPE: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int' };

export interface TemporalPorts {
  port: number;
  uiPort: number;
  httpPort: number;
  metricsPort: number;
}

export interface TemporalOptions {
  binary: string;
  stateDir: string;
  logDir: string;
  namespace?: string;
  /** The ports of an earlier start, to restart the same server (same address, same sqlite file). */
  ports?: TemporalPorts;
  /** Dynamic config values (`--dynamic-config-value KEY=VALUE`), e.g. a low history threshold for continue-as-new. */
  dynamicConfig?: Record<string, string | number>;
  /** Process name (log file), when a test runs a server of its own beside the stack's. */
  name?: string;
}

/** Starts `temporal server start-dev` with its Web UI; history persists in a sqlite file in stateDir. */
export async function startTemporal(options: TemporalOptions): Promise<{ process: ManagedProcess; endpoints: TemporalEndpoints; ports: TemporalPorts }> {
  const namespace = options.namespace ?? 'default';
  const [port, uiPort, httpPort, metricsPort] = options.ports
    ? [options.ports.port, options.ports.uiPort, options.ports.httpPort, options.ports.metricsPort]
    : ((await freePorts(4)) as [number, number, number, number]);
  // The operator's search attributes (SPEC: Temporal contract), registered at start.
  const searchAttributes = Object.values(SEARCH_ATTRIBUTES).flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE[key.type]}`]);
  const dynamicConfig = Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${value}`]);
  const process = startProcess({
    name: options.name ?? 'temporal',
    command: options.binary,
    args: [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--ui-port',
      String(uiPort),
      '--http-port',
      String(httpPort),
      '--metrics-port',
      String(metricsPort),
      '--db-filename',
      join(options.stateDir, 'temporal.sqlite'),
      '--namespace',
      namespace,
      '--log-level',
      'warn',
      ...searchAttributes,
      ...dynamicConfig,
    ],
    logDir: options.logDir,
  });
  const address = `127.0.0.1:${port}`;
  await waitUntilHealthy(process, () => temporalServing(address), 60_000);
  return {
    process,
    endpoints: { address, namespace, uiUrl: `http://127.0.0.1:${uiPort}`, cli: options.binary },
    ports: { port, uiPort, httpPort, metricsPort },
  };
}

async function temporalServing(address: string): Promise<true | undefined> {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    const response = await connection.healthService.check({});
    return response.status === 1 ? true : undefined; // 1 = SERVING
  } finally {
    await connection.close();
  }
}
