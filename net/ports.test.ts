import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, freePorts, keptPort, LISTEN_PORTS, portIsFree, reservePort } from './ports.ts';

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

describe('freePort', () => {
  it("picks ports below the kernel's ephemeral range, where no outgoing connection takes its source port", async () => {
    const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    expect(LISTEN_PORTS.high).toBeLessThan(ephemeralLow);
    for (const port of await freePorts(50)) {
      expect(port).toBeGreaterThanOrEqual(LISTEN_PORTS.low);
      expect(port).toBeLessThan(ephemeralLow);
    }
  });

  it('promises a port it picked to this process: no pick hands it out again while the promise holds', async () => {
    const port = await freePort();
    expect(reservePort(port)).toBe(false);
  });
});

describe('reservePort', () => {
  const dir = (): string => mkdtempSync(join(tmpdir(), 'fso-reservations-'));

  it('promises a port once, and again only after the promise has run out', () => {
    const where = dir();
    expect(reservePort(20_001, where, 60_000)).toBe(true);
    expect(reservePort(20_001, where, 60_000)).toBe(false);
    expect(reservePort(20_002, where, 60_000)).toBe(true);
    expect(reservePort(20_001, where, 60_000, Date.now() + 61_000)).toBe(true);
    expect(reservePort(20_001, where, 60_000)).toBe(false);
  });

  it('takes over a stale promise left by another process', () => {
    const where = dir();
    writeFileSync(join(where, '20003'), '1\n');
    const longAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(where, '20003'), longAgo, longAgo);
    expect(reservePort(20_003, where, 60_000)).toBe(true);
    expect(readFileSync(join(where, '20003'), 'utf8').trim()).toBe(String(process.pid));
  });
});
