// What the session workflow tests expect of a run, shared by their files: the spec with autoClean,
// and the steps from a launch to Ready.
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { MINIMAL_SPEC } from './time-skipping.ts';

/** With autoClean, ZooKeeper HA and S3: a redeploy and a delete also clear HA data and purge S3. */
export const AUTO_CLEAN_SPEC: FlinkSessionSpec = {
  ...MINIMAL_SPEC,
  autoClean: true,
  s3: { endPoint: 'http://s3.example.invalid', bucket: 'flink-state', credentialsSecret: { name: 's3-credentials' } },
  ha: { type: 'zookeeper', quorum: 'zk.example.invalid:2181', path: '/flink' },
};

export const READY = 'reportStatus Running/JobManagerReady';
/** From the launch on: the same for a deploy and a redeploy, but for the phase in status. */
export const COMPLETE_DEPLOY_STEPS = (name: string, generation: number, attempt: number, phase: 'Deploying' | 'Redeploying') => [
  `submitLaunchJob g${generation} attempt ${attempt}`,
  'recordEvent Normal Launched',
  `reportStatus ${phase}/WaitingForJobManager`,
  'waitForJobManagerReady',
  'markJobManagerDeployed',
  `removeLaunchJobs keep ${name}-launch-g${generation}-${attempt}`,
  'recordEvent Normal Ready',
  READY,
];
