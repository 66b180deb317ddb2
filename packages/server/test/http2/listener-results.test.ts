import { connect as netConnect, type Socket } from 'node:net';
import type { App } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { type StartedServer, startServer } from '../helpers/start-server.js';
import { unwatchResults, watchResults } from '../helpers/listener-results.js';
import { h2Connect, h2Request } from './h2-client.js';

/**
 * node's `emit` passes a listener's non-nullish result to `addCatch` together with its argument
 * array; once that has happened anywhere in the process, V8 compiles `emit` to build that array
 * for every event of every emitter (~1k instructions per HTTP/2 request, apps/bench/README.md
 * "Issue 17, session 8"). So no listener the server puts on a server-side emitter returns a value.
 * This fails with `socket.once('close', () => set.delete(socket))` (a boolean) anywhere on the path.
 */

let started: StartedServer | undefined;
afterEach(async () => {
  unwatchResults();
  await started?.close();
  started = undefined;
});

const app: App = async (scope, receive, send) => {
  if (scope.type !== 'http') return;
  if (scope.method === 'POST') {
    let size = 0;
    for (;;) {
      const event = await receive();
      if (event.type !== 'http.request') break;
      size += event.body?.byteLength ?? 0;
      if (event.more !== true) break;
    }
    await send({ type: 'http.response.start', status: 200, headers: [] });
    await send({ type: 'http.response.body', body: String(size) });
    return;
  }
  const trailers = scope.path === '/trailers';
  await send({
    type: 'http.response.start',
    status: 200,
    headers: [['content-type', 'text/plain']],
    trailers,
  });
  await send({ type: 'http.response.body', body: 'ok' });
  if (trailers) await send({ type: 'http.response.trailers', headers: [['x-t', '1']] });
};

/**
 * One HTTP/1.1 request over a raw socket to the same (cleartext, sniffed) port, kept alive (the
 * HTTP/1.x code's own listeners are not this file's subject), then closed by the client.
 */
function http1Get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = netConnect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.endsWith('ok')) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      resolve(text);
    });
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  });
}

describe('HTTP/2 listeners', () => {
  it('return nothing (plain, body, trailers, refusal, HTTP/1.x on the same port, connection close)', async () => {
    started = await startServer(app, { http2: true, maxBodySize: 1000 });
    const found = new Set<string>();
    watchResults(found);
    const session = await h2Connect(started.url);
    expect((await h2Request(session, { ':path': '/' })).body.toString()).toBe('ok');
    expect((await h2Request(session, { ':path': '/', ':method': 'HEAD' })).status).toBe(200);
    expect(
      (await h2Request(session, { ':path': '/', ':method': 'POST' }, 'x'.repeat(500))).body.toString(),
    ).toBe('500');
    expect((await h2Request(session, { ':path': '/trailers' })).trailers?.['x-t']).toBe('1');
    const refused = await h2Request(
      session,
      { ':path': '/', ':method': 'POST', 'content-length': '5000' },
      'x'.repeat(5000),
    );
    expect(refused.status).toBe(413);
    await new Promise<void>((resolve) => {
      session.close(resolve);
    });
    expect(await http1Get(started.port)).toMatch(/^HTTP\/1\.1 200/);
    // Let the server see both connections close.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([...found]).toEqual([]);
  });
});
