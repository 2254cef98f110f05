// Which configuration option keys a real Flink version knows, and which it deprecates — read from
// Flink's own ConfigOption definitions by FlinkOptionKeys.java (next to this file) running on that
// version's client classpath. Used by tests to prove the operator renders no unknown and no
// deprecated key for the Flink version a FlinkSession asks for.
//
// What the scan covers: every org.apache.flink.* class in the client classpath (flink-kubernetes +
// flink-clients with their dependencies: flink-core, flink-runtime, flink-streaming-java, …). What
// it cannot see: options of modules that are not on that classpath (RocksDB state backend, table,
// filesystem and metrics plugins) and keys that Flink reads without a ConfigOption — the latter are
// allowed explicitly by PASS_THROUGH_PREFIXES below, never silently.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readVersions, resolveBinaries, type Env } from '../../stack/binaries.ts';

const run = promisify(execFile);

/** One key as FlinkOptionKeys.java reports it. */
export interface FlinkOptionKey {
  deprecated: boolean;
  /** For a deprecated key: the current key that reads it (the first one, when several do). */
  replacedBy?: string;
  /** Every current key that reads this deprecated key, when there is more than one. */
  replacedByAll?: string[];
  /** A Map-typed option: Flink also reads `<key>.<mapKey>: value` as one entry of the map. */
  prefixMap?: boolean;
  /** The option's field carries @Deprecated (another, current declaration may still keep the key current). */
  deprecatedField?: boolean;
  /** This key is a fallback key of these options. */
  fallbackFor?: string[];
  /** `Class.FIELD` of every declaration, for diagnostics. */
  declaredIn: string[];
}

export interface FlinkOptionKeys {
  /** As Flink itself reports it (EnvironmentInformation.getVersion()). */
  flinkVersion: string;
  stats: { classFiles: number; candidateClasses: number; optionFields: number; skippedClasses: number };
  /** Plain keys: `jobmanager.memory.process.size`. */
  options: Record<string, FlinkOptionKey>;
  /** Keys with `<placeholder>` segments: `metrics.reporter.<name>.factory.class`. */
  templatedOptions: Record<string, FlinkOptionKey>;
  /** Classes that could not be loaded or initialised on the client classpath (missing optional deps). */
  skippedClasses: string[];
}

/**
 * Key prefixes Flink passes on without a ConfigOption, so the scan cannot know them. Every entry says
 * who reads the keys; a key matches when it starts with the prefix and has something after it.
 * (`kubernetes.env.secretKeyRef` needs no entry: it is a ConfigOption in 1.20 and 2.x,
 * KubernetesConfigOptions.KUBERNETES_ENV_SECRET_KEY_REF.)
 */
const PASS_THROUGH_PREFIXES: ReadonlyArray<{ prefix: string; readBy: string }> = [
  {
    prefix: 's3.',
    readBy:
      "Flink's S3 filesystem plugins (flink-s3-fs-hadoop, flink-s3-fs-presto): they copy every s3.* key " +
      'into their Hadoop/Presto configuration (s3.endpoint, s3.path.style.access, s3.access-key, s3.secret-key, …); ' +
      'the plugins are not on the client classpath and most of these keys are no ConfigOption',
  },
  {
    prefix: 'containerized.master.env.',
    readBy:
      'ResourceManagerOptions.CONTAINERIZED_MASTER_ENV_PREFIX (a String, not a ConfigOption): ' +
      'containerized.master.env.<VAR> sets the environment variable VAR in the JobManager container',
  },
  {
    prefix: 'containerized.taskmanager.env.',
    readBy:
      'ResourceManagerOptions.CONTAINERIZED_TASK_MANAGER_ENV_PREFIX (a String, not a ConfigOption): ' +
      'containerized.taskmanager.env.<VAR> sets the environment variable VAR in TaskManager containers',
  },
];

export interface OptionKeyCheck {
  unknown: string[];
  deprecated: Array<{ key: string; replacedBy?: string }>;
}

const JAVA_SOURCE = fileURLToPath(new URL('./FlinkOptionKeys.java', import.meta.url));

