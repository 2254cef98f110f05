// Around every activity (one step of a session's run): a log line with the session's namespace, name
// and generation when the step ends, and its duration in the step-duration histogram.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { STEP_DURATION } from '../observability/metric-names.ts';
import { sessionFieldsOf } from './session-fields.ts';

export const stepInterceptor: ActivityInterceptorsFactory = (ctx) => {
  let session = {};
  return {
    inbound: {
      async execute(input, next) {
        session = sessionFieldsOf(input.args);
        const started = performance.now();
        const histogram = ctx.metricMeter.createHistogram(STEP_DURATION.name, 'float', 's', STEP_DURATION.description);
        const finished = (outcome: 'ok' | 'error', error?: unknown): void => {
          const seconds = (performance.now() - started) / 1000;
          histogram.record(seconds, { outcome });
          const fields = { seconds, outcome, ...(error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) }) };
          if (outcome === 'ok') ctx.log.info(`step ${ctx.info.activityType} done`, fields);
          else ctx.log.warn(`step ${ctx.info.activityType} failed`, fields);
        };
        try {
          const result: unknown = await next(input);
          finished('ok');
          return result;
        } catch (error: unknown) {
          finished('error', error);
          throw error;
        }
      },
    },
    outbound: {
      // Every line an activity logs (the SDK's own included) names the session it is about; the SDK's
      // `namespace` (Temporal's) becomes temporalNamespace, so `namespace` is always Kubernetes's. The
      // task token (long, and a credential for completing the activity) stays out of the logs.
      getLogAttributes: ({ namespace, taskToken: _taskToken, ...attributes }, next) => next({ ...attributes, temporalNamespace: namespace, ...session }),
    },
  };
};
