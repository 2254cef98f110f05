import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedFile, generateModel, MODELS } from './generate.ts';

describe('the TypeScript model', () => {
  it.each(MODELS.map((m) => [m.file, m] as const))(
    '%s is what its CRD generates (run `npm run generate:model` after editing the CRD)',
    async (_file, model) => {
      expect(readFileSync(generatedFile(model), 'utf8')).toBe(await generateModel(model));
    },
  );
});
