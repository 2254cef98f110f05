import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { flattenFlinkConfig, jobManagerOverrides, withOverrides } from './flink-pod-config.ts';

describe('a Flink pod\'s config.yaml on this machine', () => {
  const written = 'jobmanager:\n  rpc:\n    address: orders.ns\n    port: 6123\nrest.port: 8081\nenv:\n  java:\n    opts:\n      all: -XX:+UseG1GC\n';

  it('reads nested and flat keys alike', () => {
    expect(flattenFlinkConfig(written)).toEqual({ 'jobmanager.rpc.address': 'orders.ns', 'jobmanager.rpc.port': 6123, 'rest.port': 8081, 'env.java.opts.all': '-XX:+UseG1GC' });
  });

  it('changes addresses, ports and the kubeconfig, and keeps everything else', () => {
    const config = parse(withOverrides(written, jobManagerOverrides({ rpc: 40001, blob: 40002, rest: 40003 }, '/k/config'))) as Record<string, unknown>;
    expect(config).toMatchObject({
      'jobmanager.rpc.address': '127.0.0.1', 'jobmanager.rpc.port': '40001', 'blob.server.port': '40002', 'rest.port': '40003', 'rest.bind-port': '40003',
      'kubernetes.config.file': '/k/config', 'env.java.opts.all': '-XX:+UseG1GC',
    });
  });
});
