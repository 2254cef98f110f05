import { randomInt } from 'node:crypto';
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';

/**
 * Claims `file` for this process among all processes of the machine that claim it this way: true
 * when it did not exist, or when the claim in it is older than `ttlMs` (its holder is taken for gone).
 * A stale claim is renamed away first, so of two processes taking it over only one succeeds.
 */
export function claimFile(file: string, ttlMs: number, now = Date.now()): boolean {
  try {
    writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (error: unknown) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  try {
    if (now - statSync(file).mtimeMs < ttlMs) return false;
    const stale = `${file}.${process.pid}.${randomInt(1e9)}`;
    renameSync(file, stale);
    rmSync(stale, { force: true });
    writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch {
    // another process took it over first
    return false;
  }
}
