import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MissingProgramsError, parseVersionsEnv, readVersions, resolveBinaries, resolveTemporalTestServer, resolveTestTool } from './binaries.ts';

describe('parseVersionsEnv', () => {
  it('reads the file scripts/provision.sh sources', () => {
    const versions = parseVersionsEnv(readFileSync(new URL('./versions.env', import.meta.url), 'utf8'));
    expect(versions.kubernetes).toMatch(/^1\.\d+\.\d+$/);
    expect(versions.flink.length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    [
      'quoted lists',
      'TEMPORAL_VERSION=1\nKUBE_VERSION=2\nETCD_VERSION=3\nKWOK_VERSION=4\nVERSITYGW_VERSION=5\n' +
        'TEMPORAL_TEST_SERVER_VERSION=1.38.0\nHELM_VERSION=6\nPROMETHEUS_MODULE_VERSION=0.7\nFLINK_VERSIONS="1.20.1 2.1.0"',
      ['1.20.1', '2.1.0'],
    ],
    [
      'comments and blank lines',
      '# c\n\nTEMPORAL_VERSION=1\nKUBE_VERSION=2\nETCD_VERSION=3\nKWOK_VERSION=4\nVERSITYGW_VERSION=5\n' +
        'TEMPORAL_TEST_SERVER_VERSION=1.38.0\nHELM_VERSION=6\nPROMETHEUS_MODULE_VERSION=0.7\nFLINK_VERSIONS=1.20.1',
      ['1.20.1'],
    ],
  ])('handles %s', (_case, text, flink) => {
    expect(parseVersionsEnv(text).flink).toEqual(flink);
  });

  it('names the missing key', () => {
    expect(() => parseVersionsEnv('TEMPORAL_VERSION=1')).toThrow(/has no KUBE_VERSION/);
  });
});

describe('resolveBinaries', () => {
  it('lists every missing program with the command that provisions it', () => {
    const env = { PATH: '/nonexistent', FSO_CACHE: '/nonexistent/cache', FSO_ZOOKEEPER_JAR: '/nonexistent/zk.jar' };
    expect(() => resolveBinaries(env)).toThrow(/temporal: not in \$FSO_TEMPORAL_BIN[\s\S]*kube-apiserver[\s\S]*npm run provision/);
  });

  it('refuses a named binary that is not executable', () => {
    expect(() => resolveBinaries({ PATH: '', FSO_TEMPORAL_BIN: '/nonexistent/temporal' })).toThrow(
      /FSO_TEMPORAL_BIN=\/nonexistent\/temporal is not an executable file/,
    );
  });
});

describe('resolveTemporalTestServer', () => {
  it('names where it looked and how to provision it when the test server is nowhere', () => {
    expect(() => resolveTemporalTestServer({ PATH: '/nonexistent', FSO_CACHE: '/nonexistent/cache' })).toThrow(
      new RegExp(
        /temporal-test-server: not in \$FSO_TEMPORAL_TEST_SERVER_BIN, on PATH, /.source +
          /or at \/nonexistent\/cache\/temporal-test-server-[\d.]+\/temporal-test-server; run `npm run provision`/.source,
      ),
    );
  });

  it('takes the program the env var names, and refuses one that is not executable', () => {
    expect(resolveTemporalTestServer({ PATH: '', FSO_TEMPORAL_TEST_SERVER_BIN: '/bin/sh' })).toBe('/bin/sh');
    expect(() => resolveTemporalTestServer({ PATH: '', FSO_TEMPORAL_TEST_SERVER_BIN: '/nonexistent/tts' })).toThrow(
      /FSO_TEMPORAL_TEST_SERVER_BIN=\/nonexistent\/tts is not an executable file/,
    );
  });
});

describe('resolveTestTool', () => {
  it('finds helm and promtool in the cache folder provisioning builds them into, keyed by version', () => {
    const versions = readVersions();
    expect(() => resolveTestTool('helm', { PATH: '', FSO_CACHE: '/nonexistent/cache' }, versions)).toThrow(
      `helm: not in $FSO_HELM_BIN, on PATH, or at /nonexistent/cache/helm-${versions.helm}/helm; run \`npm run provision\``,
    );
    expect(() => resolveTestTool('promtool', { PATH: '', FSO_CACHE: '/nonexistent/cache' }, versions)).toThrow(
      `/nonexistent/cache/promtool-${versions.prometheusModule}/promtool`,
    );
  });

  it('takes the binary its variable names', () => {
    expect(resolveTestTool('helm', { PATH: '', FSO_HELM_BIN: '/bin/sh' })).toBe('/bin/sh');
  });
});

describe('missing programs are one expected error', () => {
  it('says how to get Java, which provisioning does not build', () => {
    const env = { PATH: '/nonexistent', FSO_CACHE: '/nonexistent/cache' };
    let caught: unknown;
    try {
      resolveBinaries(env);
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingProgramsError);
    expect((caught as MissingProgramsError).missing).toContainEqual(expect.stringMatching(/^java: .*install Java 17/));
  });
});
