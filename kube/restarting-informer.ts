// An informer that keeps watching. The client's informer (ListWatch) gives up for good after an error
// (it carries on by itself only after a timeout or a 410), and its stop() ends the watch with an error
// too. This one replaces it by a fresh, freshly listed informer after an error (with backoff) and
// every `relistMs` (so an event lost anywhere is made up for); events of a replaced informer are
// dropped, and stop() clears every timer, so nothing starts watching again after it.
import { makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ListPromise, type ObjectCache } from '@kubernetes/client-node';

const MAX_BACKOFF_MS = 30_000;

/** 1 s (or `baseMs`) doubling per failure, at most 30 s. */
export function backoffMs(failures: number, baseMs = 1_000): number {
  return Math.min(baseMs * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);
}

export type StartReason = 'start' | 'restart after an error' | 'periodic relist';

export interface RestartingInformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  /** The watch path, e.g. `/apis/apps/v1/namespaces/ns/deployments`. */
  path: string;
  list: ListPromise<T>;
  labelSelector?: string;
  /** Replace the informer by a freshly listed one this often; undefined: only after an error. */
  relistMs?: number;
  /** First delay of a restart after an error (default 1 s); doubles up to 30 s. */
  retryBaseMs?: number;
  /** Called on every object before it is cached and handed on (e.g. to trim what is not read). */
  trim?: (object: T) => void;
  onAdd?: (object: T) => void;
  onUpdate?: (object: T) => void;
  onDelete?: (object: T) => void;
  onStarting?: (why: StartReason) => void;
  /** A fresh list is in and the watch runs: `cache` holds what the list held. */
  onSynced?: (cache: ObjectCache<T>, why: StartReason) => void;
  /** The informer failed and is restarted in `retryInMs`. */
  onFailed?: (error: unknown, retryInMs: number) => void;
}

export interface RestartingInformer<T extends KubernetesObject> {
  /** Resolves once the first list is in, or the first attempt failed (a restart is then on its way). */
  start(): Promise<void>;
  /** Whether the last attempt failed (and no list has come in since). */
  failing(): boolean;
  /** The objects of the last informer that finished its list (a relist starts empty). */
  list(): readonly T[];
  stop(): Promise<void>;
}

type ClientInformer<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export function startRestartingInformer<T extends KubernetesObject>(options: RestartingInformerOptions<T>): RestartingInformer<T> {
  const retryBaseMs = options.retryBaseMs ?? 1_000;
  let current: ClientInformer<T> | undefined;
  let synced: ClientInformer<T> | undefined;
  let failures = 0;
  let stopped = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let relistTimer: NodeJS.Timeout | undefined;

  async function replace(why: StartReason): Promise<void> {
    if (stopped) return;
    const previous = current;
    const informer: ClientInformer<T> = makeInformer(options.kubeConfig, options.path, options.list, options.labelSelector);
    current = informer;
    await previous?.stop();
    let failed = false;
    const live = (): boolean => !stopped && current === informer;
    const handOn =
      (handler: ((object: T) => void) | undefined, trim: boolean) =>
      (object: T): void => {
        if (trim) options.trim?.(object);
        if (live()) handler?.(object);
      };
    informer.on('add', handOn(options.onAdd, true));
    informer.on('update', handOn(options.onUpdate, true));
    informer.on('delete', handOn(options.onDelete, false));
    const failedWith = (error: unknown): void => {
      // A replaced or stopped informer's watch ends with an error too: that one is not a failure.
      if (!live() || failed) return;
      failed = true;
      failures += 1;
      const delay = backoffMs(failures, retryBaseMs);
      options.onFailed?.(error, delay);
      clearTimeout(restartTimer);
      restartTimer = setTimeout(() => {
        restartTimer = undefined;
        void replace('restart after an error');
      }, delay);
    };
    informer.on('error', failedWith);
    options.onStarting?.(why);
    try {
      await informer.start();
    } catch (error: unknown) {
      failedWith(error);
    }
    if (failed || !live()) return;
    failures = 0;
    synced = informer;
    options.onSynced?.(informer, why);
  }

  return {
    async start() {
      if (options.relistMs !== undefined && relistTimer === undefined) {
        relistTimer = setInterval(() => {
          if (restartTimer === undefined) void replace('periodic relist');
        }, options.relistMs);
      }
      await replace('start');
    },
    failing: () => failures > 0,
    list: () => synced?.list() ?? [],
    async stop() {
      stopped = true;
      clearInterval(relistTimer);
      clearTimeout(restartTimer);
      const informer = current;
      current = undefined;
      await informer?.stop();
    },
  };
}
