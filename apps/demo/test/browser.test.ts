/**
 * The demo over a real socket, driven by headless Chromium: the page's inline JavaScript, the
 * browser's own WebSocket and EventSource, and @pagi/server in between. Skipped (with the
 * reason printed) when Debian's chromium is not installed: `tooling/scripts/system-deps.sh`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type PagiServer } from '@pagi/server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.mjs';

/** Debian's browser; PAGI_CHROMIUM points elsewhere (or at nothing, to see the skip). */
const CHROMIUM = process.env.PAGI_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('the chat page in headless Chromium', () => {
  let server: PagiServer;
  let browser: Browser;
  let shots: string;

  beforeAll(async () => {
    if (!hasChromium) return;
    server = createServer(createApp({ tickInterval: 200 }), {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'warn',
      shutdownTimeout: 2000,
    });
    await server.listen();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    shots = await mkdtemp(join(tmpdir(), 'pagi-demo-shots-'));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (shots && !process.env.PAGI_KEEP_SCREENSHOTS) await rm(shots, { recursive: true, force: true });
  });

  const open = async (name: string): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/?name=${name}`);
    // Connected over WebSocket (the welcome arrived) and at least one SSE clock tick shown.
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'connected');
    await page.waitForFunction(() => Number(document.getElementById('clock')?.dataset.ticks) >= 1);
    return page;
  };

  const logLines = (page: Page) => page.$$eval('#log li', (items) => items.map((li) => li.textContent ?? ''));

  it.skipIf(!hasChromium)(
    'shows the clock, broadcasts a message to both pages, and shows presence',
    async () => {
      const ada = await open('Ada');
      expect(await ada.textContent('#me')).toBe('Ada');
      expect(await ada.getAttribute('#clock', 'datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);

      const bob = await open('Bob');
      // Ada's EventSource reports Bob's arrival.
      await ada.waitForFunction(() =>
        [...document.querySelectorAll('#log li')].some((li) => li.textContent === 'Bob joined'),
      );
      expect(await ada.textContent('#online')).toBe('2');

      await ada.fill('#message', 'Hello from <b>Ada</b>');
      await ada.click('button[type=submit]');
      for (const page of [ada, bob]) {
        await page.waitForFunction(() =>
          [...document.querySelectorAll('#log li.message')].some(
            (li) => li.textContent === 'AdaHello from <b>Ada</b>',
          ),
        );
      }
      // Inserted as text: the markup in the message did not become an element.
      expect(await bob.$$eval('#log li.message b', (bs) => bs.map((b) => b.textContent))).toEqual(['Ada']);
      expect(await ada.inputValue('#message')).toBe('');

      // The clock keeps ticking.
      const ticks = Number(await ada.getAttribute('#clock', 'data-ticks'));
      await ada.waitForFunction((n) => Number(document.getElementById('clock')?.dataset.ticks) > n, ticks);

      const file = join(shots, 'chat.png');
      await ada.screenshot({ path: file, fullPage: true });
      expect((await stat(file)).size).toBeGreaterThan(1000);
      if (process.env.PAGI_KEEP_SCREENSHOTS) console.log(`screenshot: ${file}`);

      await bob.close();
      await ada.waitForFunction(() =>
        [...document.querySelectorAll('#log li')].some((li) => li.textContent === 'Bob left'),
      );
      expect(await logLines(ada)).toContain('Bob left');
      await ada.close();
    },
  );
});
