import type { ClientHttp2Stream } from 'node:http2';
import type { App, ReceiveEvent } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, type StartedServer, startServer } from '../helpers/start-server.js';
import { echo } from '../websocket/echo-app.js';
import { collect, h2Connect } from './h2-client.js';

let started: StartedServer | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
});

/** A masked client frame (RFC 6455 §5.2), payload < 126 bytes. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

/** Reads unmasked server frames (payload < 126 bytes) off the stream. */
function frames(stream: ClientHttp2Stream): { next(): Promise<{ opcode: number; payload: Buffer }> } {
  let buffer = Buffer.alloc(0);
  const waiting: Array<() => void> = [];
  stream.on('data', (c: Buffer) => {
    buffer = Buffer.concat([buffer, c]);
    for (const w of waiting.splice(0)) w();
  });
  return {
    async next() {
      while (buffer.length < 2 || buffer.length < 2 + (buffer[1]! & 0x7f)) {
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      const length = buffer[1]! & 0x7f;
      const out = { opcode: buffer[0]! & 0x0f, payload: buffer.subarray(2, 2 + length) };
      buffer = buffer.subarray(2 + length);
      return out;
    },
  };
}

async function openWs(url: string, path = '/ws', extra: Record<string, string> = {}) {
  const session = await h2Connect(url);
  // RFC 8441 §3: the client may use extended CONNECT only after the server's SETTINGS allow it.
  await new Promise<void>((resolve) => {
    if (session.remoteSettings.enableConnectProtocol) resolve();
    else session.once('remoteSettings', () => resolve());
  });
  expect(session.remoteSettings.enableConnectProtocol).toBe(true);
  const stream = session.request({
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':path': path,
    ':scheme': 'http',
    'sec-websocket-version': '13',
    ...extra,
  });
  return { session, stream };
}

describe('WebSocket over HTTP/2 (RFC 8441)', () => {
  it('echoes text over an extended CONNECT stream and closes with the peer', async () => {
    started = await startServer(echo, { http2: true });
    const { session, stream } = await openWs(started.url);
    const status = await new Promise<number>((resolve) =>
      stream.once('response', (h) => resolve(Number(h[':status']))),
    );
    expect(status).toBe(200);
    const reader = frames(stream);
    stream.write(clientFrame(0x1, Buffer.from('hello h2')));
    const reply = await reader.next();
    expect(reply.opcode).toBe(0x1);
    expect(reply.payload.toString()).toBe('hello h2');
    stream.write(clientFrame(0x8, Buffer.from([0x03, 0xe8])));
    const close = await reader.next();
    expect(close.opcode).toBe(0x8);
    expect(close.payload.readUInt16BE(0)).toBe(1000);
    session.close();
  });

  it('gives the app a websocket scope with http_version 2 and the chosen subprotocol', async () => {
    const seen = deferred<{ version: string; subprotocols: string[]; path: string }>();
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'websocket') return;
      await receive();
      seen.resolve({ version: scope.http_version, subprotocols: scope.subprotocols, path: scope.path });
      await send({ type: 'websocket.accept', subprotocol: 'chat' });
      await send({ type: 'websocket.close', code: 4000 });
    };
    started = await startServer(app, { http2: true });
    const { session, stream } = await openWs(started.url, '/room', {
      'sec-websocket-protocol': 'chat, other',
    });
    const headers = await new Promise<Record<string, unknown>>((resolve) => stream.once('response', resolve));
    expect(headers['sec-websocket-protocol']).toBe('chat');
    const close = await frames(stream).next();
    expect(close.payload.readUInt16BE(0)).toBe(4000);
    stream.end(clientFrame(0x8, Buffer.from([0x0f, 0xa0]))); // the client's close reply
    expect(await seen.promise).toEqual({ version: '2', subprotocols: ['chat', 'other'], path: '/room' });
    session.close();
  });

  it('closes 1002 on an unmasked client frame (ws frame validation) and tells the app', async () => {
    const gone = deferred<number>();
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'websocket') return;
      await receive();
      await send({ type: 'websocket.accept' });
      const event = (await receive()) as ReceiveEvent<'websocket'>;
      if (event.type === 'websocket.disconnect') gone.resolve(event.code);
    };
    started = await startServer(app, { http2: true });
    const { session, stream } = await openWs(started.url);
    await new Promise((resolve) => stream.once('response', resolve));
    stream.write(Buffer.from([0x81, 0x02, 0x68, 0x69])); // unmasked "hi"
    const close = await frames(stream).next();
    expect(close.opcode).toBe(0x8);
    expect(close.payload.readUInt16BE(0)).toBe(1002);
    stream.end(clientFrame(0x8, Buffer.from([0x03, 0xea]))); // the client's close reply
    expect(await gone.promise).toBe(1002);
    session.close();
  });

  it('a denial is an ordinary HTTP/2 response; a bad version gets 426', async () => {
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'websocket') return;
      await receive();
      await send({ type: 'websocket.http.response.start', status: 401, headers: [['x-why', 'token']] });
      await send({ type: 'websocket.http.response.body', body: 'no' });
    };
    started = await startServer(app, { http2: true });
    const { session, stream } = await openWs(started.url);
    const denied = await collect(stream);
    expect(denied.status).toBe(401);
    expect(denied.headers['x-why']).toBe('token');
    expect(denied.body.toString()).toBe('no');
    const bad = await collect(
      session.request({
        ':method': 'CONNECT',
        ':protocol': 'websocket',
        ':path': '/',
        ':scheme': 'http',
        'sec-websocket-version': '8',
      }),
    );
    expect(bad.status).toBe(426);
    expect(bad.headers['sec-websocket-version']).toBe('13');
    session.close();
  });
});
