import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Asks the kernel for a free port on 127.0.0.1 (bind to 0, read it back, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read back a free port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** Several distinct free ports at once (each held until all are known, so none repeats). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Whether `port` on 127.0.0.1 can be bound now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The port recorded in `file` when it is free again, else a new free one (then recorded): a server
 * whose data outlives a run keeps its address too, so what points at it (a FlinkSession's
 * spec.s3.endPoint or spec.ha.quorum in dev mode) stays true when the stack starts again.
 */
export async function keptPort(file: string): Promise<number> {
  const recorded = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
  if (Number.isInteger(recorded) && recorded > 0 && (await portIsFree(recorded))) return recorded;
  const port = await freePort();
  writeFileSync(file, `${port}\n`);
  return port;
}
