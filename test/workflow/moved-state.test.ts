// A redeploy's clean-up of the deployed generation's state when that state's location no longer
// answers (model/state-locations.ts movedAway): bounded when the new spec moved away from it, strict
// when the new spec still uses it. In a file (and test server) of their own: a session left retrying
// for ever in a shared test server has held up the next test's session there.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { SessionOptions, SessionUnderTest } from '../support/time-skipping.ts';
import { AUTO_CLEAN_SPEC, COMPLETE_DEPLOY_STEPS, READY } from '../support/workflow-steps.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

const suite = workflowSuite();

/** A session deployed at generation 1, with what it recorded so far cleared. */
async function runningSession(options?: SessionOptions): Promise<SessionUnderTest> {
  const s = await suite.session(options);
  await s.specChanged(1);
  await s.waitFor(READY);
  s.recorder.clear();
  return s;
}

/** Deletes the session and waits until its workflow ends; returns the lines recorded since the delete was sent. */
async function deleteAndFinish(s: SessionUnderTest, generation: number): Promise<string[]> {
  const before = s.recorder.calls.length;
  await s.deleted(generation);
  await s.result();
  return s.recorder.lines().slice(before);
}

describe('a redeploy whose old state does not answer (time-skipping test server, recording activities)', () => {
  it(
    'a redeploy that moves HA off a ZooKeeper that no longer answers: the old clear gives up at the clean-up deadline, ' +
      'a Warning names what is left, the new generation runs',
    async () => {
      const oldQuorum = 'zk-retired.example.invalid:2181';
      const s = await runningSession({
        spec: { ...AUTO_CLEAN_SPEC, ha: { type: 'zookeeper', quorum: oldQuorum, path: '/flink' } },
        cleanupDeadlineSeconds: 120,
        overrides: {
          clearZooKeeperHa: async (input: { quorum: string }) => {
            if (input.quorum === oldQuorum) throw ApplicationFailure.retryable(`ZooKeeper ${oldQuorum} did not answer`, 'ZooKeeperUnavailable');
            return { znodes: 0 };
          },
        },
      });
      await s.specChanged(2, AUTO_CLEAN_SPEC);
      await s.waitFor(READY);

      const lines = s.recorder.lines();
      expect(lines.slice(lines.indexOf('recordEvent Normal JobManagerDeleted') + 1).filter((l) => l !== 'clearZooKeeperHa')).toEqual([
        'deletePolicy',
        'stateSharedWith',
        'reportStatus Redeploying/CleanupFailed',
        // The S3 prefixes are where the new spec looks too: purged as always.
        'purgeS3Prefixes',
        'recordEvent Normal S3Purged',
        'recordEvent Warning CleanupIncomplete',
        ...COMPLETE_DEPLOY_STEPS(s.name, 2, 0, 'Redeploying'),
      ]);
      const clears = s.recorder.calls.filter((c) => c.name === 'clearZooKeeperHa');
      expect(clears.length).toBeGreaterThan(1);
      expect(clears.every((c) => (c.args[0] as { quorum: string }).quorum === oldQuorum)).toBe(true);
      const warning = s.recorder.calls.find((c) => c.name === 'recordEvent' && JSON.stringify(c.args).includes('CleanupIncomplete'))!;
      expect(JSON.stringify(warning.args)).toContain(`the znodes under /flink/${s.name} on ${oldQuorum}`);
      expect(await s.status()).toMatchObject({ phase: 'Running', deployedGeneration: 2, leftBehind: [expect.stringContaining(oldQuorum)] });
    },
  );

  it('a redeploy whose HA stays where it is keeps retrying its clear: nothing launches on HA data that is still there', async () => {
    const s = await runningSession({
      spec: AUTO_CLEAN_SPEC,
      cleanupDeadlineSeconds: 120,
      overrides: {
        clearZooKeeperHa: async () => {
          throw ApplicationFailure.retryable('ZooKeeper did not answer', 'ZooKeeperUnavailable');
        },
      },
    });
    await s.specChanged(2, { ...AUTO_CLEAN_SPEC, numberOfTaskSlots: 4 });
    // Ten tries: 151 s of back-off on the server's clock, past the 120 s clean-up deadline; still clearing, nothing launched.
    await s.waitFor((lines) => lines.filter((l) => l === 'clearZooKeeperHa').length >= 10, 30_000);
    expect(s.recorder.lines()).not.toContain('deletePolicy');
    expect(s.recorder.lines().some((l) => l.startsWith('submitLaunchJob'))).toBe(false);
    expect(await s.status()).toMatchObject({ phase: 'Redeploying', step: 'clear ZooKeeper HA' });
    // A delete still ends it: it cancels the redeploy, and its own clear gives up at the deadline.
    const deleted = await deleteAndFinish(s, 2);
    expect(deleted).toContain('recordEvent Warning CleanupIncomplete');
    expect(deleted.at(-1)).toBe('releaseFinalizer');
  });
});
