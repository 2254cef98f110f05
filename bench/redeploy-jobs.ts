// Times the job-preserving redeploy (issue 14) on real Flink: a session with ZooKeeper HA, state in S3
// and autoClean: true runs two FlinkSessionJobs of the sample stateful job (upgradeMode savepoint and
// last-state, both stopped with savepoints since autoClean purges the checkpoints; with
// BENCH_AUTO_CLEAN=false the last-state one is left to Flink's HA instead); each round edits
// its TaskManager memory (kubectl edit) and times the edit → both jobs RUNNING again on the new
// JobManager. The workflow's own history splits it: Flink's savepoints (stopFlinkJob), the old cluster
// going (waitForFlinkClusterGone), the launch until Flink's REST answers (waitForJobManagerReady: Flink's
// client in the launch Job and the JobManager starting), the restore (submitFlinkJob and
// waitForFlinkJobRunning of each job), and the operator's own overhead, the rest: the autoClean clean-up
// of HA znodes and checkpoints, its other steps (API calls, status, Events), and the time between steps
// (the watcher's signal, Temporal's round trips). Activity times are scheduled → completed, so they hold
// the operator's 250 ms polls (FSO_POLL_INTERVAL_MS of the test operator). Side by side: the same
// redeploy by hand with Flink's CLI and kubectl (redeploy-by-hand.ts), on a cluster of the same spec.
//   npm run bench:redeploy-jobs   (its own stack; FSO_TEST_STACK=.stack/stack.json reuses one)
//   BENCH_ROUNDS (default 2), BENCH_FLINK_VERSION (default 2.1; 1.20 the other)
import { Client, Connection } from '@temporalio/client';
import { fileURLToPath } from 'node:url';
import type { FlinkSessionSpec } from '../model/flinksession.ts';
import { workflowId } from '../model/names.ts';
import { checkpointStats } from '../stack/flink-jobs.ts';
import type { StackEndpoints } from '../stack/stack.ts';
import { startFlinkJobsStack, type FlinkJobsStack } from '../test/support/flink-jobs-stack.ts';
import { eventually, uniqueName } from '../test/support/stack.ts';
import { redeploysByHand } from './redeploy-by-hand.ts';
import { allRunning, jobManagerOf, newJobManager, ownMs, type RedeploySplit } from './redeploy-split.ts';
import { onStack } from './stack.ts';
import { formatSeconds, renderTable, seconds, type BenchRow } from './table.ts';
import { activityMsByType, allMs, msOf } from './workflow-history.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const FLINK_VERSION = process.env.BENCH_FLINK_VERSION ?? '2.1';
/** autoClean: true, both jobs carried by savepoints; false: the last-state job left to Flink's HA (HA kept). */
const AUTO_CLEAN = process.env.BENCH_AUTO_CLEAN !== 'false';
/** How the plan carries the two jobs (upgradeMode savepoint, last-state), which the redeploy by hand does alike. */
const CARRIES = AUTO_CLEAN ? (['savepoint', 'savepoint'] as const) : (['savepoint', 'ha'] as const);
/** The sample job's parallelism and records per second, as test/flink/redeploy-jobs.test.ts runs it. */
const JOB_ARGS = ['4', '20'];
const SESSION = 'timed';
const BY_HAND = 'by-hand';
/** The TaskManager memory before round 1 and after each round's edit. */
const memoryOf = (round: number): string => `${1600 + 100 * round}m`;

/** The session workflow's activities by the part of the redeploy they are. */
const SAVEPOINT_STEPS = ['stopFlinkJob'];
const GONE_STEPS = ['waitForFlinkClusterGone'];
const LAUNCH_STEPS = ['waitForJobManagerReady'];
const RESTORE_STEPS = ['submitFlinkJob', 'waitForFlinkJobRunning'];
const CLEAN_STEPS = ['clearZooKeeperHa', 'purgeS3Prefixes'];

