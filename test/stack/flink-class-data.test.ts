// The class data sharing archive provisioning trains (scripts/flink-class-data.sh): the stack's Flink
// JVMs map Flink's classes from it, with the client's classpath and with a JobManager's (the
// dashboard's jar after it). -Xshare:on makes a JVM that cannot use the archive fail instead of
// ignoring it.
import { execFile } from 'node:child_process';
import { delimiter } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readVersions } from '../../stack/binaries.ts';
import { FLINK_CLI_FRONTEND } from '../../stack/flink.ts';
import { stackJvmOptions } from '../../stack/jvm-options.ts';
import { stackEndpoints } from '../support/stack.ts';

const run = promisify(execFile);

describe.each(readVersions().flink)('Flink %s class data archive', (version) => {
  it.each(['client', 'jobmanager'] as const)("maps Flink's classes for a JVM with the %s classpath", async (which) => {
    const { flink } = stackEndpoints();
    const classpath = [flink.classpaths[version]!, ...(which === 'jobmanager' && flink.runtimeWeb[version] ? [flink.runtimeWeb[version]] : [])].join(delimiter);
    const options = stackJvmOptions(flink, version);
    expect(options).toContain(`-XX:SharedArchiveFile=${flink.classData[version]}`);
    const { stdout } = await run(flink.java, [...options, '-Xshare:on', '-Xlog:class+load=info', '-cp', classpath, FLINK_CLI_FRONTEND, '--version'], {
      env: { ...process.env, FLINK_CONF_DIR: flink.confDir },
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(stdout).toMatch(/Version: \d/);
    expect(stdout).toContain(`${FLINK_CLI_FRONTEND} source: shared objects file`);
  });
});
