// Deliberate crashes for crash-safety tests and chaos drills, off unless FSO_FAULT_SIGKILL is set:
//   before:<activityType>        SIGKILL the worker the moment that activity starts, i.e. right at the
//                                step boundary: everything before it is recorded in Temporal, it is not
//   during:<activityType>:<ms>   SIGKILL the worker <ms> after that activity started
//   heartbeat:<activityType>:<n> SIGKILL the worker at that activity's n-th heartbeat, i.e. inside its
//                                poll at a known point (a stop: once the savepoint trigger was sent and
//                                polled), whatever the machine's speed; the details it was heartbeating
//                                are logged. The first heartbeat is sent at once, so with n ≥ 2 Temporal
//                                has had the earlier ones (a retry resumes from them); with n = 1 it
//                                may have none (a retry starts over)
//   after:<activityType>         SIGKILL the worker once that activity did its work, before Temporal
//                                hears of it: the retry runs it again (is it idempotent?)
// For a local activity (workflows/session.ts, PATCHES.localApiSteps) "recorded in Temporal" means its
// workflow task completed: the local activities of the task it dies in are not, and the next worker
// runs them all again once that workflow task timed out.
// The worker kills itself once; the worker started after it (without the variable) finishes the work.
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export type FaultPlan =
  | { when: 'before'; activity: string }
  | { when: 'after'; activity: string }
  | { when: 'during'; activity: string; afterMs: number }
  | { when: 'heartbeat'; activity: string; count: number };

export function parseFaultPlan(text: string | undefined): FaultPlan | undefined {
  if (!text) return undefined;
  const edge = /^(before|after):([A-Za-z][A-Za-z0-9]*)$/.exec(text);
  if (edge) return { when: edge[1] as 'before' | 'after', activity: edge[2]! };
  const during = /^during:([A-Za-z][A-Za-z0-9]*):(\d+)$/.exec(text);
  if (during) return { when: 'during', activity: during[1]!, afterMs: Number(during[2]) };
  const heartbeat = /^heartbeat:([A-Za-z][A-Za-z0-9]*):([1-9]\d*)$/.exec(text);
  if (heartbeat) return { when: 'heartbeat', activity: heartbeat[1]!, count: Number(heartbeat[2]) };
  throw new Error(
    `FSO_FAULT_SIGKILL must be before:<activityType>, after:<activityType>, during:<activityType>:<ms> or heartbeat:<activityType>:<n ≥ 1> (got "${text}")`,
  );
}

/** The SDK's Context sends a heartbeat through this function (set by the worker, per activity). */
type Heartbeating = { heartbeatFn: (details?: unknown) => void };

export function faultInjector(plan: FaultPlan, log: (message: string) => void): ActivityInterceptorsFactory {
  const die = (why: string): void => {
    log(`fault injection: SIGKILL ${why}`);
    process.kill(process.pid, 'SIGKILL');
  };
  /** Counts the activity's heartbeats; the n-th is handed on, then the worker dies. */
  const dieAtHeartbeat = (ctx: Context, count: number): void => {
    const heartbeating = ctx as unknown as Heartbeating;
    const send = heartbeating.heartbeatFn;
    let seen = 0;
    heartbeating.heartbeatFn = (details?: unknown) => {
      send(details);
      seen += 1;
      if (seen === count) die(`at heartbeat ${count} of ${plan.activity}, details ${JSON.stringify(details)}`);
    };
  };
  return (ctx) => ({
    inbound: {
      execute: async (input, next) => {
        if (ctx.info.activityType !== plan.activity) return next(input);
        if (plan.when === 'before') die(`before ${plan.activity}`);
        else if (plan.when === 'during') setTimeout(() => die(`${plan.afterMs} ms into ${plan.activity}`), plan.afterMs);
        else if (plan.when === 'heartbeat') dieAtHeartbeat(ctx, plan.count);
        const result: unknown = await next(input);
        if (plan.when === 'after') die(`after ${plan.activity} did its work`);
        return result;
      },
    },
  });
}
