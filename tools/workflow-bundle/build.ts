// npm run build:workflow-bundle -- <file>: writes the worker's workflow bundle, for FSO_WORKFLOW_BUNDLE.
import { resolve } from 'node:path';
import { writeWorkflowBundle } from '../../worker/workflow-bundle.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: npm run build:workflow-bundle -- <file>   (then FSO_WORKFLOW_BUNDLE=<file> for the worker)\n');
  process.exit(2);
}
const started = Date.now();
const bytes = await writeWorkflowBundle(resolve(file));
process.stdout.write(`wrote ${resolve(file)} (${(bytes / 1024 / 1024).toFixed(1)} MiB) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
