// The second layer of class data sharing for the stack's Flink JVMs. Provisioning's archive
// (scripts/flink-class-data.sh) holds the classes a JobManager, a TaskManager and Flink's client load
// on their own; a JobManager of the stack loads as many again that provisioning cannot train, since
// they need the stack's servers: Flink's Kubernetes client and leader election, ZooKeeper's curator,
// the S3 plugin's Hadoop and AWS SDK (its own class loader), Pekko of the RPC system. So the first JVM
// of each kind and version in a stack writes what it loaded on top of provisioning's archive at its
// exit (-XX:ArchiveClassesAtExit), and the JVMs of that kind after it map those classes too.
// Measured on Flink 2.1 JobManagers of the lifecycle test: 12,500 of 14,400 classes mapped instead of
// 7,400, and 5.2-5.7 s of CPU each instead of 6.0-7.0 s. Over the whole suite the JobManagers' CPU did
// not drop (10.1 s each against 9.5 s, one run each): there they live longer, and spend most after their start.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { claimFile } from '../concurrency/file-claim.ts';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The JVMs that load different classes: each kind has a layer of its own. */
export type FlinkJvmKind = 'jobmanager' | 'taskmanager' | 'launch-client' | 'cli';

export interface TrainedClassData {
  /** The class data options for the JVM: the layer to map, or provisioning's archive and the layer to write. */
  options: string[];
  /** Called with how the JVM ended (`exit code N` or the signal that killed it): keeps what it wrote, or lets another JVM train. */
  exited(reason: string): void;
}

/** A JVM that trains and neither ends nor is stopped within this long is taken for dead (its starter killed), and another trains. */
const TRAINING_MS = 15 * 60_000;

export interface LayerOptions {
  /** The folder of the stack's layers (in its state folder). */
  dir: string;
  java: string;
  /** Provisioning's archive, the layer's base; without one no layer is written. */
  base: string | undefined;
  /** The JVM's exact classpath: a layer holds the classes of one classpath. */
  classpath: string;
  version: string;
  kind: FlinkJvmKind;
}

/** What one JVM of the stack gets: the trained layer when there is one, else it trains it (unless another JVM already does). */
export async function trainedClassData(options: LayerOptions, now = Date.now()): Promise<TrainedClassData> {
  const { dir, base } = options;
  const baseOnly: TrainedClassData = { options: base ? [`-XX:SharedArchiveFile=${base}`] : [], exited: () => undefined };
  if (!base || !existsSync(base)) return baseOnly;
  const layer = join(dir, layerName(options));
  if (existsSync(layer)) return { options: [`-XX:SharedArchiveFile=${layer}`], exited: () => undefined };
  mkdirSync(dir, { recursive: true });
  const claim = `${layer}.training`;
  if (!takeClaim(claim, now)) return baseOnly;
  // A JVM told to write a layer on an archive it cannot map does not start at all ("DynamicDumpSharedSpaces
  // is unsupported when base CDS archive is not loaded"): only train on an archive this Java maps.
  if (!(await mapsArchive(options.java, base, options.classpath))) {
    rmSync(claim, { force: true });
    return baseOnly;
  }
  const written = `${layer}.${randomBytes(4).toString('hex')}.part`;
  return {
    // -Xlog: what the JVM says of the classes it cannot archive goes nowhere (not into a launch's output).
    options: [`-XX:SharedArchiveFile=${base}`, `-XX:ArchiveClassesAtExit=${written}`, '-Xlog:cds*=off'],
    exited(reason) {
      // A JVM killed while it wrote the layer leaves a partial file: kept only after an exit of its own.
      if (reason.startsWith('exit code') && existsSync(written) && statSync(written).size > 0) renameSync(written, layer);
      rmSync(written, { force: true });
      rmSync(claim, { force: true });
    },
  };
}

/** The layer's file: by Flink version, kind, and what it is only valid with (its base, the Java, the classpath). */
export function layerName(options: Pick<LayerOptions, 'java' | 'base' | 'classpath' | 'version' | 'kind'>): string {
  const key = createHash('sha256')
    .update(JSON.stringify([options.base, options.java, options.classpath]))
    .digest('hex')
    .slice(0, 12);
  return `flink-${options.version}-${options.kind}-${key}.jsa`;
}

/** Whether this process may train: no other JVM trains (or the one that did is long gone). */
export function takeClaim(claim: string, now = Date.now()): boolean {
  return claimFile(claim, TRAINING_MS, now);
}

/** Whether `java` maps `archive` with `classpath` (-Xshare:on fails a JVM that cannot). */
async function mapsArchive(java: string, archive: string, classpath: string): Promise<boolean> {
  try {
    await run(java, ['-Xshare:on', `-XX:SharedArchiveFile=${archive}`, '-cp', classpath, '-version'], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}
