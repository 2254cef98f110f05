import { describe, expect, it } from 'vitest';
import { configSecretKeys, isSecretKey, redactConfigSecrets } from './config-secrets.ts';

describe('secrets in config files', () => {
  it.each([
    ['s3.secret-key', true],
    ['s3.access-key', true],
    ['fs.s3a.secret.key', true],
    ['fs.s3a.access.key', true],
    ['security.ssl.keystore-password', true],
    ['my.secret.thing', true],
    ['s3.access.key', true],
    ['kubernetes.secrets', false],
    ['kubernetes.env.secretKeyRef', false],
    ['parallelism.default', false],
    ['s3.endpoint', false],
    ['state.backend.rocksdb.memory.managed', false],
  ])('%s holds a secret: %s', (key, secret) => {
    expect(isSecretKey(key)).toBe(secret);
  });

  it('finds flat and nested keys, and redacts their values only', () => {
    const text = 'parallelism.default: 2\ns3.secret-key: SECRET1\nfs:\n  s3a:\n    secret.key: SECRET2\n# s3.access-key: commented\n';
    expect(configSecretKeys({ image: 'x', config: { 'flink-conf.yaml': text, 'log4j-console.properties': 'appender.x.password = SECRET3\n' } })).toEqual([
      { file: 'flink-conf.yaml', key: 's3.secret-key' },
      { file: 'flink-conf.yaml', key: 'fs.s3a.secret.key' },
      { file: 'log4j-console.properties', key: 'appender.x.password' },
    ]);
    const redacted = redactConfigSecrets(text, '<redacted>');
    expect(redacted).toBe('parallelism.default: 2\ns3.secret-key: <redacted>\nfs:\n  s3a:\n    secret.key: <redacted>\n# s3.access-key: commented\n');
  });
});
