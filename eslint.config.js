// Lint: typescript-eslint's recommended rules everywhere; in workflows/, Temporal's sandbox rule —
// workflow code must be deterministic, so Node built-ins and I/O libraries may not be imported there
// (the workflow bundler would fail at worker start; lint says so at the line that does it).
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const ioLibraries = ['@kubernetes/client-node', '@aws-sdk/*', 'zookeeper', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'];

export default tseslint.config(
  { ignores: ['node_modules/', '.stack/', 'coverage/'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Prettier wraps code at 160 columns (.prettierrc.json) but not strings or comments: they are held to the same width.
    files: ['**/*.ts'],
    ignores: ['**/*.generated.ts'],
    plugins: { '@stylistic': stylistic },
    rules: { '@stylistic/max-len': ['error', { code: 160, ignoreUrls: true }] },
  },
  {
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['workflows/**/*.ts', 'test/**/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: builtinModules.flatMap((m) => [m, `node:${m}`]).map((name) => ({
          name,
          message: 'workflow code runs in Temporal\'s deterministic sandbox: do I/O in an activity',
        })),
        patterns: [{ group: ioLibraries, message: 'workflow code does no I/O: call an activity (import type only)', allowTypeImports: true }],
      }],
    },
  },
);
