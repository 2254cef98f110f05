// The session's quick API steps as local activities (workflows/session.ts, PATCHES.localApiSteps): a
// redeploy's history stays small, every step is still in it (a marker named by its activity type, with
// its summary for the Temporal UI), and a run recorded before the patch replays with today's code.
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { historySteps } from '../support/history-steps.ts';
import { type SessionUnderTest } from '../support/time-skipping.ts';
import { AUTO_CLEAN_SPEC, READY } from '../support/workflow-steps.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const { History } = proto.temporal.api.history.v1;

/** The goal of issue 15: a redeploy under 60 history events (117 here before, 19 activities each with a workflow task of its own). */
const REDEPLOY_EVENTS_AT_MOST = 59;

const { session } = workflowSuite();

async function history(s: SessionUnderTest): Promise<HistoryEvent[]> {
  return (await s.handle.fetchHistory()).events ?? [];
}

/** The events from the signal that started the second deploy on: the redeploy, up to Ready. */
async function redeployed(s: SessionUnderTest): Promise<HistoryEvent[]> {
  await s.specChanged(1);
  await s.waitFor(READY);
  await s.specChanged(2);
  await s.waitFor((lines) => lines.filter((l) => l === READY).length === 2);
  // The recorder hears of the last step when it starts; the history records it once its workflow task completed.
  let events = await history(s);
  for (const deadline = Date.now() + 10_000; !historySteps(events).at(-1)?.summary?.startsWith('report Running/') && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    events = await history(s);
  }
  const signals = events.flatMap((e, i) => (e.workflowExecutionSignaledEventAttributes?.signalName === 'specChanged' ? [i] : []));
  return events.slice(signals[1]);
}

describe("the session's quick API steps are local activities (time-skipping test server)", () => {
  it('a redeploy stays under 60 history events; its quick steps are markers that name their activity and say what they do', async () => {
    const s = await session();
    const events = await redeployed(s);
    expect(events.length).toBeLessThanOrEqual(REDEPLOY_EVENTS_AT_MOST);

    const steps = historySteps(events);
    // What waits on others, or talks to Flink, is an activity; the rest runs in the workflow task.
    expect(steps.filter((step) => !step.local).map((step) => step.type)).toEqual(['listFlinkJobs', 'waitForFlinkClusterGone', 'waitForJobManagerReady']);
    expect(steps.map((step) => step.type)).toEqual(
      s.recorder
        .lines()
        .slice(-steps.length)
        .map((line) => line.split(' ')[0]),
    );
    const key = `${s.namespace}/${s.name}`;
    expect(steps.filter((step) => step.local).map((step) => step.summary)).toEqual(
      expect.arrayContaining([
        `validate generation 2 of ${key} (operator rules, API server dry run)`,
        `delete JobManager Deployment ${key}`,
        expect.stringMatching(new RegExp(`^submit launch Job ${key}-launch-g2-[a-z0-9]{6}-0 \\(kubernetes-session.sh\\)$`)),
        `report Running/JobManagerReady in the status of ${key}`,
      ]),
    );
    expect(steps.every((step) => step.summary !== undefined && step.completedAt !== undefined)).toBe(true);
  });

  it('a redeploy with autoClean (ZooKeeper HA and S3 cleared) stays near it: 60 events (155 before)', async () => {
    const s = await session({ spec: AUTO_CLEAN_SPEC });
    expect((await redeployed(s)).length).toBeLessThanOrEqual(60);
  });

  it("a run recorded before the patch (create, redeploy with autoClean, delete: every step an activity) replays with today's code", async () => {
    const recorded = History.fromObject(
      JSON.parse(readFileSync(new URL('../fixtures/histories/create-redeploy-delete-before-local-steps.json', import.meta.url), 'utf8')),
    );
    const steps = historySteps(recorded.events);
    expect(steps.length).toBe(53);
    expect(steps.some((step) => step.local)).toBe(false);
    await Worker.runReplayHistory(
      { workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)), replayName: 'before local API steps' },
      recorded,
      'flinksession/workflow-tests/session-84edaaf9',
    );
  });

  it("a run recorded with the patch replays with today's code", async () => {
    const s = await session({ spec: AUTO_CLEAN_SPEC });
    await redeployed(s);
    await s.deleted(2);
    await s.result();
    const recorded = await s.handle.fetchHistory();
    expect(historySteps(recorded.events ?? []).filter((step) => step.local).length).toBeGreaterThan(20);
    await Worker.runReplayHistory(
      { workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)), replayName: 'local API steps' },
      recorded,
      s.handle.workflowId,
    );
  });
});
