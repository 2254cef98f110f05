export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked before each try: a reason string ends the wait at once (e.g. the server exited). */
  giveUpIf?: () => string | undefined;
}

/**
 * Calls `check` until it returns a value (anything but undefined). Errors thrown by `check` count as
 * "not yet"; the last one is named in the timeout error, with `what` was awaited.
 */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const reason = options.giveUpIf?.();
    if (reason !== undefined) throw new Error(`gave up waiting for ${what}: ${reason}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error: unknown) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
  const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${detail}`);
}
