import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVersionsEnv, resolveBinaries, resolveTemporalTestServer } from './binaries.ts';

describe('parseVersionsEnv', () => {
  it('reads the file scripts/provision.sh sources', () => {
    const versions = parseVersionsEnv(readFileSync(new URL('./versions.env', import.meta.url), 'utf8'));
    expect(versions.kubernetes).toMatch(/^1\.\d+\.\d+$/);
    expect(versions.flink.length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['quoted lists', 'TEMPORAL_VERSION=1\nTEMPORAL_TEST_SERVER_VERSION=1.38.0\nKUBE_VERSION=2\nETCD_VERSION=3\nKWOK_VERSION=4\nVERSITYGW_VERSION=5\nFLINK_VERSIONS="1.20.1 2.1.0"', ['1.20.1', '2.1.0']],
    ['comments and blank lines', '# c\n\nTEMPORAL_VERSION=1\nTEMPORAL_TEST_SERVER_VERSION=1.38.0\nKUBE_VERSION=2\nETCD_VERSION=3\nKWOK_VERSION=4\nVERSITYGW_VERSION=5\nFLINK_VERSIONS=1.20.1', ['1.20.1']],
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
    expect(() => resolveBinaries({ PATH: '', FSO_TEMPORAL_BIN: '/nonexistent/temporal' })).toThrow(/FSO_TEMPORAL_BIN=\/nonexistent\/temporal is not an executable file/);
  });
});

describe('resolveTemporalTestServer', () => {
  it('names the provision target when the test server is nowhere', () => {
    expect(() => resolveTemporalTestServer({ PATH: '/nonexistent', FSO_CACHE: '/nonexistent/cache' }))
      .toThrow(/temporal-test-server: not in \$FSO_TEMPORAL_TEST_SERVER_BIN, on PATH, or at \/nonexistent\/cache\/temporal-test-server-[\d.]+\/temporal-test-server; run `npm run provision -- temporal-test-server`/);
  });

  it('takes the program the env var names, and refuses one that is not executable', () => {
    expect(resolveTemporalTestServer({ PATH: '', FSO_TEMPORAL_TEST_SERVER_BIN: '/bin/sh' })).toBe('/bin/sh');
    expect(() => resolveTemporalTestServer({ PATH: '', FSO_TEMPORAL_TEST_SERVER_BIN: '/nonexistent/tts' })).toThrow(/FSO_TEMPORAL_TEST_SERVER_BIN=\/nonexistent\/tts is not an executable file/);
  });
});
