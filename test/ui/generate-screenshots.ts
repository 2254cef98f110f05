// `npm run generate:screenshots`: the README's Temporal UI screenshots of a redeploy (its history,
// and its User Metadata tab), taken from the real stack (a fresh one in a temporary folder, or the one
// FSO_TEST_STACK names), and the `kubectl get fls` / `kubectl describe fls` output of the same
// session, printed for the README.
//   node test/ui/generate-screenshots.ts [--out-dir docs/images]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveChromium } from '../../stack/binaries.ts';
import { startStack, type StackEndpoints, type StackStateFile } from '../../stack/stack.ts';
import { openBrowser } from '../../tools/screenshots/rendered-page.ts';
import { redeployedSession } from './redeploy-scenario.ts';
import { runPages } from './run-page.ts';

const DEFAULT_OUT_DIR = fileURLToPath(new URL('../../docs/images/', import.meta.url));
const FILES = { history: 'temporal-ui-redeploy.png', 'user-metadata': 'temporal-ui-redeploy-details.png' } as const;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: DEFAULT_OUT_DIR } } });
  const chromium = resolveChromium(process.env);
  const reuse = process.env.FSO_TEST_STACK;
  const started = reuse ? undefined : await startStack({ stateDir: mkdtempSync(join(tmpdir(), 'fso-screenshots-')), env: process.env, fresh: true });
  const stack: StackEndpoints = started?.endpoints ?? (JSON.parse(readFileSync(reuse!, 'utf8')) as StackStateFile).endpoints;
  // On a stack of its own the names read as a user's would; on a shared one they must not collide.
  const suffix = reuse ? `-${Math.random().toString(36).slice(2, 6)}` : '';
  try {
    const session = await redeployedSession(stack, {
      namespace: `analytics${suffix}`,
      name: 'orders',
      bucket: `flink-state${suffix}`,
      taskQueue: `screenshots${suffix}`,
    });
    try {
      const browser = await openBrowser(chromium);
      try {
        for (const page of runPages(session)) {
          const file = join(values['out-dir'], FILES[page.name]) as `${string}.png`;
          await browser.render(page.url, { waitForTexts: page.texts, screenshot: file, width: 1400, height: 1000 });
          console.log(`saved ${file} (${page.url})`);
        }
      } finally {
        await browser.close();
      }
      const kubectl = (...args: string[]) => execFileSync('kubectl', args, { env: { ...process.env, KUBECONFIG: session.kubeconfig }, encoding: 'utf8' });
      console.log(`\n$ kubectl get fls -n ${session.namespace}\n${kubectl('get', 'fls', '-n', session.namespace)}`);
      console.log(`$ kubectl describe fls ${session.name} -n ${session.namespace}\n${kubectl('describe', 'fls', session.name, '-n', session.namespace)}`);
    } finally {
      await session.stop();
    }
  } finally {
    await started?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
