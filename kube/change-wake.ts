// What a wait looks at again as soon as the API server reports a change to it, instead of after a
// fixed poll interval. The wait still checks by reading, as before; the watches only say when to look
// again. A watch that cannot be opened, or ends, costs latency only: the wait then looks again after
// its interval, as a plain poll would.
import { Watch, type KubeConfig } from '@kubernetes/client-node';

/** Kubernetes watch event types. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchedResources {
  /** A collection's path, e.g. `/api/v1/namespaces/ns/pods`. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * The events worth looking again for. A watch opens with an ADDED event for every object already
   * there, so a wait for objects to go listens to DELETED (and MODIFIED) only.
   */
  wakeOn: readonly WatchEventType[];
}

export interface ChangeWake {
  /** Settles once every watch is open (or failed to open): a change from then on is seen. */
  opened: Promise<void>;
  /** Resolves at the first change seen since the last call (at once if one came meanwhile), at the latest after `maxMs`. */
  next(maxMs: number): Promise<void>;
  /** Ends the watches (and a pending next). */
  close(): void;
}

/** How soon a watch that ended is opened again. */
const REOPEN_MS = 1_000;

/**
 * Opens one watch per collection; errors are not raised (the wait falls back to its interval). A watch
 * the API server refuses (e.g. 403: the role lacks `watch`) is told to `refused`, with its path and
 * the server's answer, so that a missing permission is seen rather than only slowing the waits.
 */
export function watchForChanges(
  kubeConfig: KubeConfig,
  collections: readonly WatchedResources[],
  refused: (path: string, answer: string) => void = () => undefined,
): ChangeWake {
  let changed = false;
  let closed = false;
  let wake: (() => void) | undefined;
  const watches = new Set<AbortController>();
  const seen = (): void => {
    changed = true;
    wake?.();
  };
  const watch = new Watch(kubeConfig);
  const open = async ({ path, labelSelector, fieldSelector, wakeOn }: WatchedResources): Promise<void> => {
    const query = { ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) };
    const wakes = (type: string): boolean => (wakeOn as readonly string[]).includes(type);
    // A watch the server ended (its timeout, 30 s without events on the client's side) is opened again;
    // one refused (403, 404) is not: this wait then looks again after its interval only.
    const ended = (error: unknown): void => {
      if (closed) return;
      if (error instanceof Error && 'statusCode' in error) {
        refused(path, `${error.message} (HTTP ${String(error.statusCode)})`);
        return;
      }
      setTimeout(() => void open({ path, labelSelector, fieldSelector, wakeOn }), REOPEN_MS).unref();
    };
    try {
      const controller = await watch.watch(path, query, (type: string) => (wakes(type) ? seen() : undefined), ended);
      if (closed) controller.abort();
      else watches.add(controller);
    } catch {
      // Not watched (no current cluster): this wait looks again after its interval.
    }
  };
  return {
    opened: Promise.all(collections.map(open)).then(() => undefined),
    next(maxMs) {
      if (changed || closed) {
        changed = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          wake = undefined;
          changed = false;
          resolve();
        };
        const timer = setTimeout(done, maxMs);
        wake = done;
      });
    },
    close() {
      closed = true;
      watches.forEach((controller) => controller.abort());
      watches.clear();
      wake?.();
    },
  };
}

/** The path of a namespaced collection: `v1` for the core group, else `group/version` (e.g. `apps/v1`). */
export function namespacedPath(groupVersion: string, plural: string, namespace: string): string {
  const root = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
  return `${root}/namespaces/${namespace}/${plural}`;
}