/** Until each job completed two more checkpoints: the savepoint is taken in a steady state, as in the test. */
async function steady(rest: string, jobIds: readonly string[]): Promise<void> {
  for (const id of jobIds) {
    const completed = (await checkpointStats(rest, id)).completed;
    await eventually(
      `job ${id} to checkpoint twice more`,
      async () => ((await checkpointStats(rest, id).catch(() => undefined))?.completed ?? 0) > completed + 1 || undefined,
      120_000,
    );
  }
}

function sessionSpec(jobs: FlinkJobsStack, stack: StackEndpoints): FlinkSessionSpec {
  return jobs.sessionSpec({
    numberOfTaskSlots: 4,
    ...(AUTO_CLEAN ? { autoClean: true } : {}),
    ha: { type: 'zookeeper', quorum: stack.zookeeper.connect, path: `/${uniqueName('fso-bench')}` },
    resource: { taskManager: { memory: memoryOf(0) } },
  });
}

/** The operator's rounds: one edit each, split by the workflow's history. */
async function redeploysByOperator(jobs: FlinkJobsStack, stack: StackEndpoints, temporal: Client): Promise<RedeploySplit[]> {
  await jobs.sessions.create(SESSION, sessionSpec(jobs, stack));
  await jobs.sessions.waitReady(SESSION, 1, 300_000);
  const names = [`${SESSION}-saver`, `${SESSION}-keeper`];
  await jobs.jobs.create(names[0]!, { session: SESSION, jar: jobs.jar, upgradeMode: 'savepoint', args: JOB_ARGS });
  await jobs.jobs.create(names[1]!, { session: SESSION, jar: jobs.jar, upgradeMode: 'last-state', args: JOB_ARGS });
  const jobIds: string[] = [];
  for (const name of names) jobIds.push((await jobs.jobs.waitCondition(name, 'Ready', 'True', 240_000)).status!.jobId!);
  const id = workflowId(jobs.namespace, SESSION);
  const splits: RedeploySplit[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      await steady(jobs.rest(SESSION), jobIds);
      const old = jobManagerOf(jobs.kubelet, jobs.namespace, SESSION)?.pod;
      const started = Date.now();
      await jobs.sessions.patch(SESSION, { spec: { resource: { taskManager: { memory: memoryOf(round) } } } });
      const { rest } = await newJobManager(jobs.kubelet, jobs.namespace, SESSION, old);
      await allRunning(rest, jobIds);
      const finished = Date.now();
      const totalMs = finished - started;
      // The last wait for a job to run completes just after the job does: until the history has both
      // (each step counted up to the finish, so the parts fall within the total).
      const steps = await eventually(
        "the redeploy's job steps in the workflow's history",
        async () => {
          const byType = await activityMsByType(temporal, id, started, finished);
          return (byType.get('waitForFlinkJobRunning')?.count ?? 0) >= jobIds.length ? byType : undefined;
        },
        120_000,
      );
      const split = {
        totalMs,
        savepointMs: msOf(steps, SAVEPOINT_STEPS),
        goneMs: msOf(steps, GONE_STEPS),
        launchMs: msOf(steps, LAUNCH_STEPS),
        restoreMs: msOf(steps, RESTORE_STEPS),
        cleanMs: msOf(steps, CLEAN_STEPS),
      };
      const named = split.savepointMs + split.goneMs + split.launchMs + split.restoreMs + split.cleanMs;
      splits.push({ ...split, otherStepsMs: allMs(steps) - named });
      console.error(`[redeploy-jobs] operator round ${round}: ${roundLine(round, 'operator', splits.at(-1)!)}`);
    }
  } finally {
    await jobs.removeSessionAndJobs(SESSION, names);
  }
  return splits;
}

const s = (ms: number): string => (ms / 1000).toFixed(1);

