// Where a session's state lives (SPEC: Scope safety): its S3 prefix `<name>/flink/` in its bucket and
// its ZooKeeper node `<ha.path>/<name>`. These locations keep the earlier operator's layout (a
// migrated session finds its data), so they hold no namespace: two sessions of one name in two
// namespaces that share a bucket or a ZooKeeper root would share them. The session that came first
// keeps them; a later one is refused, and nothing of a location another session came first to is ever
// cleared on the later one's behalf. Pure.
import type { FlinkSessionSpec } from './flinksession.ts';
import { s3EndpointUrl } from './flink-options.ts';
import { sessionS3Prefix, zooKeeperHaPath } from './names.ts';

export interface StateOwner {
  namespace: string;
  name: string;
  /** metadata.creationTimestamp (ISO). */
  created: string;
  spec: FlinkSessionSpec;
}

/** The locations a session writes, as texts that compare equal exactly when two sessions share them. */
export function stateLocations(session: Pick<StateOwner, 'name' | 'spec'>): Array<{ key: string; text: string }> {
  const { spec, name } = session;
  const locations: Array<{ key: string; text: string }> = [];
  if (spec.s3?.bucket) {
    const endpoint = s3EndpointUrl(spec.s3.endPoint).replace(/\/+$/, '').toLowerCase();
    locations.push({
      key: `s3 ${endpoint} ${spec.s3.bucket} ${sessionS3Prefix(name)}`,
      text: `s3://${spec.s3.bucket}/${sessionS3Prefix(name)} (at ${spec.s3.endPoint})`,
    });
  }
  if (spec.ha?.type === 'zookeeper' && spec.ha.quorum) {
    const quorum = spec.ha.quorum
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .sort()
      .join(',');
    const path = zooKeeperHaPath(spec.ha.path, name);
    locations.push({ key: `zk ${quorum} ${path}`, text: `ZooKeeper ${path} (on ${spec.ha.quorum})` });
  }
  return locations;
}

const cameFirst = (other: StateOwner, session: StateOwner): boolean =>
  other.created < session.created || (other.created === session.created && `${other.namespace}/${other.name}` < `${session.namespace}/${session.name}`);

/** The sessions that came before `session` and use one of its state locations, with what they share. */
export function sharedStateWith(session: StateOwner, others: readonly StateOwner[]): Array<{ other: string; shared: string[] }> {
  const mine = new Map(stateLocations(session).map((l) => [l.key, l.text]));
  return others
    .filter((other) => (other.namespace !== session.namespace || other.name !== session.name) && cameFirst(other, session))
    .map((other) => ({ other: `${other.namespace}/${other.name}`, shared: stateLocations(other).flatMap((l) => (mine.has(l.key) ? [mine.get(l.key)!] : [])) }))
    .filter((s) => s.shared.length > 0);
}

/** One line for status, events and logs. */
export function describeSharedState(session: string, found: ReadonlyArray<{ other: string; shared: string[] }>): string {
  return found
    .map(
      (f) =>
        `FlinkSession ${session} would share ${f.shared.join(' and ')} with FlinkSession ${f.other}, which came first; ` +
        `give this session another bucket (s3.bucket) and ZooKeeper root (ha.path), or another name`,
    )
    .join('; ');
}
