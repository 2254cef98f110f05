import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, keptPort, portIsFree } from './ports.ts';

const hold = (port: number): Promise<Server> =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

describe('keptPort', () => {
  const file = (): string => join(mkdtempSync(join(tmpdir(), 'fso-port-')), 'port');

  it('records a free port the first time, and gives the same one back while it is free', async () => {
    const where = file();
    const first = await keptPort(where);
    expect(readFileSync(where, 'utf8').trim()).toBe(String(first));
    expect(await keptPort(where)).toBe(first);
  });

  it('picks (and records) another port when the recorded one is taken', async () => {
    const where = file();
    const taken = await freePort();
    writeFileSync(where, `${taken}\n`);
    const server = await hold(taken);
    try {
      expect(await portIsFree(taken)).toBe(false);
      const other = await keptPort(where);
      expect(other).not.toBe(taken);
      expect(readFileSync(where, 'utf8').trim()).toBe(String(other));
    } finally {
      server.close();
    }
  });

  it('ignores a record that is not a port', async () => {
    const where = file();
    writeFileSync(where, 'not a port\n');
    expect(await keptPort(where)).toBeGreaterThan(0);
  });
});
