import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { kubernetesSessionCommand } from '../../stack/flink.ts';
import { readVersions } from '../../stack/binaries.ts';
import { stackEndpoints } from '../support/stack.ts';

const run = promisify(execFile);

describe.each(readVersions().flink)("Flink %s's own client (Maven Central classpath)", (flinkVersion) => {
  it('runs KubernetesSessionCli and prints its help', async () => {
    const flink = stackEndpoints().flink;
    const [java, ...args] = kubernetesSessionCommand(flink, flinkVersion, ['--help']);
    const { stdout, stderr } = await run(java!, args, { env: { ...process.env, FLINK_CONF_DIR: flink.confDir }, timeout: 60_000 });
    const output = stdout + stderr;
    expect(output).toMatch(/-D <property=value>/);
    expect(output).toMatch(/kubernetes-session|Usage/i);
  });
});
