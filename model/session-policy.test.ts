import { describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from './flinksession.ts';
import { DEFAULT_SESSION_POLICY, imageMatches, policyProblems } from './session-policy.ts';

const spec: FlinkSessionSpec = { image: 'registry.example.com/flink:1.20', sa: 'flink' };

describe('the session policy', () => {
  it.each([
    ['registry.example.com/flink:1.20', 'registry.example.com/flink:*', true],
    ['registry.example.com/flink:1.20', 'registry.example.com/*', true],
    ['evil.example.com/registry.example.com/flink:1.20', 'registry.example.com/*', false],
    ['registry.example.com/flink:1.20', 'registry.example.com/flink:1.2', false],
  ])('%s matches %s: %s', (image, pattern, matches) => {
    expect(imageMatches(image, pattern)).toBe(matches);
  });

  it('is open by default but for host access', () => {
    expect(policyProblems(spec, DEFAULT_SESSION_POLICY)).toEqual([]);
    const host = {
      ...spec,
      volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }],
      volumeMounts: [{ name: 'logs', mountPath: '/logs', mountPropagation: 'Bidirectional' as const }],
    };
    expect(policyProblems(host, DEFAULT_SESSION_POLICY).map((p) => p.field)).toEqual(['spec.volumes[0].hostPath', 'spec.volumeMounts[0].mountPropagation']);
    expect(policyProblems(host, { ...DEFAULT_SESSION_POLICY, allowHostPath: true })).toEqual([]);
  });

  it('refuses service accounts and images outside the allow-lists, naming the setting', () => {
    const policy = { ...DEFAULT_SESSION_POLICY, allowedServiceAccounts: ['flink'], allowedImages: ['registry.example.com/*'] };
    expect(policyProblems(spec, policy)).toEqual([]);
    expect(policyProblems({ image: 'docker.io/miner', sa: 'admin' }, policy).map((p) => p.message)).toEqual([
      'service account "admin" is not allowed here; use one of flink (FSO_ALLOWED_SERVICE_ACCOUNTS)',
      'image "docker.io/miner" matches none of the allowed patterns registry.example.com/* (FSO_ALLOWED_IMAGES)',
    ]);
  });
});
