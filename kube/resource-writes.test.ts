import { describe, expect, it } from 'vitest';
import { ApiException, type CoreV1Api, type CustomObjectsApi } from '@kubernetes/client-node';
import { mergePatchStatus, recordEventBestEffort, removeFinalizer } from './resource-writes.ts';

const target = { group: 'flink.example.com', version: 'v1', namespace: 'ns', plural: 'flinksessions', name: 'orders' };
const refused = (code: number) => new ApiException(code, `HTTP ${code}`, JSON.stringify({ message: `refused with ${code}` }), {});

/** A CustomObjectsApi whose patches answer, in turn, with the given errors (undefined: success). */
function objectsAnswering(...answers: Array<ApiException<string> | undefined>) {
  const bodies: unknown[] = [];
  const answer = async (request: { body: unknown }) => {
    bodies.push(request.body);
    const error = answers.shift();
    if (error) throw error;
    return {};
  };
  return { objects: { patchNamespacedCustomObjectStatus: answer, patchNamespacedCustomObject: answer } as unknown as CustomObjectsApi, bodies };
}

describe('mergePatchStatus', () => {
  it.each([
    ['patched', undefined, true],
    ['the object is gone (404)', refused(404), false],
  ])('%s', async (_case, error, patched) => {
    const { objects, bodies } = objectsAnswering(error);
    expect(await mergePatchStatus(objects, target, { lastError: null })).toBe(patched);
    expect(bodies).toEqual([{ status: { lastError: null } }]);
  });

  it('throws any other refusal', async () => {
    await expect(mergePatchStatus(objectsAnswering(refused(403)).objects, target, {})).rejects.toThrow(ApiException);
  });
});

describe('removeFinalizer', () => {
  const object = (resourceVersion: string, finalizers: string[]) => ({
    metadata: { name: 'orders', namespace: 'ns', uid: 'u1', generation: 1, resourceVersion, finalizers },
  });

  it('removes it at the index it has, guarded by the resourceVersion, and reads again after a stale write', async () => {
    const { objects, bodies } = objectsAnswering(refused(422), undefined);
    const reads = [object('1', ['ours']), object('2', ['other', 'ours'])];
    expect(await removeFinalizer(objects, target, 'ours', async () => reads.shift(), 'ns/orders')).toBe(true);
    expect(bodies).toEqual([
      [
        { op: 'test', path: '/metadata/resourceVersion', value: '1' },
        { op: 'remove', path: '/metadata/finalizers/0' },
      ],
      [
        { op: 'test', path: '/metadata/resourceVersion', value: '2' },
        { op: 'remove', path: '/metadata/finalizers/1' },
      ],
    ]);
  });

  it.each([
    ['the object is gone', undefined, undefined],
    ['it has no such finalizer', object('1', ['other']), undefined],
    ['the object goes before the patch (404)', object('1', ['ours']), refused(404)],
  ])('is false when %s', async (_case, current, error) => {
    const { objects } = objectsAnswering(error);
    expect(await removeFinalizer(objects, target, 'ours', async () => current, 'ns/orders')).toBe(false);
  });

  it('gives up, naming the object, when it keeps changing', async () => {
    const { objects } = objectsAnswering(...Array.from({ length: 5 }, () => refused(409)));
    await expect(removeFinalizer(objects, target, 'ours', async () => object('1', ['ours']), 'FlinkSessionJob ns/orders')).rejects.toThrow(
      'could not remove the finalizer of FlinkSessionJob ns/orders: the object kept changing',
    );
  });
});

describe('recordEventBestEffort', () => {
  const event = { namespace: 'ns', name: 'orders', uid: 'u1', type: 'Normal', reason: 'Deployed', message: 'up', instance: 'worker-1' } as const;

  function eventsAnswering(error?: ApiException<string>) {
    const created: Array<{ namespace: string; body: { metadata?: { name?: string; generateName?: string } } }> = [];
    const events = {
      createNamespacedEvent: async (request: (typeof created)[number]) => {
        created.push(request);
        if (error) throw error;
        return request.body;
      },
    } as unknown as CoreV1Api;
    return { events, created };
  }

  it.each([
    ['recorded', undefined, { recorded: true }],
    ['already recorded by an earlier try (409)', refused(409), { recorded: true }],
    ['refused: a terminating namespace (403)', refused(403), { recorded: false, why: 'refused with 403 (HTTP 403)' }],
  ])('%s', async (_case, error, outcome) => {
    const { events } = eventsAnswering(error);
    expect(await recordEventBestEffort(events, event, 'run/1')).toEqual(outcome);
  });

  it('is named after the key, so a retry of the call finds its Event; without a key the API server names it', async () => {
    const { events, created } = eventsAnswering();
    await recordEventBestEffort(events, event, 'run/1');
    await recordEventBestEffort(events, event, 'run/1');
    await recordEventBestEffort(events, event, undefined);
    expect(created.map((request) => request.namespace)).toEqual(['ns', 'ns', 'ns']);
    expect(created[0]!.body.metadata!.name).toMatch(/^orders\.[0-9a-f]{16}$/);
    expect(created[1]!.body.metadata!.name).toBe(created[0]!.body.metadata!.name);
    expect(created[2]!.body.metadata).toEqual({ generateName: 'orders.', namespace: 'ns' });
  });

  it('throws what is not a refusal of the request (5xx)', async () => {
    await expect(recordEventBestEffort(eventsAnswering(refused(503)).events, event, 'run/1')).rejects.toThrow(ApiException);
  });
});
