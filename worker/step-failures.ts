// Around every activity: a failure leaves the step as a readable error (the API server's message, not
// the client library's dump), non-retryable when no retry can change it (a request the API server
// refuses as invalid), and, while Temporal retries it, visible with kubectl (activities/step-retry-report.ts).
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { ReportStepRetry } from '../activities/step-retry-report.ts';
import { apiMessage, apiStatusCode, isPermanentApiError } from '../kube/errors.ts';
import { sessionFieldsOf } from './session-fields.ts';

/** Steps that report to kubectl themselves: reporting their own failures would fail the same way. */
const NOT_REPORTED = new Set(['reportStatus', 'recordEvent']);
/** A report must not hold up the retry for long: an API server that does not answer is the likely cause. */
const REPORT_TIMEOUT_MS = 5_000;

/** A Kubernetes API error as the failure Temporal records; other errors as they are. */
export function stepFailure(error: unknown): unknown {
  const code = apiStatusCode(error);
  if (code === undefined) return error;
  const message = `${apiMessage(error)} (HTTP ${code})`;
  return isPermanentApiError(error) ? ApplicationFailure.nonRetryable(message, 'ApiRequestInvalid') : ApplicationFailure.retryable(message, 'ApiError');
}

const willRetry = (failure: unknown): boolean => !(failure instanceof ApplicationFailure && failure.nonRetryable);

export function stepFailureInterceptor(report: ReportStepRetry, warn: (message: string, fields: object) => void): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (error: unknown) {
          const failure = stepFailure(error);
          const { namespace, name } = sessionFieldsOf(input.args);
          const { activityType, attempt, workflowExecution, activityId } = ctx.info;
          if (willRetry(failure) && namespace && name && !NOT_REPORTED.has(activityType) && !ctx.cancellationSignal.aborted) {
            const text = failure instanceof Error ? failure.message : String(failure);
            const reported = report({
              namespace,
              name,
              step: activityType,
              attempt,
              error: text,
              callKey: `${workflowExecution?.runId ?? 'standalone'}/${activityId}`,
            });
            const timeout = new Promise<void>((resolve) => setTimeout(resolve, REPORT_TIMEOUT_MS).unref());
            await Promise.race([reported, timeout]).catch((reportError: unknown) =>
              warn('could not report a retrying step to the FlinkSession', {
                step: activityType,
                error: reportError instanceof Error ? reportError.message : String(reportError),
              }),
            );
          }
          throw failure;
        }
      },
    },
  });
}
