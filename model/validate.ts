// What the CRD schema cannot say: memory budgets Flink would refuse, unknown Flink versions, and other
// problems found before a redeploy deletes anything. Every problem names its field and the fix.
import { DEFAULT_FLINK_VERSION, parseFlinkVersion, SUPPORTED_FLINK_VERSIONS } from './flink-version.ts';
import { configSecretKeys } from './config-secrets.ts';
import { given, type FlinkSessionSpec } from './flinksession.ts';
import { formatMemorySize, MiB, parseMemorySize } from './memory-size.ts';

export interface SpecProblem {
  /** e.g. spec.resource.taskManager.memory */
  field: string;
  message: string;
}

// Flink's defaults (TaskExecutorResourceUtils / JobManagerProcessUtils), for the budget checks.
const JVM_OVERHEAD = { fraction: 0.1, min: 192 * MiB, max: 1024 * MiB };
const DEFAULT_METASPACE = { jobManager: 256 * MiB, taskManager: 256 * MiB };
const DEFAULT_JM_OFF_HEAP = 128 * MiB;
const DEFAULT_FRAMEWORK_HEAP = 128 * MiB;
const DEFAULT_FRAMEWORK_OFF_HEAP = 128 * MiB;
const DEFAULT_NETWORK = { fraction: 0.1, min: 64 * MiB, max: 1024 * MiB };
const DEFAULT_MANAGED_FRACTION = 0.4;

const clamp = (value: number, min: number, max: number): number => Math.min(Math.max(value, min), max);

