// The Temporal UI tells a redeploy's story, checked in a real browser: headless Chromium loads the
// run's pages on the stack's Temporal dev server (its Web UI) and the test reads what a person sees:
// the steps by their summaries, the run's summary and its current details.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveChromium } from '../../stack/binaries.ts';
import { openBrowser, type HeadlessBrowser } from '../../tools/screenshots/rendered-page.ts';
import { stackEndpoints, uniqueName } from '../support/stack.ts';
import { redeployedSession, type RedeployedSession } from './redeploy-scenario.ts';
import { runPages } from './run-page.ts';

describe('the Temporal UI page of a redeploy (headless Chromium)', () => {
  let session: RedeployedSession;
  let browser: HeadlessBrowser;

  beforeAll(async () => {
    const namespace = uniqueName('ui');
    browser = await openBrowser(resolveChromium(process.env));
    session = await redeployedSession(stackEndpoints(), { namespace, name: 'orders', bucket: uniqueName('ui-state'), taskQueue: namespace });
  });

  afterAll(async () => {
    await session?.stop();
    await browser?.close();
  });

  it.each(['history', 'user-metadata'] as const)('the %s page shows what the run does in words', async (name) => {
    const page = runPages(session).find((p) => p.name === name)!;
    const text = await browser.render(page.url, { waitForTexts: page.texts });
    for (const wanted of page.texts) expect(text).toContain(wanted);
  });
});
