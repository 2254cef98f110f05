// Kubernetes-style status conditions, shared by the FlinkSession's and the FlinkSessionJob's status:
// a condition keeps its lastTransitionTime while its status stays the same. Pure logic, no I/O.

/** The shape both CRDs give a condition. */
export interface StatusCondition<T extends string = string> {
  type: T;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** Makes conditions for `generation` at `now`, each keeping the transition time of its previous one when its status is unchanged. */
export function conditionMaker<C extends StatusCondition>(previousConditions: readonly C[] | undefined, generation: number | undefined, now: string) {
  const previous = new Map((previousConditions ?? []).map((c) => [c.type, c]));
  return (type: C['type'], status: boolean, reason: string, message: string): C => {
    const value = status ? 'True' : 'False';
    const before = previous.get(type);
    return {
      type,
      status: value,
      observedGeneration: generation,
      lastTransitionTime: before && before.status === value ? before.lastTransitionTime : now,
      reason,
      message,
    } as C;
  };
}
