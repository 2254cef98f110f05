import { describe, expect, it } from 'vitest';
import { jsonLogger } from './log.ts';

describe('jsonLogger', () => {
  it('writes one JSON line per call with level, time, msg and fields; drops what is below the minimum', () => {
    const lines: string[] = [];
    const log = jsonLogger('info', (line) => lines.push(line));
    log('signalled specChanged', { namespace: 'ns', name: 'fls', generation: 2, workflowId: 'flinksession/ns/fls' });
    log('nothing to do', { level: 'debug' });
    log('informer failed', { level: 'error', error: 'boom' });
    expect(lines.every((line) => line.endsWith('\n'))).toBe(true);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({ level: 'info', msg: 'signalled specChanged', namespace: 'ns', name: 'fls', generation: 2, workflowId: 'flinksession/ns/fls' });
    expect(typeof parsed[0]!.time).toBe('string');
    expect(parsed[1]).toMatchObject({ level: 'error', msg: 'informer failed', error: 'boom' });
  });
});
