/**
 * `pagi-server --reload` over real sockets: edit the app file, the new code answers (polled,
 * with generous bounds), an in-flight request on the old worker completes, and a syntax error
 * leaves the old worker serving until the file is fixed.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureStopped, type Spawned, spawnCli } from './harness.js';

let server: Spawned | undefined;
afterEach(async () => {
  await ensureStopped(server);
  server = undefined;
});

/** The app: `GET /` answers its version; `GET /slow` starts a body and ends it once `release.flag` exists. */
function appSource(version: string): string {
  return `import { existsSync } from 'node:fs';
const flag = new URL('./release.flag', import.meta.url);
export default async (scope, receive, send) => {
  if (scope.type !== 'http') throw new Error('http only');
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
  if (scope.path === '/slow') {
    await send({ type: 'http.response.body', body: 'slow-start ${version};', more: true });
    while (!existsSync(flag)) await new Promise((r) => setTimeout(r, 20));
    await send({ type: 'http.response.body', body: 'slow-end' });
    return;
  }
  await send({ type: 'http.response.body', body: '${version}' });
};
`;
}

async function get(url: string): Promise<string> {
  // A new connection each time (reset): a keep-alive one would stay with the old worker.
  const res = await request(url, { reset: true });
  return res.body.text();
}

/** Polls `url` until it answers `expected` (bounded; each try is a real request). */
async function until(url: string, expected: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    last = await get(url).catch((e: Error) => `error: ${e.message}`);
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `${url} still answers ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}; output:\n${server?.output()}`,
  );
}

describe('pagi-server --reload', { timeout: 90_000 }, () => {
  it('serves new code after an edit; an in-flight request on the old worker completes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagi-reload-'));
    const app = join(dir, 'app.mjs');
    writeFileSync(app, appSource('v1'));
    server = await spawnCli(['--port', '0', '--reload', '--access-log', 'off', app]);
    await server.waitFor(/reload: watching .*pagi-reload-/);
    expect(await get(`${server.url}/`)).toBe('v1');

    // A slow request holds the v1 worker; its first chunk proves it is in flight.
    const slow = await request(`${server.url}/slow`, { reset: true });
    const chunks = slow.body[Symbol.asyncIterator]();
    let slowText = String((await chunks.next()).value);
    expect(slowText).toBe('slow-start v1;');

    writeFileSync(app, appSource('v2'));
    await server.waitFor(/reload: app\.mjs changed/);
    await until(`${server.url}/`, 'v2');

    // The old worker is draining, not gone: release the slow request and it ends cleanly.
    writeFileSync(join(dir, 'release.flag'), '');
    for (let step = await chunks.next(); !step.done; step = await chunks.next())
      slowText += String(step.value);
    expect(slowText).toBe('slow-start v1;slow-end');
    await server.waitFor(/rolling restart finished/, 30_000);
    // release.flag matches no include glob: it did not trigger a reload of its own.
    expect(server.output().match(/reload: .* changed/g)).toHaveLength(1);
  });

  it('a syntax error logs the error and keeps the old worker serving until the file is fixed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagi-reload-'));
    const app = join(dir, 'app.mjs');
    writeFileSync(app, appSource('v1'));
    server = await spawnCli(['--port', '0', '--reload', '--access-log', 'off', app]);
    await server.waitFor(/reload: watching/);
    expect(await get(`${server.url}/`)).toBe('v1');

    // Six broken saves in a row: more than the respawn policy's boot-failure limit (5), which
    // must not apply to a replacement that fails to load (it would stop the whole server).
    for (let i = 1; i <= 6; i++) {
      writeFileSync(app, `${appSource('v2')}\nexport const broken${i} = ;\n`);
      await server.waitFor(new RegExp(`(did not start; keeping the old one[^]*){${i}}`), 30_000);
      expect(await get(`${server.url}/`)).toBe('v1');
    }
    expect(server.output()).toMatch(/cannot load app module .*app\.mjs.*Unexpected token/);
    expect(server.output()).toMatch(/replacement failed to start \(code 2\); the old worker keeps serving/);
    expect(server.child.exitCode).toBeNull();

    writeFileSync(app, appSource('v3'));
    await until(`${server.url}/`, 'v3');
    expect(existsSync(app)).toBe(true);
  });
});