export function validateSpec(spec: FlinkSessionSpec): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const add = (field: string, message: string): void => {
    problems.push({ field: `spec.${field}`, message });
  };

  const version = spec.flinkVersion ?? DEFAULT_FLINK_VERSION;
  if (!parseFlinkVersion(version)) {
    add('flinkVersion', `Flink ${version} is not supported; use one of ${SUPPORTED_FLINK_VERSIONS.join(', ')}`);
  }

  // Every size must parse as Flink's MemorySize (the schema checks the form, not the magnitude).
  const size = (field: string, text: string | undefined): number | undefined => {
    const value = given(text);
    if (value === undefined) return undefined;
    const bytes = parseMemorySize(value);
    if (bytes === undefined) add(field, `"${value}" is not a Flink memory size; write it like 1g, 512m or 1024mb`);
    else if (bytes === 0) add(field, 'must be larger than 0');
    return bytes;
  };

  const jm = spec.resource?.jobManager;
  const jmProcess = size('resource.jobManager.memory', jm?.memory);
  const jmMetaspace = size('resource.jobManager.jvm-metaspace', jm?.['jvm-metaspace']) ?? DEFAULT_METASPACE.jobManager;
  const jmOffHeap = size('resource.jobManager.off-heap', jm?.['off-heap']) ?? DEFAULT_JM_OFF_HEAP;
  if (jmProcess !== undefined && jmProcess > 0) {
    const overhead = clamp(jmProcess * JVM_OVERHEAD.fraction, JVM_OVERHEAD.min, JVM_OVERHEAD.max);
    const parts = jmMetaspace + jmOffHeap + overhead;
    if (jmProcess <= parts) {
      add(
        'resource.jobManager.memory',
        `${jm!.memory} leaves no JVM heap: metaspace ${formatMemorySize(jmMetaspace)} + off-heap ${formatMemorySize(jmOffHeap)} + ` +
          `JVM overhead ${formatMemorySize(overhead)} already take ${formatMemorySize(parts)}; ` +
          `give at least ${formatMemorySize(parts + 128 * MiB)}`,
      );
    }
  }

  const tm = spec.resource?.taskManager;
  const tmProcess = size('resource.taskManager.memory', tm?.memory);
  const tmMetaspace = size('resource.taskManager.jvm-metaspace', tm?.['jvm-metaspace']) ?? DEFAULT_METASPACE.taskManager;
  const frameworkHeap = size('resource.taskManager.framework.heap', tm?.framework?.heap) ?? DEFAULT_FRAMEWORK_HEAP;
  const frameworkOffHeap = size('resource.taskManager.framework.off-heap', tm?.framework?.['off-heap']) ?? DEFAULT_FRAMEWORK_OFF_HEAP;
  const taskOffHeap = size('resource.taskManager.task.off-heap', tm?.task?.['off-heap']) ?? 0;
  const networkMin = size('resource.taskManager.netWork.min', tm?.netWork?.min);
  const networkMax = size('resource.taskManager.netWork.max', tm?.netWork?.max);
  const managedMin = size('resource.taskManager.managed.min', tm?.managed?.min);
  const managedMax = size('resource.taskManager.managed.max', tm?.managed?.max);
  if (networkMin !== undefined && networkMax !== undefined && networkMin > networkMax) {
    add('resource.taskManager.netWork.min', `${tm!.netWork!.min} is larger than netWork.max ${tm!.netWork!.max}`);
  }
  if (managedMin !== undefined && managedMax !== undefined && managedMin > managedMax) {
    add('resource.taskManager.managed.min', `${tm!.managed!.min} is larger than managed.max ${tm!.managed!.max}`);
  }
  if (tmProcess !== undefined && tmProcess > 0) {
    const overhead = clamp(tmProcess * JVM_OVERHEAD.fraction, JVM_OVERHEAD.min, JVM_OVERHEAD.max);
    const flinkMemory = tmProcess - tmMetaspace - overhead;
    const networkFraction = Number(given(tm?.netWork?.fraction) ?? DEFAULT_NETWORK.fraction);
    const network =
      networkMin !== undefined || networkMax !== undefined
        ? (networkMin ?? networkMax!)
        : clamp(flinkMemory * networkFraction, DEFAULT_NETWORK.min, DEFAULT_NETWORK.max);
    const managed = managedMax ?? managedMin ?? flinkMemory * Number(given(tm?.managed?.fraction) ?? DEFAULT_MANAGED_FRACTION);
    const parts = tmMetaspace + overhead + frameworkHeap + frameworkOffHeap + taskOffHeap + network + managed;
    if (tmProcess <= parts) {
      add(
        'resource.taskManager.memory',
        `${tm!.memory} is smaller than its parts: metaspace ${formatMemorySize(tmMetaspace)}, JVM overhead ${formatMemorySize(overhead)}, ` +
          `framework heap ${formatMemorySize(frameworkHeap)} and off-heap ${formatMemorySize(frameworkOffHeap)}, ` +
          `task off-heap ${formatMemorySize(taskOffHeap)}, network ${formatMemorySize(network)} and managed ${formatMemorySize(managed)} ` +
          `add up to ${formatMemorySize(parts)}, leaving no task heap; raise memory or lower the parts`,
      );
    }
  }

  for (const [field, value] of [
    ['resource.jobManager.cpu', jm?.cpu],
    ['resource.taskManager.cpu', tm?.cpu],
  ] as const) {
    const text = given(value);
    if (text !== undefined && !(Number(text) > 0)) add(field, `"${text}" is not a positive number of cores; write it like 1 or "0.5"`);
  }

  const fraction = (field: string, text: string | undefined): void => {
    const value = given(text);
    if (value !== undefined && !(Number(value) >= 0 && Number(value) <= 1)) add(field, `"${value}" must be a fraction between 0 and 1, such as "0.1"`);
  };
  fraction('resource.taskManager.netWork.fraction', tm?.netWork?.fraction);
  fraction('resource.taskManager.managed.fraction', tm?.managed?.fraction);

  const mountNames = new Set((spec.volumes ?? []).map((v) => v.name));
  (spec.volumeMounts ?? []).forEach((mount, index) => {
    if (!mountNames.has(mount.name)) add(`volumeMounts[${index}].name`, `no volume named "${mount.name}" in spec.volumes`);
  });

  for (const { file, key } of configSecretKeys(spec)) {
    add(
      `config.${file}`,
      `"${key}" holds a secret value, which must not be written into a config file ` +
        `(it would be stored in a ConfigMap, Flink's logs and the Temporal history): ` +
        `put S3 credentials into a Secret and name it in spec.s3.credentialsSecret; ` +
        `give other secrets to Flink through a Secret (spec.volumes, or kubernetes.env.secretKeyRef)`,
    );
  }

  return problems;
}

/** One message for status and events, e.g. "spec.a: …; spec.b: …". */
export function describeProblems(problems: readonly SpecProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.message}`).join('; ');
}
