// Flink's Duration text format (org.apache.flink.util.TimeUtils.parseDuration): a number and an
// optional unit, case-insensitive, with or without a space between; milliseconds when no unit is given
// (so the Long options of Flink 1.x, e.g. web.refresh-interval: 3000, read the same).

const MS_PER_UNIT: Array<[readonly string[], number]> = [
  [['ns', 'nano', 'nanos', 'nanosecond', 'nanoseconds'], 1e-6],
  [['µs', 'micro', 'micros', 'microsecond', 'microseconds'], 1e-3],
  [['', 'ms', 'milli', 'millis', 'millisecond', 'milliseconds'], 1],
  [['s', 'sec', 'secs', 'second', 'seconds'], 1000],
  [['m', 'min', 'minute', 'minutes'], 60_000],
  [['h', 'hour', 'hours'], 3_600_000],
  [['d', 'day', 'days'], 86_400_000],
];

/** Milliseconds, or undefined for text Flink would refuse. */
export function parseFlinkDuration(text: string): number | undefined {
  const match = /^(\d+)\s*(\S*)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = match[2]!.toLowerCase();
  const factor = MS_PER_UNIT.find(([names]) => names.includes(unit))?.[1];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}
