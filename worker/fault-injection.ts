// Deliberate crashes for crash-safety tests and chaos drills, off unless FSO_FAULT_SIGKILL is set:
//   before:<activityType>        SIGKILL the worker the moment that activity starts, i.e. right at the
//                                step boundary: everything before it is recorded in Temporal, it is not
//   during:<activityType>:<ms>   SIGKILL the worker <ms> after that activity started
// The worker kills itself once; the worker started after it (without the variable) finishes the work.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export type FaultPlan = { when: 'before'; activity: string } | { when: 'during'; activity: string; afterMs: number };

export function parseFaultPlan(text: string | undefined): FaultPlan | undefined {
  if (!text) return undefined;
  const before = /^before:([A-Za-z][A-Za-z0-9]*)$/.exec(text);
  if (before) return { when: 'before', activity: before[1]! };
  const during = /^during:([A-Za-z][A-Za-z0-9]*):(\d+)$/.exec(text);
  if (during) return { when: 'during', activity: during[1]!, afterMs: Number(during[2]) };
  throw new Error(`FSO_FAULT_SIGKILL must be before:<activityType> or during:<activityType>:<ms> (got "${text}")`);
}

export function faultInjector(plan: FaultPlan, log: (message: string) => void): ActivityInterceptorsFactory {
  const die = (why: string): void => {
    log(`fault injection: SIGKILL ${why}`);
    process.kill(process.pid, 'SIGKILL');
  };
  return (ctx) => ({
    inbound: {
      execute: (input, next) => {
        if (ctx.info.activityType === plan.activity) {
          if (plan.when === 'before') die(`before ${plan.activity}`);
          else setTimeout(() => die(`${plan.afterMs} ms into ${plan.activity}`), plan.afterMs);
        }
        return next(input);
      },
    },
  });
}
