import { connect as netConnect } from 'node:net';
import type { App } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { unwatchResults, watchResults } from '../helpers/listener-results.js';
import { type StartedServer, startServer } from '../helpers/start-server.js';

/**
 * No listener the HTTP/1.x server adds returns a value (test/helpers/listener-results.ts says why):
 * one malformed request or refused CONNECT must not slow every later event of the process. This
 * fails with `socket.once('finish', () => socket.destroy())` (it returns the socket) on the
 * refusal paths. (node's own `Connection: close` path is not checked: its `destroySoon` adds
 * `socket.destroy` as a `'finish'` listener, which returns the socket.)
 */

let started: StartedServer | undefined;
afterEach(async () => {
  unwatchResults();
  await started?.close();
  started = undefined;
});

const app: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
  await send({ type: 'http.response.body', body: 'ok' });
};

/** Writes `request` on a raw socket and resolves with everything read until the server closes. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => {
      resolve(text);
    });
    socket.write(request);
  });
}

describe('HTTP/1.x listeners', () => {
  it('return nothing (a malformed request, a refused CONNECT)', async () => {
    started = await startServer(app);
    const found = new Set<string>();
    watchResults(found);
    expect(await exchange(started.port, 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400/,
    );
    expect(
      await exchange(started.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'),
    ).toMatch(/^HTTP\/1\.1 501/);
    // Let the server see every connection close.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([...found]).toEqual([]);
  });
});
