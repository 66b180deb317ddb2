/** Over a real socket with undici (fetch) and a raw `net` client for bytes fetch would refuse. */
import { connect } from 'node:net';
import { createServer, type PagiServer } from '@pagi/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { redirect } from '../src/index.js';
import { urlMapForTest } from './url-map-for-test.js';

let server: PagiServer;
let url: string;
beforeAll(async () => {
  const app = urlMapForTest({
    '/old': redirect('/new', { status: 301 }),
    '/echo': redirect((scope) => decodeURIComponent(scope.path.slice('/echo'.length))),
  });
  server = createServer(app, { port: 0, logLevel: 'silent', lifespan: 'off' } as never);
  await server.listen();
  url = String(server.url).replace(/\/$/, '');
});
afterAll(async () => {
  await server.close();
});

it('redirects with the query kept', async () => {
  const res = await fetch(`${url}/old?a=1`, { redirect: 'manual' });
  expect(res.status).toBe(301);
  expect(res.headers.get('location')).toBe('/new?a=1');
});

it('a CR/LF smuggled into a computed target gives a 500, never a split header', async () => {
  const raw = await new Promise<string>((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        'GET /echo/%252Fx%250D%250ASet-Cookie:%2520evil=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
    });
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
    });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
  expect(raw.startsWith('HTTP/1.1 500')).toBe(true);
  expect(raw.toLowerCase()).not.toContain('set-cookie');
});
