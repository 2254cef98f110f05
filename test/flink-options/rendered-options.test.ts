import { describe, expect, it } from 'vitest';
import { renderFlinkOptions } from '../../model/flink-options.ts';
import { readVersions } from '../../stack/binaries.ts';
import { assertOptionKeysValid, resolveFlinkVersion } from '../../tools/flink-options/flink-option-keys.ts';
import { everyOptionSpec } from '../fixtures/specs.ts';

const session = { namespace: 'flink', name: 'keys', uid: 'u', generation: 1 };

/** major.minor of each Flink version the stack has a client for (1.20.1 → 1.20). */
const minorVersions = readVersions().flink.map((v) => v.split('.').slice(0, 2).join('.'));

describe.each(minorVersions)('options rendered for Flink %s', (flinkVersion) => {
  it("are all keys Flink's own option classes know, none deprecated", async () => {
    const options = renderFlinkOptions(session, everyOptionSpec(flinkVersion));
    expect(options.length).toBeGreaterThan(30);
    await assertOptionKeysValid(
      resolveFlinkVersion(flinkVersion),
      options.map(([key]) => key),
    );
  });

  it('applicationConfig adds only known keys', async () => {
    const options = renderFlinkOptions(session, { image: 'f', flinkVersion, applicationConfig: { jarPath: 'local:///opt/job.jar', parallelism: 3 } });
    await assertOptionKeysValid(
      resolveFlinkVersion(flinkVersion),
      options.map(([key]) => key),
    );
  });
});
