/**
 * The demo over HTTP/2 (TLS, ALPN h2) in headless Chromium: the page, its EventSource and its
 * WebSocket (RFC 8441 when Chromium uses it) through @pagi/server `http2: true`. Skipped when
 * Debian's chromium is not installed. The certificate is a throwaway self-signed one made with
 * openssl for this run; Chromium is told to accept it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type PagiServer } from '@pagi/server';
import type { App } from '@pagi/spec';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.mjs';

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
  '--ignore-certificate-errors',
];

describe('the chat page over HTTP/2 in headless Chromium', () => {
  let server: PagiServer;
  let browser: Browser;
  let dir: string;
  /** http_version of every scope the demo saw, by type. */
  const versions = { http: new Set<string>(), sse: new Set<string>(), websocket: new Set<string>() };

  beforeAll(async () => {
    if (!hasChromium) return;
    dir = mkdtempSync(join(tmpdir(), 'pagi-demo-h2-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    const demo = createApp({ tickInterval: 200 }) as App;
    const app: App = (scope, receive, send) => {
      if (scope.type !== 'lifespan') versions[scope.type].add(scope.http_version);
      return demo(scope, receive, send);
    };
    server = createServer(app, {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'warn',
      shutdownTimeout: 2000,
      http2: true,
      tlsCert: join(dir, 'cert.pem'),
      tlsKey: join(dir, 'key.pem'),
    });
    await server.listen();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Skipped only on a developer machine without chromium; in CI (.ci/run installs it) a missing
  // binary fails, so this test cannot silently prove nothing there.
  if (!hasChromium && process.env.CI) {
    it('chromium is installed (required in CI)', () => {
      throw new Error(`${CHROMIUM} is missing; .ci/run installs it through tooling/scripts/system-deps.sh`);
    });
  }

  it.skipIf(!hasChromium)('loads over h2, and its SSE clock and WebSocket chat work', async () => {
    const page = await browser.newPage();
    await page.goto(`https://127.0.0.1:${server.port}/?name=Ada`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'connected');
    await page.waitForFunction(() => Number(document.getElementById('clock')?.dataset.ticks) >= 2);
    const protocol = await page.evaluate(
      () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol,
    );
    expect(protocol).toBe('h2');
    await page.fill('#message', 'over h2');
    await page.click('button[type=submit]');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#log li.message')].some((li) => li.textContent === 'Adaover h2'),
    );
    await page.close();
    expect([...versions.http]).toEqual(['2']);
    expect([...versions.sse]).toEqual(['2']);
    // Chromium opened its WebSocket on the h2 connection (RFC 8441 extended CONNECT).
    expect([...versions.websocket]).toEqual(['2']);
  });
});
