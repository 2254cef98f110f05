// What the Temporal UI shows of a session's run, as the server stores it: a summary on every activity
// call, and current details that follow the step (the UI reads them with the
// __temporal_workflow_metadata query). The run's summary and static details, which the watcher's
// signal-with-start sets, are checked on the real dev server with the rendered page
// (test/ui/temporal-ui.test.ts): the time-skipping test server does not keep them.
import type proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { IDLE } from '../../model/session-details.ts';
import { historySteps } from '../support/history-steps.ts';
import { MINIMAL_SPEC, type SessionUnderTest } from '../support/time-skipping.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

const SPEC: FlinkSessionSpec = {
  ...MINIMAL_SPEC,
  autoClean: true,
  s3: { endPoint: 'http://s3.example.invalid', bucket: 'ui-state', credentialsSecret: { name: 's3-credentials' } },
  ha: { type: 'zookeeper', quorum: 'zk.example.invalid:2181', path: '/flink' },
};
import { READY } from '../support/workflow-steps.ts';

type Metadata = proto.temporal.api.sdk.v1.IWorkflowMetadata;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

const { session } = workflowSuite({ spec: SPEC });

async function history(s: SessionUnderTest): Promise<HistoryEvent[]> {
  return (await s.handle.fetchHistory()).events ?? [];
}

/** The summaries of the run's activity calls, local activities included, in order. */
const activitySummaries = (events: HistoryEvent[]): string[] => historySteps(events).map((step) => step.summary ?? `(no summary: ${step.type})`);

const currentDetails = async (s: SessionUnderTest): Promise<string> => (await s.handle.query<Metadata>('__temporal_workflow_metadata')).currentDetails ?? '';

/** The details once the run has taken in the step that was awaited (waitFor returns while that activity still runs). */
async function settledDetails(s: SessionUnderTest, done: (details: string) => boolean): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const details = await currentDetails(s);
    if (done(details) || Date.now() > deadline) return details;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the Temporal UI's view of a session run (time-skipping test server)", () => {
  it('every activity call of a redeploy carries a summary that names what it works on', async () => {
    const s = await session();
    await s.specChanged(1);
    await s.waitFor(READY);
    await s.specChanged(2);
    await s.waitFor((lines) => lines.filter((l) => l === READY).length === 2);

    const summaries = activitySummaries(await history(s));
    expect(summaries.filter((line) => line.startsWith('(no summary'))).toEqual([]);
    const key = `${s.namespace}/${s.name}`;
    expect(summaries).toEqual(
      expect.arrayContaining([
        `validate generation 2 of ${key} (operator rules, API server dry run)`,
        `delete JobManager Deployment ${key}`,
        `wait for the pods, Services and ConfigMaps of Flink cluster ${key} to go`,
        `delete the znodes under /flink/${s.name} on zk.example.invalid:2181`,
        `purge s3://ui-state/${s.name}/flink/ha/ and s3://ui-state/${s.name}/flink/checkpoints/`,
        expect.stringMatching(new RegExp(`^wait for JobManager ${key} to serve \\(launched by Job ${s.name}-launch-g2-[a-z0-9]{6}-0\\)$`)),
        `report Running/JobManagerReady in the status of ${key}`,
      ]),
    );
  });

  it("a history recorded before the summaries (none on its events) replays with today's code: adding them breaks no running session", async () => {
    const s = await session();
    await s.specChanged(1);
    await s.waitFor(READY);
    const recorded = await s.handle.fetchHistory();
    const withoutSummaries = { ...recorded, events: (recorded.events ?? []).map((event) => ({ ...event, userMetadata: null })) };
    expect(activitySummaries(withoutSummaries.events).every((line) => line.startsWith('(no summary'))).toBe(true);
    await Worker.runReplayHistory(
      { workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)), replayName: 'before summaries' },
      withoutSummaries,
      s.handle.workflowId,
    );
  });

  it('the current details follow the step: phase, generation, the step and what it waits for; then idle', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    const s = await session({
      overrides: {
        // The second deploy's wait for the JobManager is held until the test has read the details.
        waitForJobManagerReady: async ({ ref }) => {
          if (ref.generation === 2) {
            holding = true;
            await held;
          }
          return { deployment: ref.name, restService: `${ref.name}-rest` };
        },
      },
    });
    await s.specChanged(1);
    await s.waitFor(READY);
    expect(await settledDetails(s, (d) => d.includes(IDLE))).toBe(
      `FlinkSession ${s.namespace}/${s.name}: **Running**, generation 1 deployed\n\n- step: none\n- waiting for: ${IDLE}`,
    );

    await s.specChanged(2);
    await s.waitFor((lines) => lines.includes('waitForJobManagerReady') && lines.lastIndexOf('waitForJobManagerReady') > lines.indexOf(READY));
    // The activity is held once its answer runs, a moment after it was recorded.
    for (const deadline = Date.now() + 10_000; !holding && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 20));
    let waiting: string;
    try {
      expect(holding).toBe(true);
      waiting = await currentDetails(s);
    } finally {
      release();
    }
    expect(waiting).toContain(`FlinkSession ${s.namespace}/${s.name}: **Redeploying**, generation 2 wanted, 1 deployed\n\n- step: wait for JobManager ready\n`);
    expect(waiting).toMatch(new RegExp(`- waiting for: wait for JobManager ${s.namespace}/${s.name} to serve \\(launched by Job ${s.name}-launch-g2-`));

    await s.waitFor((lines) => lines.filter((l) => l === READY).length === 2);
    expect(await settledDetails(s, (d) => d.includes(IDLE))).toContain(
      `FlinkSession ${s.namespace}/${s.name}: **Running**, generation 2 deployed\n\n- step: none\n`,
    );
  });
});
