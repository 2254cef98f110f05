// JSON lines on stdout, one per event: {"level":"info","time":"…","msg":"…","namespace":…,"name":…}.
// A dozen lines instead of a logging library: the watcher logs little, and nothing else needs one yet.
import type { LogLevel } from './config.ts';
import type { Log } from './watcher.ts';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function jsonLogger(minimum: LogLevel, write: (line: string) => void = (line) => process.stdout.write(line)): Log {
  return (msg, fields = {}) => {
    const { level: requested, ...rest } = fields as { level?: unknown };
    const level: LogLevel = typeof requested === 'string' && requested in RANK ? (requested as LogLevel) : 'info';
    if (RANK[level] < RANK[minimum]) return;
    write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...rest })}\n`);
  };
}
