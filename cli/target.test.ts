import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/errors.ts';
import { parseSessionTarget } from './target.ts';

describe('parseSessionTarget', () => {
  it('reads <namespace>/<name>', () => {
    expect(parseSessionTarget('team-a/orders')).toEqual({ namespace: 'team-a', name: 'orders' });
  });

  it.each([
    ['orders', 'is not <namespace>/<name> of a FlinkSession, e.g. default/example'],
    ['a/b/c', 'is not <namespace>/<name>'],
    ['/orders', 'is not <namespace>/<name>'],
    ['Team/orders', 'namespace "Team" is not a DNS-1123 label'],
    ['team/Orders_1', 'FlinkSession name "Orders_1" is not a DNS-1123 label'],
  ])('refuses %s, saying what to type', (text, message) => {
    expect(() => parseSessionTarget(text)).toThrow(ConfigError);
    expect(() => parseSessionTarget(text)).toThrow(message);
  });
});
