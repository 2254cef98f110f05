import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED, generateModel } from './generate.ts';

describe('the TypeScript model', () => {
  it('is what crds/flinksession.yaml generates (run `npm run generate:model` after editing the CRD)', async () => {
    expect(readFileSync(GENERATED, 'utf8')).toBe(await generateModel());
  });
});
