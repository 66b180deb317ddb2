import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '@pagi/spec';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeAdapter, type NodeAdapter, toNodeListener } from '../../src/index.js';
import { fixtureApp } from './fixture-app.js';
import { checkAbortedBody, checkBodyLimit, checkHttp, checkSse, checkWebSocket } from './listener-checks.js';

const quiet = { logLevel: 'silent' } as const;
let server: Server | undefined;
let adapter: NodeAdapter | undefined;

afterEach(async () => {
  await adapter?.close();
  adapter = undefined;
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A plain node:http server the test owns, with the adapter's listeners on it. */
async function mount(app: App, options: Parameters<typeof createNodeAdapter>[1] = quiet): Promise<string> {
  adapter = createNodeAdapter(app, options);
  server = createServer(adapter.listener);
  server.on('upgrade', adapter.upgradeListener);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createNodeAdapter in a plain node:http server', () => {
  it('serves HTTP: body echo (length and chunked), streaming, the 500 backstop, send order', async () => {
    await checkHttp(await mount(fixtureApp));
  });

  it('toNodeListener alone is a complete request listener', async () => {
    server = createServer(toNodeListener(fixtureApp, quiet));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await checkHttp(url);
  });

  it('applies maxBodySize: declared and chunked bodies over it get 413', async () => {
    await checkBodyLimit(await mount(fixtureApp, { ...quiet, maxBodySize: 16 }));
  });

  it('aborts a started body the app gave up on (D-12)', async () => {
    const url = await mount(fixtureApp);
    await checkAbortedBody(url, '/cut');
  });

  it('runs WebSocket sessions through the upgrade listener', async () => {
    const url = await mount(fixtureApp);
    await checkWebSocket(`${url.replace('http', 'ws')}/ws`, '/ws');
  });

  it('serves SSE streams through the request listener', async () => {
    const url = await mount(fixtureApp);
    await checkSse(`${url}/events`, '/events');
  });

  it('gives the scope the client address and rootPath, and lifespan state after startup()', async () => {
    const url = await mount(fixtureApp, { ...quiet, rootPath: '/api' });
    await adapter!.startup();
    const res = await request(`${url}/info`);
    expect(await res.body.json()).toEqual({
      path: '/api/info',
      root_path: '/api',
      client: '127.0.0.1',
      greeting: 'from lifespan',
    });
  });

  it('refuses options that belong to the host server, naming them', () => {
    expect(() => createNodeAdapter(fixtureApp, { port: 80 } as never)).toThrow(
      /option 'port' belongs to the host server/,
    );
  });

  it('close(): running requests finish within shutdownTimeout, then are cut; new ones get 503', async () => {
    let release: (() => void) | undefined;
    const reasons: string[] = [];
    const app: App = async (scope, _receive, send) => {
      if (scope.type !== 'http') return;
      scope['pagi.connection'].on_disconnect((reason) => reasons.push(reason));
      if (scope.path === '/hang') await new Promise<void>(() => {});
      else await new Promise<void>((resolve) => (release = resolve));
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'finished' });
    };
    const url = await mount(app, { ...quiet, shutdownTimeout: 300 });
    const slow = request(`${url}/slow`);
    await expect.poll(() => release !== undefined).toBe(true);
    const closing = adapter!.close();
    const refused = await request(`${url}/late`, { reset: true });
    expect(refused.statusCode).toBe(503);
    await refused.body.text();
    release!();
    expect(await (await slow).body.text()).toBe('finished');
    await closing;

    adapter = createNodeAdapter(app, { ...quiet, shutdownTimeout: 200 });
    server!.removeAllListeners('request');
    server!.on('request', adapter.listener);
    const hung = request(`${url}/hang`, { reset: true }).catch((error: Error) => error);
    await expect.poll(() => adapter!.activeCount).toBe(1);
    await adapter.close();
    expect(await hung).toBeInstanceOf(Error);
    expect(reasons).toEqual(['server_shutdown']);
  });
});
