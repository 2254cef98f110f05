import * as k8s from '@kubernetes/client-node';
import { inject } from 'vitest';
import { pollUntil } from '../../stack/poll.ts';
import type { StackEndpoints } from '../../stack/stack.ts';
import { ConnectionReusingKubeConfig } from '../../kube/connection-reuse.ts';

export function stackEndpoints(): StackEndpoints {
  return inject('stack');
}

/**
 * The stack's admin kubeconfig, with one connection pool for all its requests (as the operator has):
 * the tests' own reads and the kubelets' writes would otherwise make a TLS handshake each, on both
 * sides (the API server's CPU is the suite's too).
 */
export function kubeConfig(endpoints: StackEndpoints = stackEndpoints()): k8s.KubeConfig {
  const kc = new ConnectionReusingKubeConfig();
  kc.loadFromFile(endpoints.kubernetes.kubeconfig);
  return kc;
}

/** Polls until `check` returns a value (not undefined); the timeout error names what was awaited. */
export function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  return pollUntil(what, check, { timeoutMs, intervalMs: 250 });
}

/** A short random suffix so tests never collide on names. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}
