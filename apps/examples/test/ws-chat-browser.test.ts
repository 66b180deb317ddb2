/**
 * The ws-chat example's page in headless Chromium (playwright-core + Debian's chromium): two
 * browser contexts (two separate users, no shared storage) exchange messages over the page's own
 * WebSocket through @pagi/server. Skipped with the reason printed when chromium is missing on a
 * developer machine; fails in CI (`CI` set), where tooling/scripts/system-deps.sh installs it.
 */
import { existsSync } from 'node:fs';
import { createServer, type PagiServer } from '@pagi/server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import app from '../ws-chat.mjs';

const CHROMIUM = process.env.PAGI_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const MISSING = `${CHROMIUM} is missing (apt-get install chromium)`;
if (!hasChromium && !process.env.CI) console.warn(`ws-chat browser test skipped: ${MISSING}`);

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

if (!hasChromium && process.env.CI) {
  it('chromium is installed (required in CI)', () => {
    throw new Error(`${MISSING}; .ci/run installs it through tooling/scripts/system-deps.sh`);
  });
}

describe.skipIf(!hasChromium)('the ws-chat page in headless Chromium', () => {
  let server: PagiServer;
  let browser: Browser;

  beforeAll(async () => {
    server = createServer(app, { host: '127.0.0.1', port: 0, logLevel: 'warn', shutdownTimeout: 2000 });
    await server.listen();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const open = async (nickname: string): Promise<Page> => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'connected');
    await page.waitForFunction(() => document.getElementById('me')?.textContent !== '');
    await page.fill('#nickname', nickname);
    await page.click('#nick button');
    await page.waitForFunction((name) => document.getElementById('me')?.textContent === name, nickname);
    // The CSP let the page's own script run and blocked nothing it needs.
    expect(errors).toEqual([]);
    return page;
  };

  const hasLine = (page: Page, text: string) =>
    page.waitForFunction(
      (wanted) => [...document.querySelectorAll('#log li')].some((li) => li.textContent === wanted),
      text,
    );

  it('two users in two contexts see each other join, chat, and leave', async () => {
    const ada = await open('ada');
    const bob = await open('bob');
    await ada.waitForFunction(() => document.getElementById('users')?.textContent === 'ada, bob');

    await ada.fill('#message', 'Hello <img src=x onerror=alert(1)> bob');
    await ada.click('#send button');
    for (const page of [ada, bob]) await hasLine(page, 'adaHello <img src=x onerror=alert(1)> bob');
    // Rendered as text: no element came out of the message.
    expect(await bob.$$eval('#log img', (images) => images.length)).toBe(0);
    expect(await ada.inputValue('#message')).toBe('');

    await bob.fill('#message', 'hi ada');
    await bob.click('#send button');
    await hasLine(ada, 'bobhi ada');

    // Nicknames are unique in the room: the page shows the server's error.
    await bob.fill('#nickname', 'ada');
    await bob.click('#nick button');
    await hasLine(bob, 'nickname ada is taken in room lobby');

    await bob.context().close();
    await hasLine(ada, 'bob left');
    await ada.waitForFunction(() => document.getElementById('users')?.textContent === 'ada');
    await ada.context().close();
  }, 60_000);
});
