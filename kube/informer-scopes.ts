// One restarting informer per watched namespace, or one over every namespace, read as one. The
// watcher's FlinkSession, FlinkSessionJob and JobManager Deployment informers are set up here, so
// each names what it watches and what it does with an event, and nothing else.
import type { KubernetesObject } from '@kubernetes/client-node';
import { startRestartingInformer, type RestartingInformer, type RestartingInformerOptions } from './restarting-informer.ts';

/** How log lines and /readyz name the informer of a namespace, or of every namespace (undefined). */
const scopeName = (namespace: string | undefined): string => namespace ?? '(all namespaces)';

/** Where an informer watches `plural` of `api` (`/api/v1`, `/apis/apps/v1`, …): in one namespace, or in all. */
export function watchPath(api: string, plural: string, namespace: string | undefined): string {
  return namespace === undefined ? `${api}/${plural}` : `${api}/namespaces/${namespace}/${plural}`;
}

export interface ScopedInformers<T extends KubernetesObject> {
  /** Resolves once every scope's first list is in, or its first attempt failed (a restart is on its way). */
  start(): Promise<void>;
  /** The scopes whose informer is failing (scopeName), for /readyz. */
  failing(): string[];
  /** What every scope's informer holds. */
  list(): T[];
  stop(): Promise<void>;
}

/**
 * One informer per namespace of `namespaces` (repeats dropped), or one over all namespaces when it is
 * empty or absent. `optionsFor` gives a scope's informer its path, list and handlers.
 */
export function scopedInformers<T extends KubernetesObject>(
  namespaces: readonly string[] | undefined,
  optionsFor: (namespace: string | undefined, scope: string) => RestartingInformerOptions<T>,
): ScopedInformers<T> {
  const scopes: Array<string | undefined> = namespaces?.length ? [...new Set(namespaces)] : [undefined];
  const informers: Array<{ scope: string; informer: RestartingInformer<T> }> = scopes.map((namespace) => ({
    scope: scopeName(namespace),
    informer: startRestartingInformer(optionsFor(namespace, scopeName(namespace))),
  }));
  return {
    start: async () => void (await Promise.all(informers.map(({ informer }) => informer.start()))),
    failing: () => informers.filter(({ informer }) => informer.failing()).map(({ scope }) => scope),
    list: () => informers.flatMap(({ informer }) => informer.list()),
    stop: async () => void (await Promise.all(informers.map(({ informer }) => informer.stop()))),
  };
}