function roundLine(round: number, path: string, split: RedeploySplit): string {
  const own = ownMs(split);
  const between = own - split.cleanMs - split.otherStepsMs;
  return (
    `| ${round} | ${path} | ${s(split.totalMs)} s | ${s(split.savepointMs)} s | ${s(split.goneMs)} s | ${s(split.launchMs)} s | ${s(split.restoreMs)} s ` +
    `| ${s(own)} s (${Math.round((100 * own) / split.totalMs)} %) | ${s(split.cleanMs)} s / ${s(split.otherStepsMs)} s / ${s(between)} s |`
  );
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export interface RedeployJobsResult {
  operator: RedeploySplit[];
  byHand: RedeploySplit[];
  rows: BenchRow[];
}

export async function benchRedeployJobs(stack: StackEndpoints): Promise<RedeployJobsResult> {
  const jobs = await startFlinkJobsStack('bench-redeploy', FLINK_VERSION, { stack, readinessDeadlineSeconds: 300 });
  const connection = await Connection.connect({ address: stack.temporal.address });
  const temporal = new Client({ connection, namespace: stack.temporal.namespace });
  let operator: RedeploySplit[];
  let byHand: RedeploySplit[];
  try {
    operator = await redeploysByOperator(jobs, stack, temporal);
    byHand = await redeploysByHand(jobs, stack, {
      name: BY_HAND,
      spec: sessionSpec(jobs, stack),
      flinkVersion: FLINK_VERSION,
      jobArgs: JOB_ARGS,
      carries: CARRIES,
      memories: Array.from({ length: ROUNDS + 1 }, (_, round) => memoryOf(round)),
      steady,
    });
  } finally {
    await connection.close();
    await jobs.stop();
  }
  const medianOf = (splits: RedeploySplit[], part: (split: RedeploySplit) => number) => median(splits.map(part));
  const parts = (splits: RedeploySplit[]): string =>
    `savepoints ${s(medianOf(splits, (x) => x.savepointMs))} s, cluster gone ${s(medianOf(splits, (x) => x.goneMs))} s, ` +
    `launch → REST ${s(medianOf(splits, (x) => x.launchMs))} s, restore → RUNNING ${s(medianOf(splits, (x) => x.restoreMs))} s`;
  const row: BenchRow = {
    work:
      'redeploy of a session with 2 stateful jobs ' +
      `(${AUTO_CLEAN ? 'autoClean: true, both by savepoints' : "HA kept: one by a savepoint, one by Flink's HA"}), ` +
      `edit → all jobs RUNNING again, median of ${ROUNDS} rounds (Flink ${FLINK_VERSION})`,
    project: { label: '', seconds: seconds(medianOf(operator, (x) => x.totalMs)) },
    peers: [
      {
        label: 'flink+kubectl by hand (flink stop --savepointPath, kubectl delete + wait, kubernetes-session.sh, flink run -s)',
        seconds: seconds(medianOf(byHand, (x) => x.totalMs)),
      },
    ],
    note:
      `operator: ${parts(operator)}, own overhead ${formatSeconds(seconds(medianOf(operator, ownMs)))} ` +
      `(of it the autoClean clean-up ${s(medianOf(operator, (x) => x.cleanMs))} s); by hand: ${parts(byHand)}`,
  };
  return { operator, byHand, rows: [row] };
}

export function printRedeployJobs(result: RedeployJobsResult): void {
  console.log(
    `job-preserving redeploy, ${AUTO_CLEAN ? 'autoClean: true' : 'HA kept'}, ${ROUNDS} rounds ` +
      `(Flink ${FLINK_VERSION}, real JobManager and TaskManager processes, local stack):`,
  );
  console.log(
    '| round | path | total (edit to all RUNNING) | savepoints | old cluster gone | launch → REST answers | restore → RUNNING ' +
      '| own overhead | of it: autoClean clean-up / other steps / between steps |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [i, split] of result.operator.entries()) console.log(roundLine(i + 1, 'operator', split));
  for (const [i, split] of result.byHand.entries()) console.log(roundLine(i + 1, 'by hand', split));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  onStack(benchRedeployJobs)
    .then((result) => {
      printRedeployJobs(result);
      console.log(`\n${renderTable(result.rows)}`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
