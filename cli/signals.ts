// SIGINT/SIGTERM for the long-running commands, listened to from the moment the command starts (the
// Temporal SDK's own shutdown signals are off, see worker/runtime.ts): a Ctrl-C during start-up stops
// what has started instead of killing the process halfway or being taken by the SDK.
export interface Signalled {
  /** Resolves with the first SIGINT or SIGTERM. */
  readonly received: Promise<NodeJS.Signals>;
  /** Whether one has arrived. */
  readonly arrived: boolean;
}

export function listenForStop(): Signalled {
  let arrived = false;
  const received = new Promise<NodeJS.Signals>((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      arrived = true;
      resolve(signal);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
  return {
    received,
    get arrived() {
      return arrived;
    },
  };
}

/** Runs until a signal (exit code 0) or until `done` settles on its own (1); stops either way. */
export async function runUntilStopped(signalled: Signalled, done: Promise<void>, stop: () => Promise<void>, report: (error: unknown) => void): Promise<number> {
  const outcome = await Promise.race([
    signalled.received.then(() => 'signal' as const),
    done.then(
      () => 'ended' as const,
      (error: unknown) => {
        report(error);
        return 'ended' as const;
      },
    ),
  ]);
  await stop();
  return outcome === 'signal' ? 0 : 1;
}
