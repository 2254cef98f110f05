// Structured JSON logs (pino), one line per event: {"level":"info","time":"…","component":"watcher",
// "msg":"…", …fields}. Lines about a session carry namespace, name, generation and workflowId.
// The Temporal SDK's own log lines (worker, workflows, activities) go through the same logger.
import type { LogLevel as TemporalLogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { pino, type DestinationStream, type Logger } from 'pino';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The one logging API of the operator's modules, watcher and worker alike: Temporal's (message first,
 * then the line's fields), which activities and workflows get from the SDK. The level is the method.
 */
export type Log = Pick<TemporalLogger, 'debug' | 'info' | 'warn' | 'error'>;

export type { Logger };

/**
 * Writes synchronously (stdout unless `destination`): the operator logs little, and a line written
 * just before a crash (a SIGKILL, an OOM kill) must not be lost in a buffer.
 */
export function createLogger(level: LogLevel, component: string, destination: DestinationStream = pino.destination({ dest: 1, sync: true })): Logger {
  const options = {
    level,
    base: { component },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return pino(options, destination);
}

/** The watcher's `Log`, writing through a pino logger (its `namespace` is the Kubernetes one). */
export function operatorLog(logger: Logger): Log {
  return {
    debug: (message, meta) => logger.debug(meta ?? {}, message),
    info: (message, meta) => logger.info(meta ?? {}, message),
    warn: (message, meta) => logger.warn(meta ?? {}, message),
    error: (message, meta) => logger.error(meta ?? {}, message),
  };
}

const TEMPORAL_LEVELS: Record<TemporalLogLevel, LogLevel> = { TRACE: 'debug', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal SDK's logger interface over pino. The SDK's `namespace` (the Temporal namespace) is
 * renamed `temporalNamespace`, so `namespace` always means the FlinkSession's Kubernetes namespace;
 * a line that already names `temporalNamespace` (the workflow's own, about a session) is kept as is.
 */
export function temporalLogger(logger: Logger): TemporalLogger {
  const log = (level: TemporalLogLevel, message: string, meta?: LogMetadata): void => {
    const fields = meta ?? {};
    if ('temporalNamespace' in fields || !('namespace' in fields)) {
      logger[TEMPORAL_LEVELS[level]](fields, message);
      return;
    }
    const { namespace, ...rest } = fields;
    logger[TEMPORAL_LEVELS[level]]({ ...rest, temporalNamespace: namespace }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
