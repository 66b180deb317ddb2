import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import { Writable } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import type { App } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import type { ServerOptions } from '../../src/options.js';
import { deferred, type StartedServer, startServer } from '../helpers/start-server.js';
import { untilDisconnect } from '../helpers/ws-until-disconnect.js';
import { echo } from '../websocket/echo-app.js';
import { h2Connect } from './h2-client.js';

/**
 * permessage-deflate (RFC 7692) over RFC 8441, and the access-log status of an accepted
 * WebSocket over HTTP/2. The client side is ws's own PerMessageDeflate, Sender and Receiver on
 * a node:http2 extended CONNECT stream.
 */

interface PerMessageDeflateLike {
  offer(): Record<string, unknown>;
  accept(params: unknown[]): unknown;
  cleanup(): void;
}
interface SenderLike {
  send(data: Buffer, options: { binary: boolean; compress: boolean; fin: boolean; mask: boolean }): void;
}
const {
  PerMessageDeflate,
  Receiver,
  Sender,
  extension: wsExtension,
} = wsModule as unknown as {
  PerMessageDeflate: new (options: object) => PerMessageDeflateLike;
  Receiver: new (options: object) => Writable;
  Sender: new (socket: unknown, extensions: object) => SenderLike;
  extension: {
    parse(value: string): Record<string, unknown[]>;
    format(value: Record<string, unknown[]>): string;
  };
};

let started: StartedServer | undefined;
let session: ClientHttp2Session | undefined;
afterEach(async () => {
  session?.destroy();
  session = undefined;
  await started?.close();
  started = undefined;
});

async function extendedConnect(
  options: ServerOptions,
  app: App,
  offer: string | undefined,
): Promise<{ stream: ClientHttp2Stream; headers: IncomingHttpHeaders }> {
  started = await startServer(app, { http2: true, logLevel: 'warn', ...options });
  session = await h2Connect(started.url);
  const s = session;
  await new Promise<void>((resolve) => {
    if (s.remoteSettings.enableConnectProtocol) resolve();
    else s.once('remoteSettings', () => resolve());
  });
  const stream = s.request({
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':path': '/ws',
    ':scheme': 'http',
    'sec-websocket-version': '13',
    ...(offer === undefined ? {} : { 'sec-websocket-extensions': offer }),
  });
  const headers = await new Promise<IncomingHttpHeaders>((resolve) => stream.once('response', resolve));
  return { stream, headers };
}

