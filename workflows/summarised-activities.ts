// The session workflow's activities, each call carrying a summary for the Temporal UI, computed from
// the activity's name and input (model/step-summaries.ts), and told to the run's progress, so its
// current details say what the run waits for. Call sites stay plain activity calls.
import { proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { fitted, STEP_SUMMARIES, SUMMARY_MAX_BYTES } from '../model/step-summaries.ts';

/** Every activity needs a summary: a new activity without one does not compile. */
const SUMMARIES: { [K in keyof Activities]: (...args: Parameters<Activities[K]>) => string } = STEP_SUMMARIES;

/** Hears of every call: its summary when scheduled, and when it ended (either way). */
export interface CallListener {
  calling(summary: string): void;
  ended(): void;
}

type AnyActivity = ((...args: unknown[]) => Promise<unknown>) & { executeWithOptions(options: { summary: string }, args: unknown[]): Promise<unknown> };

/** Like proxyActivities(options), with every call summarised. */
export function summarisedActivities(options: ActivityOptions, listener?: CallListener): Activities {
  return summarised(proxyActivities<Activities>(options), listener);
}

/**
 * Like proxyLocalActivities(options), with every call summarised: a local activity runs in the worker
 * that runs the workflow task, and leaves one MarkerRecorded event (named by its activity type, with
 * the summary) instead of three activity events and a workflow task of its own.
 */
export function summarisedLocalActivities(options: LocalActivityOptions, listener?: CallListener): Activities {
  return summarised(proxyLocalActivities<Activities>(options), listener);
}

function summarised(activities: Activities, listener: CallListener | undefined): Activities {
  const proxy = activities as unknown as Record<string, AnyActivity>;
  const summaries = SUMMARIES as unknown as Record<string, (...args: unknown[]) => string>;
  const call =
    (name: string) =>
    async (...args: unknown[]): Promise<unknown> => {
      const summary = fitted(summaries[name]!(...args), SUMMARY_MAX_BYTES);
      listener?.calling(summary);
      try {
        return await proxy[name]!.executeWithOptions({ summary }, args);
      } finally {
        listener?.ended();
      }
    };
  return Object.fromEntries(Object.keys(SUMMARIES).map((name) => [name, call(name)])) as unknown as Activities;
}
