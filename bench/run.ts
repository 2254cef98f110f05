// `npm run bench`: every benchmark on one local stack (its own, or FSO_TEST_STACK's), then one table
// of this project, the peer tool and the lower bound, side by side. Peer tools come from
// scripts/provision-bench.sh. BENCH_ONLY=s3-small,s3-large,s3-versioned,zookeeper,watcher,many-sessions,lifecycle picks some;
// BENCH_ONLY=redeploy-jobs (real Flink, minutes; not in the default list) times the job-preserving redeploy.
import { benchLifecycle, printLifecycle } from './lifecycle.ts';
import { benchManySessions } from './many-sessions.ts';
import { benchRedeployJobs, printRedeployJobs } from './redeploy-jobs.ts';
import { benchS3Purge } from './s3-purge.ts';
import { onStack } from './stack.ts';
import { renderTable, type BenchRow } from './table.ts';
import { benchWatcherScale } from './watcher-scale.ts';
import { benchZooKeeperClear } from './zookeeper-clear.ts';
import type { StackEndpoints } from '../stack/stack.ts';

const only = new Set((process.env.BENCH_ONLY ?? 's3-small,s3-large,s3-versioned,zookeeper,watcher,many-sessions,lifecycle').split(',').map((s) => s.trim()));
const S3_OBJECTS = Number(process.env.BENCH_S3_OBJECTS ?? 100_000);
const AWS_OBJECTS = Number(process.env.BENCH_AWS_OBJECTS ?? 20_000);

async function benchAll(stack: StackEndpoints): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const step = async (name: string, bench: () => Promise<BenchRow | BenchRow[]>): Promise<void> => {
    if (!only.has(name)) return;
    const started = performance.now();
    const result = await bench();
    const added = Array.isArray(result) ? result : [result];
    rows.push(...added);
    console.error(`[bench] done in ${((performance.now() - started) / 1000).toFixed(0)} s:\n${renderTable(added).split('\n').slice(2).join('\n')}`);
  };
  const count = (n: number): string => n.toLocaleString('en');
  await step('s3-small', () =>
    benchS3Purge(stack, {
      work: `S3 purge, ${count(AWS_OBJECTS)} objects, unversioned`,
      shape: { keys: AWS_OBJECTS, versions: 1, deleteMarkers: 0 },
      withAws: true,
    }),
  );
  await step('s3-large', () =>
    benchS3Purge(stack, {
      work: `S3 purge, ${count(S3_OBJECTS)} objects, unversioned`,
      shape: { keys: S3_OBJECTS, versions: 1, deleteMarkers: 0 },
      withAws: false,
    }),
  );
  await step('s3-versioned', () =>
    benchS3Purge(stack, {
      work: 'S3 purge, 20,000 keys × 2 versions + 10,000 delete markers',
      shape: { keys: 20_000, versions: 2, deleteMarkers: 10_000 },
      withAws: false,
    }),
  );
  await step('zookeeper', () => benchZooKeeperClear(stack));
  await step('watcher', () => benchWatcherScale(stack));
  await step('many-sessions', () => benchManySessions(stack));
  await step('lifecycle', async () => {
    const result = await benchLifecycle(stack);
    printLifecycle(result);
    return result.rows;
  });
  await step('redeploy-jobs', async () => {
    const result = await benchRedeployJobs(stack);
    printRedeployJobs(result);
    return result.rows;
  });
  return rows;
}

onStack(benchAll)
  .then((rows) => {
    console.log('\n`npm run bench` on the local stack (one run; seconds unless stated):\n');
    console.log(renderTable(rows));
  })
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
