import { RequestContext, HttpMethod, type Cluster, type User } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { connectionKey, ConnectionReusingKubeConfig } from './connection-reuse.ts';

const cluster: Cluster = { name: 'stack', server: 'https://127.0.0.1:6443', caData: Buffer.from('ca').toString('base64'), skipTLSVerify: false };
const certUser: User = { name: 'admin', certData: 'Y2VydA==', keyData: 'a2V5' };
const tokenUser: User = { name: 'operator', token: 'abc' };

describe('connectionKey', () => {
  it.each<[string, Cluster, User, Cluster, User, boolean]>([
    ['the same cluster and user', cluster, certUser, { ...cluster }, { ...certUser }, true],
    ['another token (it is a header)', cluster, tokenUser, cluster, { ...tokenUser, token: 'def' }, true],
    ['another server', cluster, certUser, { ...cluster, server: 'https://127.0.0.1:7443' }, certUser, false],
    ['another CA', cluster, certUser, { ...cluster, caData: 'b3RoZXI=' }, certUser, false],
    ['another client certificate', cluster, certUser, cluster, { ...certUser, certData: 'b3RoZXI=' }, false],
    ['another key file', cluster, { ...certUser, keyFile: '/a' }, cluster, { ...certUser, keyFile: '/b' }, false],
    ['TLS verification off', cluster, certUser, { ...cluster, skipTLSVerify: true }, certUser, false],
  ])('%s: same connection = %s', (_, clusterA, userA, clusterB, userB, same) => {
    expect(connectionKey(clusterA, userA) === connectionKey(clusterB, userB)).toBe(same);
  });

  it('none for a user whose exec plugin or auth provider may hand out a certificate', () => {
    expect(connectionKey(cluster, { name: 'eks', exec: { command: 'aws' } })).toBeUndefined();
    expect(connectionKey(cluster, { name: 'gke', authProvider: { name: 'gcp' } })).toBeUndefined();
  });
});

function kubeConfig(user: User): ConnectionReusingKubeConfig {
  const kc = new ConnectionReusingKubeConfig();
  kc.loadFromOptions({ clusters: [cluster], users: [user], contexts: [{ name: 'c', cluster: cluster.name, user: user.name }], currentContext: 'c' });
  return kc;
}

async function dispatcherOf(kc: ConnectionReusingKubeConfig): Promise<{ dispatcher: unknown; headers: Record<string, string> }> {
  const context = new RequestContext(`${cluster.server}/api`, HttpMethod.GET);
  await kc.applySecurityAuthentication(context);
  return { dispatcher: context.getDispatcher(), headers: context.getHeaders() };
}

describe('ConnectionReusingKubeConfig', () => {
  it('gives every request the same Agent, and still sets each request its headers', async () => {
    const kc = kubeConfig(tokenUser);
    const [first, second] = [await dispatcherOf(kc), await dispatcherOf(kc)];
    expect(first.dispatcher).toBeDefined();
    expect(second.dispatcher).toBe(first.dispatcher);
    expect(second.headers.Authorization).toBe('Bearer abc');
  });

  it('keeps an Agent per kubeconfig', async () => {
    expect((await dispatcherOf(kubeConfig(tokenUser))).dispatcher).not.toBe((await dispatcherOf(kubeConfig(tokenUser))).dispatcher);
  });
});
