// When FlinkSessions become Ready, as the API server tells it (a watch of the namespace's sessions,
// opened again if the server ends it first): the benchmarks' figures then hold no poll interval.
import * as k8s from '@kubernetes/client-node';
import type { FlinkSession } from '../model/flinksession.ts';
import { API_GROUP, API_VERSION, FLINKSESSION_PLURAL } from '../model/names.ts';
import { isReadyAt } from '../test/support/sessions.ts';

/**
 * Starts watching; once the watch is open, answers the moment (Date.now()) every one of `names` is
 * Ready at `generation` (or a failure after `timeoutMs`).
 */
export async function watchReady(
  kc: k8s.KubeConfig,
  namespace: string,
  names: readonly string[],
  generation: number,
  timeoutMs: number,
): Promise<{ readyAt: Promise<number> }> {
  const waiting = new Set(names);
  let settle!: { resolve: (at: number) => void; reject: (error: unknown) => void };
  const readyAt = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
  let done = false;
  let current: AbortController | undefined;
  const end = (outcome: () => void): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    current?.abort();
    outcome();
  };
  const what = names.length === 1 ? `${namespace}/${names[0]}` : `${waiting.size} sessions of ${namespace}`;
  const timer = setTimeout(() => end(() => settle.reject(new Error(`${what} not Ready at generation ${generation} within ${timeoutMs} ms`))), timeoutMs);
  const open = async (): Promise<void> => {
    current = await new k8s.Watch(kc).watch(
      `/apis/${API_GROUP}/${API_VERSION}/namespaces/${namespace}/${FLINKSESSION_PLURAL}`,
      {},
      (_type, session: FlinkSession) => {
        if (isReadyAt(session, generation)) waiting.delete(session.metadata.name);
        if (waiting.size === 0) end(() => settle.resolve(Date.now()));
      },
      () => {
        if (!done) void open();
      },
    );
    if (done) current.abort();
  };
  await open();
  readyAt.catch(() => undefined); // awaited once the operation is made; a failure meanwhile is not unhandled
  return { readyAt };
}
