import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import express from 'express';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeAdapter, type NodeAdapter } from '../../src/index.js';
import { fixtureApp } from './fixture-app.js';
import { checkAbortedBody, checkBodyLimit, checkHttp, checkSse, checkWebSocket } from './listener-checks.js';

let server: Server | undefined;
let adapter: NodeAdapter | undefined;

afterEach(async () => {
  await adapter?.close();
  adapter = undefined;
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** An Express 5 app with its own routes, the PAGI app under /pagi, and the upgrade listener. */
async function mountInExpress(maxBodySize = 1_000_000): Promise<string> {
  adapter = createNodeAdapter(fixtureApp, { logLevel: 'silent', rootPath: '/pagi', maxBodySize });
  const app = express();
  app.disable('x-powered-by');
  app.get('/express', (_req, res) => {
    res.type('text/plain').send('from express');
  });
  app.use('/pagi', adapter.listener);
  server = await new Promise<Server>((resolve) => {
    const listening: Server = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  // Express does not route upgrades: strip the mount path as Express does for requests.
  const upgrade = adapter.upgradeListener;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!req.url?.startsWith('/pagi/')) return void socket.destroy();
    req.url = req.url.slice('/pagi'.length);
    upgrade(req, socket, head);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createNodeAdapter mounted in an Express app', () => {
  it('serves PAGI HTTP under a mount path beside Express routes', async () => {
    const url = await mountInExpress();
    await checkHttp(`${url}/pagi`);
    const info = await request(`${url}/pagi/info?x=1`);
    expect(await info.body.json()).toMatchObject({ path: '/pagi/info', root_path: '/pagi' });
    const own = await request(`${url}/express`);
    expect(await own.body.text()).toBe('from express');
  });

  it('shares one keep-alive connection between Express and PAGI requests', async () => {
    const url = await mountInExpress();
    const agent = new Agent({ connections: 1 });
    try {
      for (const path of ['/express', '/pagi/stream', '/express', '/pagi/info']) {
        const res = await request(`${url}${path}`, { dispatcher: agent });
        expect(res.statusCode).toBe(200);
        await res.body.text();
      }
    } finally {
      await agent.close();
    }
  });

  it('applies the listener limits and the D-12 abort', async () => {
    const url = await mountInExpress(16);
    await checkBodyLimit(`${url}/pagi`);
    await checkAbortedBody(url, '/pagi/cut');
  });

  it('runs WebSocket through the upgrade listener on the Express server', async () => {
    const url = await mountInExpress();
    await checkWebSocket(`${url.replace('http', 'ws')}/pagi/ws`, '/pagi/ws');
  });

  it('serves SSE through the Express mount', async () => {
    const url = await mountInExpress();
    await checkSse(`${url}/pagi/events`, '/pagi/events');
  });
});
