import { describe, expect, it } from 'vitest';
import { nameCollisions } from './derived-names.ts';

describe('derived-name collisions', () => {
  const x = { name: 'x', created: '2026-12-01T10:00:00Z' };
  const xRest = { name: 'x-rest', created: '2026-12-01T11:00:00Z' };
  it.each([
    ['x-rest after x collides on Service x-rest', xRest, [x], [{ other: 'x', objects: ['Service x-rest'] }]],
    [
      'x after x-rest: x is the newer one and is refused',
      { ...x, created: '2026-12-01T12:00:00Z' },
      [xRest],
      [{ other: 'x-rest', objects: ['Service x-rest'] }],
    ],
    ['the older one keeps its names', x, [xRest], []],
    ['unrelated names', { name: 'orders', created: '2026-12-01T12:00:00Z' }, [x, xRest], []],
    ['itself', x, [x], []],
  ])('%s', (_, session, others, collisions) => {
    expect(nameCollisions(session, others)).toEqual(collisions);
  });
});
