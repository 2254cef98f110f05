// Flink's MemorySize text format (org.apache.flink.configuration.MemorySize): a number and an
// optional unit, case-insensitive; bytes when no unit is given.

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  bytes: 1,
  k: 1024,
  kb: 1024,
  kibibytes: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mebibytes: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gibibytes: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tebibytes: 1024 ** 4,
};

/** Bytes, or undefined for text Flink would refuse. */
export function parseMemorySize(text: string): number | undefined {
  const match = /^(\d+)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = UNITS[match[2]!.toLowerCase()];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

export const MiB = 1024 ** 2;

/** A size in a form a person reads (e.g. 1.5g, 192m). */
export function formatMemorySize(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % (1024 ** 3 / 8) === 0) return `${bytes / 1024 ** 3}g`;
  return `${Math.ceil(bytes / MiB)}m`;
}
