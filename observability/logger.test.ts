import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, operatorLog, temporalLogger } from './logger.ts';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('logs', () => {
  it('writes JSON lines with level, time, component, msg and fields; drops what is below the level', () => {
    const { lines, stream } = capture();
    const log = operatorLog(createLogger('info', 'watcher', stream));
    log.info('signalled specChanged', { namespace: 'ns', name: 'fls', generation: 2, workflowId: 'flinksession/ns/fls' });
    log.debug('nothing to do');
    log.error('informer failed', { error: 'boom' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'info',
      component: 'watcher',
      msg: 'signalled specChanged',
      namespace: 'ns',
      name: 'fls',
      generation: 2,
      workflowId: 'flinksession/ns/fls',
    });
    expect(Date.parse(String(lines[0]!.time))).not.toBeNaN();
    expect(lines[1]).toMatchObject({ level: 'error', msg: 'informer failed', error: 'boom' });
  });

  it("keeps the Kubernetes namespace apart from the Temporal namespace in the SDK's lines", () => {
    const { lines, stream } = capture();
    const logger = temporalLogger(createLogger('debug', 'worker', stream));
    logger.info('Activity completed', { namespace: 'default', workflowId: 'flinksession/team-a/fls', activityType: 'purgeS3Prefixes' });
    logger.warn('deploy started', { namespace: 'team-a', name: 'fls', generation: 3, temporalNamespace: 'default', workflowId: 'flinksession/team-a/fls' });
    logger.trace('poll', {});
    expect(lines[0]).toMatchObject({ level: 'info', temporalNamespace: 'default', workflowId: 'flinksession/team-a/fls', activityType: 'purgeS3Prefixes' });
    expect(lines[0]).not.toHaveProperty('namespace');
    expect(lines[1]).toMatchObject({ level: 'warn', namespace: 'team-a', name: 'fls', generation: 3, temporalNamespace: 'default' });
    expect(lines[2]).toMatchObject({ level: 'debug', msg: 'poll' });
  });
});

describe('a line logged just before a SIGKILL', () => {
  it("is on stdout: the logger writes synchronously (crash-safety tests read the worker's last words)", () => {
    const logger = new URL('./logger.ts', import.meta.url).href;
    const script = `import { createLogger } from ${JSON.stringify(logger)};
      const log = createLogger('info', 'worker');
      for (let i = 0; i < 50; i++) log.info({ i }, 'filler line to fill a buffer');
      log.warn('fault injection: SIGKILL before waitForFlinkClusterGone');
      process.kill(process.pid, 'SIGKILL');`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.signal).toBe('SIGKILL');
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string });
    expect(lines).toHaveLength(51);
    expect(lines.at(-1)?.msg).toBe('fault injection: SIGKILL before waitForFlinkClusterGone');
  });
});
