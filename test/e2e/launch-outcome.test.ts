// A launch ends as Flink's client ended: a FlinkSession as a new user writes it (only spec.image)
// launches with the configuration the image ships, and a session whose client fails is LaunchFailed
// at once, with the client's own error, instead of waiting out the readiness deadline; so is one
// whose JobManager keeps exiting (JobManagerCrashLooping), with what its JVM said.
import { describe, expect, it } from 'vitest';
import { imageConfigYaml } from '../../stack/flink-image-config.ts';
import { withOperator } from '../support/operator-harness.ts';
import { eventually, uniqueName } from '../support/stack.ts';

describe("a launch Job ends as Flink's client ended", () => {
  // A deadline far beyond the test's waits: a failed launch must not need it to be reported.
  const env = withOperator({ namespaces: [uniqueName('outcome')], serviceAccount: false, s3Secret: false, operator: { readinessDeadlineSeconds: 900 } });

  it("a FlinkSession with only spec.image launches with the image's config.yaml and becomes Ready", async () => {
    await env.sessions.create('minimal', { image: 'example.invalid/flink:1.20' });
    const ready = await env.sessions.waitReady('minimal', 1, 240_000);
    expect(ready.status?.phase).toBe('Running');
    // Ready because Flink's own JobManager, started with the image's configuration, answers.
    expect(env.jobManagers('minimal')).toHaveLength(1);
    const overview = (await (await fetch(`${env.restUrl('minimal')}/v1/overview`)).json()) as { 'flink-version': string };
    expect(overview['flink-version']).toMatch(/^1\.20\./);
    // The client exits a moment after the cluster it created serves.
    const run = await eventually('the launch run to be recorded', async () => env.kubelet.runs.find((r) => r.job.startsWith('minimal-launch-')));
    expect(run.exitCode).toBe(0);
    await eventually('the launch Job to be Complete', async () => {
      const job = await env.batch.readNamespacedJob({ namespace: env.namespace, name: run.job });
      return job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? true : undefined;
    });
  }, 300_000);

  it("a client that fails makes the launch Job fail, and the session LaunchFailed with the client's error", async () => {
    // The user's own config.yaml replaces the image's; this one leaves out the memory sizes.
    await env.sessions.create('no-memory', { image: 'example.invalid/flink:1.20', config: { 'flink-conf.yaml': 'parallelism.default: 2\n' } });
    const failed = await eventually(
      'no-memory to be LaunchFailed',
      async () => {
        const session = await env.sessions.read('no-memory');
        return session?.status?.conditions?.find((c) => c.type === 'Degraded' && c.status === 'True' && c.reason === 'LaunchFailed') ? session : undefined;
      },
      300_000,
    );
    expect(failed.status?.phase).toBe('Failed');
    // The root cause, from the tail of the client's output (the launch pod's termination message).
    expect(failed.status?.lastError).toContain("Flink's client said: org.apache.flink.configuration.IllegalConfigurationException");
    expect(failed.status?.lastError).toContain('jobmanager.memory.process.size');
    const job = (await env.batch.listNamespacedJob({ namespace: env.namespace })).items.find((j) => j.metadata?.name?.startsWith('no-memory-launch-'));
    expect(job?.status?.conditions?.find((c) => c.type === 'Failed')?.status).toBe('True');
    expect(env.kubelet.runs.filter((r) => r.job === job?.metadata?.name).every((r) => r.exitCode === 1)).toBe(true);
    expect(await env.sessions.eventReasons('no-memory')).toContain('LaunchFailed');
  }, 360_000);

  it('a JobManager that keeps exiting ends the wait at its third restart: JobManagerCrashLooping, with what its JVM said', async () => {
    const broken = `${imageConfigYaml()}env.java.opts.jobmanager: -XX:+NoSuchVmOptionAnywhere\n`;
    await env.sessions.create('crashing', { image: 'example.invalid/flink:1.20', config: { 'flink-conf.yaml': broken } });
    const failed = await eventually(
      'crashing to be JobManagerCrashLooping',
      async () => {
        const session = await env.sessions.read('crashing');
        return session?.status?.conditions?.find((c) => c.type === 'Degraded' && c.status === 'True' && c.reason === 'JobManagerCrashLooping')
          ? session
          : undefined;
      },
      300_000,
    );
    expect(failed.status?.phase).toBe('Failed');
    const [pod] = (await env.core.listNamespacedPod({ namespace: env.namespace, labelSelector: 'app=crashing,component=jobmanager' })).items;
    expect(failed.status?.lastError).toBe(
      `the JobManager container of pod ${pod?.metadata?.name} exited 3 times and is in CrashLoopBackOff (last exit code 1: ` +
        "Unrecognized VM option 'NoSuchVmOptionAnywhere' | Error: Could not create the Java Virtual Machine. | " +
        `Error: A fatal exception has occurred. Program will exit.); read its log: kubectl -n ${env.namespace} logs pod/${pod?.metadata?.name} --previous`,
    );
    // What kubectl shows of that pod: the restarts and the back-off, as a node's kubelet reports them.
    const container = pod?.status?.containerStatuses?.[0];
    expect(container?.restartCount).toBeGreaterThanOrEqual(3);
    expect(container?.lastState?.terminated?.exitCode).toBe(1);
    expect(await env.sessions.eventReasons('crashing')).toContain('JobManagerCrashLooping');
    await env.sessions.remove('crashing');
    await eventually('crashing to be gone', async () => ((await env.sessions.read('crashing')) === undefined ? true : undefined), 120_000);
  }, 360_000);
});
