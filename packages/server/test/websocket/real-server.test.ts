/**
 * The WebSocket and SSE handlers inside the real server (createServer from src/server.ts), and the
 * graceful stop of both: WebSockets closed with 1001, SSE streams ended with the terminator.
 */
import type { App, ReceiveEvent } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type StartedServer, startServer } from '../helpers/start-server.js';
import { untilDisconnect } from '../helpers/ws-until-disconnect.js';
import { openSse } from '../sse/sse-client.js';
import { deferred } from './harness.js';

let started: StartedServer | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
});

describe('WebSocket and SSE in the real server', () => {
  it('accepts and echoes over a WebSocket, and reports the client close to the app', async () => {
    const { app, disconnected } = untilDisconnect({ reply: (text) => `echo ${text}` });
    started = await startServer(app);
    const client = new WebSocket(`ws://127.0.0.1:${started.port}/`);
    const reply = new Promise((resolve) => client.once('message', (data) => resolve(String(data))));
    await new Promise((resolve) => client.once('open', resolve));
    client.send('hi');
    expect(await reply).toBe('echo hi');
    client.close(4000, 'done');
    expect(await disconnected).toEqual({ type: 'websocket.disconnect', code: 4000, reason: 'done' });
  });

  it('an open WebSocket counts toward maxConnections, and stops counting once closed', async () => {
    const app: App = async (scope, receive, send) => {
      if (scope.type === 'websocket') {
        await receive();
        await send({ type: 'websocket.accept' });
        while (((await receive()) as ReceiveEvent<'websocket'>).type !== 'websocket.disconnect');
        return;
      }
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [] });
      await send({ type: 'http.response.body', body: 'ok' });
    };
    started = await startServer(app, { maxConnections: 1 });
    const client = new WebSocket(`ws://127.0.0.1:${started.port}/`);
    await new Promise((resolve) => client.once('open', resolve));
    expect(started.server.connectionCount).toBe(1);
    const refused = await fetch(`http://127.0.0.1:${started.port}/`);
    expect(refused.status).toBe(503);
    await refused.text();
    // A second WebSocket over the limit is refused before the app sees it.
    const second = new WebSocket(`ws://127.0.0.1:${started.port}/`);
    // Ending a refused handshake makes ws report "closed before the connection was established".
    second.on('error', () => {});
    const status = await new Promise((resolve) =>
      second.once('unexpected-response', (_req, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(503);
    second.terminate();
    client.close();
    await expect.poll(() => started!.server.connectionCount).toBe(0);
    const allowed = await fetch(`http://127.0.0.1:${started.port}/`, { headers: { connection: 'close' } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toBe('ok');
  });

  it('server.close() closes an open WebSocket with 1001 and tells the app server_shutdown', async () => {
    const { app, disconnected } = untilDisconnect();
    started = await startServer(app);
    const client = new WebSocket(`ws://127.0.0.1:${started.port}/`);
    const closed = new Promise<[number, string]>((resolve) =>
      client.once('close', (code, reason) => resolve([code, String(reason)])),
    );
    await new Promise((resolve) => client.once('open', resolve));
    const closing = started.server.close();
    expect((await closed)[0]).toBe(1001);
    expect(await disconnected).toMatchObject({ type: 'websocket.disconnect', reason: 'server_shutdown' });
    await closing;
    started = undefined;
  });

  it('streams SSE, and server.close() ends the stream with the terminator and server_shutdown', async () => {
    const end = deferred<unknown>();
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'sse') return;
      await receive();
      await send({ type: 'sse.start' });
      await send({ type: 'sse.send', data: 'hello' });
      end.resolve(await receive());
    };
    started = await startServer(app);
    const sse = await openSse(started.port);
    await sse.until((c) => c.stream.events.length === 1);
    expect(sse.headers['content-type']).toBe('text/event-stream');
    const closing = started.server.close();
    await sse.closed;
    expect(sse.terminated()).toBe(true);
    expect(await end.promise).toEqual({ type: 'sse.disconnect', reason: 'server_shutdown' });
    await closing;
    started = undefined;
  });
});
