// The conditions of the FlinkSessions in the watcher's caches as Prometheus samples, one per session
// and condition type: 1 when it is True, 0 otherwise (also when the session has no status yet), so an
// alert can ask "not Ready for 15 minutes" per session. Pure: the watcher hands in its cache.

/** The parts of a FlinkSession this reads. */
export interface SessionConditionsView {
  metadata: { namespace?: string; name?: string };
  status?: { conditions?: ReadonlyArray<{ type: string; status: string }> };
}

const SESSION_CONDITION_TYPES = ['Ready', 'Progressing', 'Degraded'] as const;

export interface ConditionSample {
  labels: { namespace: string; name: string; condition: (typeof SESSION_CONDITION_TYPES)[number] };
  value: 0 | 1;
}

export function sessionConditionSamples(sessions: readonly SessionConditionsView[]): ConditionSample[] {
  return sessions.flatMap(({ metadata, status }) => {
    if (!metadata.namespace || !metadata.name) return [];
    const { namespace, name } = metadata;
    return SESSION_CONDITION_TYPES.map((condition) => ({
      labels: { namespace, name, condition },
      value: status?.conditions?.some((c) => c.type === condition && c.status === 'True') ? 1 : 0,
    }));
  });
}
