import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/errors.ts';
import { workflowSource } from './workflow-bundle.ts';

describe('workflowSource (FSO_WORKFLOW_BUNDLE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fso-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('unset: the worker bundles workflows/index.ts itself', () => {
    const source = workflowSource(undefined);
    expect(source.workflowBundle).toBeUndefined();
    expect(source.workflowsPath).toMatch(/\/workflows\/index\.ts$/);
  });

  it('a bundle file: the worker loads it and bundles nothing', () => {
    const file = join(dir, 'bundle.js');
    writeFileSync(file, '// bundle');
    expect(workflowSource(file)).toEqual({ workflowBundle: { codePath: file } });
  });

  it('a file that is not there is a setting to fix, named with how to build one', () => {
    const missing = join(dir, 'nope.js');
    expect(() => workflowSource(missing)).toThrow(ConfigError);
    expect(() => workflowSource(missing)).toThrow(`FSO_WORKFLOW_BUNDLE names no file: ${missing} (build one with \`npm run build:workflow-bundle -- <file>\``);
  });
});
