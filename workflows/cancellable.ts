// Runs a piece of workflow work in its own cancellation scope, cancelled as soon as a condition holds
// (a delete arriving during a deploy, the skip-clean-up annotation during a clean-up step). Uses only
// what Temporal's workflow sandbox provides.
import { CancellationScope, condition } from '@temporalio/workflow';

/** The work's result, or its failure; a CancelledFailure when `stop` came first. */
export async function cancelledWhen<T>(stop: () => boolean, run: () => Promise<T>): Promise<T> {
  const working = new CancellationScope();
  const watching = new CancellationScope();
  const done = working.run(run);
  const stopped = watching.run(() => condition(stop));
  await Promise.race([done.catch(() => undefined), stopped.catch(() => undefined)]);
  if (stop()) working.cancel();
  else watching.cancel();
  return done;
}
