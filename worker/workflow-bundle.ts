// Where the worker's workflow code comes from: a bundle built beforehand (FSO_WORKFLOW_BUNDLE, e.g.
// into an image, or once per test run), or workflows/ bundled by the worker as it starts (2–5 s of CPU
// with webpack). A bundle must come from this same version of the code: the worker runs what it holds.
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config/errors.ts';

const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** The Worker.create options that name the workflow code; a bundle file that is not there is a setting to fix. */
export function workflowSource(bundleFile: string | undefined): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (!bundleFile) return { workflowsPath: WORKFLOWS_PATH };
  if (!existsSync(bundleFile))
    throw new ConfigError(
      [`FSO_WORKFLOW_BUNDLE names no file: ${bundleFile} (build one with \`npm run build:workflow-bundle -- <file>\`, or unset it)`],
      'worker configuration',
    );
  return { workflowBundle: { codePath: bundleFile } };
}

/** Bundles workflows/ into `file` (what FSO_WORKFLOW_BUNDLE then names); returns its size in bytes. */
export async function writeWorkflowBundle(file: string): Promise<number> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: QUIET });
  await writeFile(file, code);
  return Buffer.byteLength(code);
}

const quiet = (): void => undefined;
/** The bundler's progress lines stay out of the caller's output; its errors fail the build. */
const QUIET = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };
