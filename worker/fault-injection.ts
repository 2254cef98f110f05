// Deliberate crashes for crash-safety tests and chaos drills, off unless FSO_FAULT_SIGKILL is set:
//   before:<activityType>        SIGKILL the worker the moment that activity starts, i.e. right at the
//                                step boundary: everything before it is recorded in Temporal, it is not
//   during:<activityType>:<ms>   SIGKILL the worker <ms> after that activity started
//   after:<activityType>         SIGKILL the worker once that activity did its work, before Temporal
//                                hears of it: the retry runs it again (is it idempotent?)
// The worker kills itself once; the worker started after it (without the variable) finishes the work.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export type FaultPlan = { when: 'before'; activity: string } | { when: 'after'; activity: string } | { when: 'during'; activity: string; afterMs: number };

export function parseFaultPlan(text: string | undefined): FaultPlan | undefined {
  if (!text) return undefined;
  const edge = /^(before|after):([A-Za-z][A-Za-z0-9]*)$/.exec(text);
  if (edge) return { when: edge[1] as 'before' | 'after', activity: edge[2]! };
  const during = /^during:([A-Za-z][A-Za-z0-9]*):(\d+)$/.exec(text);
  if (during) return { when: 'during', activity: during[1]!, afterMs: Number(during[2]) };
  throw new Error(`FSO_FAULT_SIGKILL must be before:<activityType>, after:<activityType> or during:<activityType>:<ms> (got "${text}")`);
}

export function faultInjector(plan: FaultPlan, log: (message: string) => void): ActivityInterceptorsFactory {
  const die = (why: string): void => {
    log(`fault injection: SIGKILL ${why}`);
    process.kill(process.pid, 'SIGKILL');
  };
  return (ctx) => ({
    inbound: {
      execute: async (input, next) => {
        if (ctx.info.activityType !== plan.activity) return next(input);
        if (plan.when === 'before') die(`before ${plan.activity}`);
        else if (plan.when === 'during') setTimeout(() => die(`${plan.afterMs} ms into ${plan.activity}`), plan.afterMs);
        const result: unknown = await next(input);
        if (plan.when === 'after') die(`after ${plan.activity} did its work`);
        return result;
      },
    },
  });
}