/** The client's end of a compressed connection: ws's Sender and Receiver over the stream. */
function deflateClient(stream: ClientHttp2Stream, agreed: string) {
  const deflate = new PerMessageDeflate({ isServer: false });
  deflate.accept(wsExtension.parse(agreed)['permessage-deflate']!);
  const extensions = { 'permessage-deflate': deflate };
  const sender = new Sender(stream, extensions);
  const receiver = new Receiver({ extensions, isServer: false, binaryType: 'nodebuffer' });
  const firstBytes: number[] = [];
  const messages: Array<{ data: Buffer; binary: boolean }> = [];
  const closes: number[] = [];
  const waiters: Array<() => void> = [];
  stream.on('data', (chunk: Buffer) => {
    if (firstBytes.length === 0) firstBytes.push(chunk[0]!);
  });
  stream.pipe(receiver);
  receiver.on('message', (data: Buffer, binary: boolean) => {
    messages.push({ data, binary });
    for (const w of waiters.splice(0)) w();
  });
  receiver.on('conclude', (code: number) => {
    closes.push(code);
    for (const w of waiters.splice(0)) w();
  });
  receiver.on('error', () => {});
  const until = async (ready: () => boolean): Promise<void> => {
    while (!ready()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { sender, messages, closes, firstBytes, until, deflate };
}

describe('permessage-deflate over HTTP/2 (RFC 7692 + RFC 8441)', () => {
  it('is negotiated on the extended CONNECT and compresses both ways', async () => {
    const { stream, headers } = await extendedConnect(
      { wsPerMessageDeflate: true },
      echo,
      'permessage-deflate; client_max_window_bits',
    );
    expect(headers[':status']).toBe(200);
    const agreed = String(headers['sec-websocket-extensions']);
    expect(agreed).toMatch(/^permessage-deflate/);
    const client = deflateClient(stream, agreed);
    // Above ws's 1024-byte threshold, so the client compresses it (RSV1) and so does the echo.
    const text = 'compress me '.repeat(400);
    client.sender.send(Buffer.from(text), { binary: false, compress: true, fin: true, mask: true });
    await client.until(() => client.messages.length === 1);
    expect(client.messages[0]!.data.toString()).toBe(text);
    expect(client.messages[0]!.binary).toBe(false);
    expect(client.firstBytes[0]! & 0x40).toBe(0x40); // RSV1: the echo came compressed
    client.deflate.cleanup();
  });

  it('holds an inflated message to wsMaxMessageSize: close 1009, as on HTTP/1.1', async () => {
    const { app, disconnected } = untilDisconnect();
    const { stream, headers } = await extendedConnect(
      { wsPerMessageDeflate: true, wsMaxMessageSize: 4096 },
      app,
      'permessage-deflate',
    );
    const client = deflateClient(stream, String(headers['sec-websocket-extensions']));
    // 64 KiB of zeros deflate to a few hundred bytes: small on the wire, over the limit inflated.
    client.sender.send(Buffer.alloc(65536), { binary: true, compress: true, fin: true, mask: true });
    await client.until(() => client.closes.length === 1);
    expect(client.closes[0]).toBe(1009);
    expect((await disconnected).code).toBe(1009);
    client.deflate.cleanup();
  });

  it('is not negotiated when wsPerMessageDeflate is off: a compressed frame closes 1002', async () => {
    const { stream, headers } = await extendedConnect({}, echo, 'permessage-deflate');
    expect(headers['sec-websocket-extensions']).toBeUndefined();
    const closes: number[] = [];
    const receiver = new Receiver({ extensions: {}, isServer: false, binaryType: 'nodebuffer' });
    receiver.on('conclude', (code: number) => closes.push(code));
    receiver.on('error', () => {});
    stream.pipe(receiver);
    // A masked text frame with RSV1 set, its payload raw-deflated "hi" (RFC 7692 §7.2.1).
    const payload = deflateRawSync(Buffer.from('hi')).subarray(0, -4);
    const mask = Buffer.from([1, 2, 3, 4]);
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
    stream.write(Buffer.concat([Buffer.from([0xc1, 0x80 | masked.length]), mask, masked]));
    await new Promise<void>((resolve) => stream.once('close', resolve));
    expect(closes).toEqual([1002]);
  });

  it('answers an unacceptable offer with 400, as ws does on HTTP/1.1', async () => {
    const { headers } = await extendedConnect(
      { wsPerMessageDeflate: true },
      echo,
      'permessage-deflate; server_max_window_bits=99',
    );
    expect(headers[':status']).toBe(400);
  });
});

describe('access log of a WebSocket over HTTP/2', () => {
  it('logs the 200 that accepted the extended CONNECT (not HTTP/1.1 101)', async () => {
    const lines: string[] = [];
    const logged = deferred<void>();
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'websocket') return;
      await receive();
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.close', code: 1000 });
    };
    const { stream } = await extendedConnect(
      {
        accessLog: 'common',
        accessLogStream: new Writable({
          write(chunk, _e, cb) {
            lines.push(String(chunk));
            logged.resolve();
            cb();
          },
        }),
      },
      app,
      undefined,
    );
    stream.on('data', () => {});
    // The client's close reply (masked, code 1000) completes the closing handshake.
    stream.end(Buffer.from([0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xe8 ^ 2]));
    await logged.promise;
    expect(lines.join('')).toMatch(/"GET \/ws HTTP\/2" 200 /);
  });
});
