import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { claimFile } from '../concurrency/file-claim.ts';

/**
 * Where the stack's servers listen: ports below the kernel's ephemeral range. A port the kernel
 * handed out by a bind to 0 comes from that range, which is also where every outgoing connection
 * gets its source port: released and handed to a server seconds later, it could by then be the
 * local end of some connection (a test's HTTP client, a JVM's RPC), and the server fails with
 * "address already in use". Below the range only listeners that asked for a port by number take one.
 */
export const LISTEN_PORTS = { low: 20_000, high: ephemeralLow() - 1 };

/** How long a port picked by one process stays promised to it (until its server has bound it). */
const RESERVATION_MS = 120_000;

/**
 * One file per promised port, shared by every process on the machine that picks ports this way
 * (test files run in parallel, each with servers of its own).
 */
const RESERVATIONS = join(tmpdir(), 'flink-session-operator-ports');

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 21_000) return low;
  } catch {
    // not Linux
  }
  // the IANA dynamic range's start (Linux's default range starts there too)
  return 32_768;
}

/**
 * Promises `port` to this process: false while another pick (of any process) made in the last
 * `ttlMs` holds it. A reservation older than that is taken over (renamed away first, so of two
 * processes taking over the same one only one succeeds).
 */
export function reservePort(port: number, dir = RESERVATIONS, ttlMs = RESERVATION_MS, now = Date.now()): boolean {
  mkdirSync(dir, { recursive: true });
  return claimFile(join(dir, String(port)), ttlMs, now);
}

/**
 * A port on 127.0.0.1 for a server about to start: below the ephemeral range, free now, and
 * promised to this process for two minutes, so no other pick hands it out meanwhile.
 */
export async function freePort(): Promise<number> {
  const { low, high } = LISTEN_PORTS;
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const port = randomInt(low, high + 1);
    if (reservePort(port) && (await portIsFree(port))) return port;
  }
  throw new Error(`no free port between ${low} and ${high} on 127.0.0.1 after 1,000 tries`);
}

/** Several distinct free ports at once. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Whether `port` can be bound now, on every address (so on 127.0.0.1 too). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
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
