// What a launch runs, as one short hash: the image, the Flink options and the operator's files. Written
// on the JobManager Deployment once it serves, so a new workflow run can tell a cluster it may adopt
// (same fingerprint) from one it must redeploy. Pure: no I/O. Independent of generation and uid, which
// change without changing what runs (an edit back and forth, a re-created object).
import { createHash } from 'node:crypto';
import { renderFlinkOptions, type RenderSettings } from './flink-options.ts';
import type { FlinkSessionSpec, SessionRef } from './flinksession.ts';
import { renderSessionFiles } from './session-files.ts';

export function deployFingerprint(ref: Pick<SessionRef, 'namespace' | 'name'>, spec: FlinkSessionSpec, settings: RenderSettings): string {
  const identity: SessionRef = { namespace: ref.namespace, name: ref.name, uid: '', generation: 0 };
  const launched = {
    image: spec.image,
    application: spec.applicationConfig ?? null,
    options: renderFlinkOptions(identity, spec, settings),
    files: renderSessionFiles(identity, spec).data ?? {},
  };
  return createHash('sha256').update(JSON.stringify(launched)).digest('hex').slice(0, 32);
}
