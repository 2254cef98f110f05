// Web pages as a person sees them: Debian's chromium, headless, driven by puppeteer-core, loads a
// page, waits until the network is idle and the texts a caller looks for are rendered, and answers
// the page's text (and a screenshot, when asked). The Temporal UI is a single-page app (a bare
// `chromium --screenshot` captures it blank) that renders markdown (summaries, details) in iframes,
// so the text is the page's and its frames'.
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { pollUntil } from '../../stack/poll.ts';

export interface RenderOptions {
  /** Texts the page must show before it counts as rendered (the UI fills in parts after its first idle). */
  waitForTexts?: readonly string[];
  /** Where to save a PNG of the page. */
  screenshot?: `${string}.png`;
  /** How long loading and the texts may take (default 30 s); a page without them fails with what it showed. */
  timeoutMs?: number;
  width?: number;
  height?: number;
}

export interface HeadlessBrowser {
  /** What a person can read on the page: document.body.innerText of the page and of each of its frames. */
  render(url: string, options?: RenderOptions): Promise<string>;
  close(): Promise<void>;
}

/** Headless, with no sandbox: tests and CI run as root here, where Chromium's sandbox cannot start. */
export async function openBrowser(chromium: string): Promise<HeadlessBrowser> {
  const browser: Browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--hide-scrollbars'],
  });
  return {
    async render(url, options = {}) {
      const page = await browser.newPage();
      try {
        return await render(page, url, options);
      } finally {
        await page.close();
      }
    },
    close: () => browser.close(),
  };
}

async function render(page: Page, url: string, options: RenderOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  await page.setViewport({ width: options.width ?? 1600, height: options.height ?? 1200 });
  // Idle with up to two requests open: the UI long-polls a running workflow's history, so the
  // network is never quite silent.
  await page.goto(url, { waitUntil: 'networkidle2', timeout: timeoutMs });
  const wanted = options.waitForTexts ?? [];
  let text = '';
  await pollUntil(
    `${url} to show ${wanted.map((t) => JSON.stringify(t)).join(', ')}`,
    async () => {
      text = await pageText(page);
      return wanted.every((t) => text.includes(t)) ? true : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  ).catch((error: unknown) => {
    const missing = wanted.filter((t) => !text.includes(t));
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}; missing ${missing.map((t) => JSON.stringify(t)).join(', ')}; the page showed:\n${text}`,
    );
  });
  await page.waitForNetworkIdle({ idleTime: 500, concurrency: 2, timeout: timeoutMs });
  text = await pageText(page);
  if (options.screenshot) await page.screenshot({ path: options.screenshot });
  return text;
}

/** Evaluated in the page (a string: the project's TypeScript has no DOM types). */
const BODY_TEXT = 'document.body ? document.body.innerText : ""';

async function pageText(page: Page): Promise<string> {
  const texts = await Promise.all(page.frames().map((frame) => frame.evaluate(BODY_TEXT).then(String, () => '')));
  return texts.join('\n');
}