function templateRegExp(template: string): RegExp {
  const pattern = template
    .split(/<[^>]+>/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${pattern}$`);
}

/** How Flink would take `key`: as an option (maybe deprecated), as a pass-through, or not at all. */
function classify(key: string, known: FlinkOptionKeys, templates: Array<[RegExp, FlinkOptionKey]>): FlinkOptionKey | 'pass-through' | undefined {
  const exact = known.options[key];
  if (exact) return exact;
  if (PASS_THROUGH_PREFIXES.some(({ prefix }) => key.startsWith(prefix) && key.length > prefix.length)) return 'pass-through';
  // `kubernetes.jobmanager.annotations.team: x` is one entry of the Map option kubernetes.jobmanager.annotations.
  for (let dot = key.lastIndexOf('.'); dot > 0; dot = key.lastIndexOf('.', dot - 1)) {
    const option = known.options[key.slice(0, dot)];
    if (option?.prefixMap) return option;
  }
  return templates.find(([pattern]) => pattern.test(key))?.[1];
}

/** Which of `keys` the given Flink version does not know, and which it knows only as deprecated. */
export function checkOptionKeys(keys: Iterable<string>, known: FlinkOptionKeys): OptionKeyCheck {
  const templates = Object.entries(known.templatedOptions).map(([template, info]): [RegExp, FlinkOptionKey] => [templateRegExp(template), info]);
  const result: OptionKeyCheck = { unknown: [], deprecated: [] };
  for (const key of new Set(keys)) {
    const found = classify(key, known, templates);
    if (found === undefined) result.unknown.push(key);
    else if (found !== 'pass-through' && found.deprecated) {
      result.deprecated.push(found.replacedBy === undefined ? { key } : { key, replacedBy: found.replacedBy });
    }
  }
  return result;
}

function cacheRoot(env: Env): string {
  return env.FSO_CACHE ?? join(homedir(), '.cache', 'flink-session-operator');
}

function javaTools(env: Env): { java: string; javac: string } {
  const java = env.FSO_JAVA_BIN ?? 'java';
  const sibling = env.FSO_JAVA_BIN ? join(dirname(env.FSO_JAVA_BIN), 'javac') : undefined;
  const javac = env.FSO_JAVAC_BIN ?? (sibling && existsSync(sibling) ? sibling : 'javac');
  return { java, javac };
}

const loaded = new Map<string, Promise<FlinkOptionKeys>>();

/**
 * The option keys of Flink `flinkVersion` (e.g. `1.20.1`) on `classpath` (its client classpath,
 * `…/flink-client-<version>/lib/*`). The first call compiles FlinkOptionKeys.java and runs it
 * (a few seconds); the JSON is kept in `<cache>/flink-option-keys-<version>-<sha256(source):12>/keys.json`,
 * so later calls, also from other processes, only read it. A changed Java source gets a new folder.
 */
export function loadFlinkOptionKeys(flinkVersion: string, classpath: string, options: { env?: Env } = {}): Promise<FlinkOptionKeys> {
  const env = options.env ?? process.env;
  const memo = `${flinkVersion}\0${classpath}\0${cacheRoot(env)}`;
  let pending = loaded.get(memo);
  if (!pending) {
    pending = loadUncached(flinkVersion, classpath, env);
    pending.catch(() => loaded.delete(memo));
    loaded.set(memo, pending);
  }
  return pending;
}

/** `<cache>/flink-option-keys-<version>-<sha256 of FlinkOptionKeys.java, 12 hex>/keys.json` */
export async function flinkOptionKeysCacheFile(flinkVersion: string, env: Env = process.env): Promise<string> {
  const hash = createHash('sha256')
    .update(await readFile(JAVA_SOURCE))
    .digest('hex')
    .slice(0, 12);
  return join(cacheRoot(env), `flink-option-keys-${flinkVersion}-${hash}`, 'keys.json');
}

async function loadUncached(flinkVersion: string, classpath: string, env: Env): Promise<FlinkOptionKeys> {
  const root = cacheRoot(env);
  const cached = await flinkOptionKeysCacheFile(flinkVersion, env);
  const dir = dirname(cached);
  if (!existsSync(cached)) {
    // Build in a private folder, then rename it into place: concurrent test processes never see a half-written cache.
    await mkdir(root, { recursive: true });
    const work = await mkdtemp(join(root, `.flink-option-keys-${flinkVersion}-`));
    try {
      const { java, javac } = javaTools(env);
      const classes = join(work, 'classes');
      await run(javac, ['-nowarn', '-cp', classpath, '-d', classes, JAVA_SOURCE], { timeout: 120_000 });
      const { stdout } = await run(java, ['-cp', `${classes}${delimiter}${classpath}`, 'FlinkOptionKeys', flinkVersion], {
        timeout: 300_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      JSON.parse(stdout); // never cache something that is not JSON
      await writeFile(join(work, 'keys.json'), stdout);
      await chmod(work, 0o755); // mkdtemp made it private
      try {
        await rename(work, dir);
      } catch (error) {
        if (!existsSync(cached)) throw error; // another process won the race: use its result
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  const keys = JSON.parse(await readFile(cached, 'utf8')) as FlinkOptionKeys;
  if (keys.flinkVersion !== flinkVersion) {
    throw new Error(`${cached} describes Flink ${keys.flinkVersion}, not ${flinkVersion}`);
  }
  return keys;
}

/**
 * The Flink version of stack/versions.env that `flinkVersion` names: exactly (`1.20.1`) or by its
 * major.minor (`1.20`, as a FlinkSession's spec.flinkVersion says it).
 */
export function resolveFlinkVersion(flinkVersion: string, versions: readonly string[] = readVersions().flink): string {
  if (versions.includes(flinkVersion)) return flinkVersion;
  const matching = versions.filter((v) => v.startsWith(`${flinkVersion}.`));
  if (matching.length === 1) return matching[0]!;
  throw new Error(`Flink ${flinkVersion} is not one of the versions in stack/versions.env (${versions.join(', ')})`);
}

/**
 * Throws one Error naming every key of `keys` that Flink `flinkVersion` (`1.20.1` or `1.20`) does not
 * know or knows only as deprecated (with its replacement). Uses the stack's Flink client classpath.
 */
export async function assertOptionKeysValid(flinkVersion: string, keys: Iterable<string>): Promise<void> {
  const version = resolveFlinkVersion(flinkVersion);
  const classpath = resolveBinaries(process.env).flinkClasspaths[version];
  if (!classpath) throw new Error(`no Flink ${version} client classpath`);
  const known = await loadFlinkOptionKeys(version, classpath);
  const { unknown, deprecated } = checkOptionKeys(keys, known);
  if (unknown.length === 0 && deprecated.length === 0) return;
  const lines: string[] = [];
  for (const key of unknown) lines.push(`  - ${key}: unknown to Flink ${version}`);
  for (const { key, replacedBy } of deprecated) {
    const all = known.options[key]?.replacedByAll ?? (replacedBy === undefined ? [] : [replacedBy]);
    lines.push(`  - ${key}: deprecated in Flink ${version}${all.length > 0 ? `, use ${all.join(' or ')}` : ''}`);
  }
  throw new Error(`option keys Flink ${version} does not accept as current:\n${lines.join('\n')}`);
}
