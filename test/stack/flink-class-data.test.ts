// The class data sharing archives of the stack's Flink JVMs. Provisioning's (scripts/flink-class-data.sh)
// maps Flink's classes for a JVM with the client's classpath and with a JobManager's (the dashboard's
// jar after it); -Xshare:on makes a JVM that cannot use the archive fail instead of ignoring it. On
// top of it, the first JVM of a kind writes a layer at its exit (stack/trained-class-data.ts), which
// the JVMs of that kind after it map.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readVersions } from '../../stack/binaries.ts';
import { FLINK_CLI_FRONTEND } from '../../stack/flink.ts';
import { exitReason, stackJvm } from '../../stack/jvm-options.ts';
import { stackEndpoints } from '../support/stack.ts';

const run = promisify(execFile);

/** Flink's CLI `--version` with `options`, its class loading logged: what it printed. */
async function cliVersion(version: string, options: string[], classpath: string): Promise<string> {
  const { flink } = stackEndpoints();
  const { stdout } = await run(flink.java, [...options, '-Xlog:class+load=info', '-cp', classpath, FLINK_CLI_FRONTEND, '--version'], {
    env: { ...process.env, FLINK_CONF_DIR: flink.confDir },
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(stdout).toMatch(/Version: \d/);
  return stdout;
}

describe.each(readVersions().flink)('Flink %s class data archives', (version) => {
  it.each(['client', 'jobmanager'] as const)("provisioning's archive maps Flink's classes for a JVM with the %s classpath", async (which) => {
    const { flink } = stackEndpoints();
    const classpath = [flink.classpaths[version]!, ...(which === 'jobmanager' && flink.runtimeWeb[version] ? [flink.runtimeWeb[version]] : [])].join(delimiter);
    const stdout = await cliVersion(version, ['-Xshare:on', `-XX:SharedArchiveFile=${flink.classData[version]}`], classpath);
    expect(stdout).toContain(`${FLINK_CLI_FRONTEND} source: shared objects file`);
  });

  it('the first JVM of a kind writes a layer at its exit, the ones after it map it; one trains at a time, a killed one leaves nothing', async () => {
    const { flink } = stackEndpoints();
    const layers = { ...flink, classDataLayers: mkdtempSync(join(tmpdir(), 'fso-class-data-')) };
    const classpath = flink.classpaths[version]!;

    const first = await stackJvm(layers, version, 'cli', classpath);
    expect(first.options).toContain(`-XX:SharedArchiveFile=${flink.classData[version]}`);
    expect(first.options.some((o) => o.startsWith('-XX:ArchiveClassesAtExit='))).toBe(true);
    // While it runs, another JVM of the kind maps provisioning's archive only, and writes nothing.
    const meanwhile = await stackJvm(layers, version, 'cli', classpath);
    expect(meanwhile.options.filter((o) => o.includes('Archive'))).toEqual([`-XX:SharedArchiveFile=${flink.classData[version]}`]);
    // A killed trainee's layer is not kept, and the next JVM trains instead.
    meanwhile.exited('exit code 0');
    first.exited('SIGKILL');
    expect(readdirSync(layers.classDataLayers)).toEqual([]);

    const trainee = await stackJvm(layers, version, 'cli', classpath);
    expect(trainee.options.some((o) => o.startsWith('-XX:ArchiveClassesAtExit='))).toBe(true);
    const trained = await cliVersion(version, trainee.options, classpath).then(
      () => 'exit code 0',
      (error: unknown) => exitReason(error),
    );
    trainee.exited(trained);
    expect(trained).toBe('exit code 0');

    const after = await stackJvm(layers, version, 'cli', classpath);
    const layer = after.options.find((o) => o.startsWith('-XX:SharedArchiveFile='))!.split('=')[1]!;
    expect(existsSync(layer)).toBe(true);
    expect(layer).not.toBe(flink.classData[version]);
    expect(after.options.some((o) => o.startsWith('-XX:ArchiveClassesAtExit='))).toBe(false);
    // The classes its trainee loaded beyond provisioning's archive come from the layer ("top"), the rest from the base.
    const stdout = await cliVersion(version, ['-Xshare:on', ...after.options], classpath);
    expect(stdout).toMatch(/source: shared objects file \(top\)/);
    expect(stdout).toContain(`${FLINK_CLI_FRONTEND} source: shared objects file`);
    // Another kind, or a JVM of the kind with another classpath, has a layer of its own to write.
    expect((await stackJvm(layers, version, 'taskmanager', classpath)).options.some((o) => o.startsWith('-XX:ArchiveClassesAtExit='))).toBe(true);
    expect(
      (await stackJvm(layers, version, 'cli', `${classpath}${delimiter}/nowhere.jar`)).options.some((o) => o.startsWith('-XX:ArchiveClassesAtExit=')),
    ).toBe(true);
  });
});
