import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { echo } from './echo-app.js';
import type { ServerOptions } from '../../src/options.js';
import { deferred, type StartedServer, startServer } from '../helpers/start-server.js';

/**
 * `await send()` must settle for messages at, below and above the write high-water mark, with and
 * without permessage-deflate. With compression, a message waits in ws's deflate queue (counted in
 * `bufferedAmount`) without ever backing up the socket, so the socket's 'drain' never comes: the
 * send has to be released by ws's write callback instead.
 */

let started: StartedServer | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
});

/** Rejects instead of hanging: a stalled send shows up as a named failure, not a test timeout. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function open(options: ServerOptions): Promise<WebSocket> {
  started = await startServer(echo, { logLevel: 'warn', ...options });
  const client = new WebSocket(`ws://127.0.0.1:${started.port}`, {
    perMessageDeflate: options.wsPerMessageDeflate === true,
    maxPayload: 0,
  });
  await within(
    new Promise((resolve, reject) => {
      client.once('open', resolve);
      client.once('error', reject);
    }),
    5000,
    'the handshake',
  );
  const negotiated = options.wsPerMessageDeflate === true ? 'permessage-deflate' : '';
  expect(client.extensions).toBe(negotiated);
  return client;
}

/** Sends `count` messages one after the other, each after the previous echo, and checks each echo. */
async function echoInTurn(client: WebSocket, size: number, count: number): Promise<void> {
  const message = Buffer.alloc(size);
  for (let i = 0; i < count; i++) {
    // Compressible but not constant, so a wrong or stale echo is caught.
    message.writeUInt32BE(i, 0);
    message.writeUInt32BE(i, size - 4);
    const echoed = new Promise<Buffer>((resolve) => client.once('message', resolve));
    client.send(message);
    const data = await within(echoed, 10_000, `echo ${i + 1} of ${count} (${size} bytes)`);
    expect(data.length).toBe(size);
    expect(data.readUInt32BE(0)).toBe(i);
    expect(data.readUInt32BE(size - 4)).toBe(i);
  }
}

describe('websocket send backpressure with and without permessage-deflate', () => {
  describe.each([false, true])('wsPerMessageDeflate %s', (deflate) => {
    it.each([16384, 65535, 65536, 65537, 131072, 1024 * 1024])(
      'echoes messages of %i bytes in turn (high-water mark 65536)',
      async (size) => {
        const client = await open({ wsPerMessageDeflate: deflate });
        await echoInTurn(client, size, 5);
        client.close();
      },
    );

    it.each([1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1])(
      'echoes messages of %i bytes in turn with writeHighWaterMark 1 MiB',
      async (size) => {
        const client = await open({
          wsPerMessageDeflate: deflate,
          writeHighWaterMark: 1024 * 1024,
          writeLowWaterMark: 16384,
        });
        await echoInTurn(client, size, 5);
        client.close();
      },
    );

    it.each([64 * 1024, 128 * 1024])(
      'echoes 1000 messages of %i bytes in a row',
      async (size) => {
        const client = await open({ wsPerMessageDeflate: deflate });
        await echoInTurn(client, size, 1000);
        client.close();
      },
      60_000,
    );
  });

  it('releases a burst of unawaited compressed sends once they are written', async () => {
    const done = deferred<number>();
    const all = deferred();
    started = await startServer(
      async (scope, receive, send) => {
        if (scope.type !== 'websocket') return;
        await receive();
        await send({ type: 'websocket.accept' });
        // 20 sends without waiting, then one awaited: it settles once ws has written them all.
        const pending: Promise<void>[] = [];
        for (let i = 0; i < 20; i++)
          pending.push(send({ type: 'websocket.send', bytes: Buffer.alloc(65536, i) }));
        await Promise.all(pending);
        done.resolve(pending.length);
        await receive();
      },
      { logLevel: 'warn', wsPerMessageDeflate: true },
    );
    const client = new WebSocket(`ws://127.0.0.1:${started.port}`, { perMessageDeflate: true });
    let received = 0;
    client.on('message', () => {
      if (++received === 20) all.resolve();
    });
    expect(await within(done.promise, 10_000, 'the burst of sends to settle')).toBe(20);
    await within(all.promise, 10_000, 'all 20 messages at the client');
    client.close();
  });
});
