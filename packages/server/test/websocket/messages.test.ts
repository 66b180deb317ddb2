import type { ReceiveEvent } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { echo } from './echo-app.js';
import { deferred, type Harness, startHarness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function open(url: string, options?: WebSocket.ClientOptions): Promise<WebSocket> {
  const client = new WebSocket(url, options);
  return new Promise((resolve, reject) => {
    client.once('open', () => resolve(client));
    client.once('error', reject);
  });
}

function nextMessage(client: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) =>
    client.once('message', (data: Buffer, isBinary) => resolve({ data, isBinary })),
  );
}

describe('websocket messages', () => {
  it('echoes text and bytes exactly as sent, including non-ASCII and empty messages', async () => {
    harness = await startHarness(echo);
    const client = await open(harness.wsUrl);
    for (const text of ['hello', '', 'ünïcødé ✓ 🎉']) {
      const reply = nextMessage(client);
      client.send(text);
      const { data, isBinary } = await reply;
      expect(isBinary).toBe(false);
      expect(data.toString('utf8')).toBe(text);
    }
    const bytes = Buffer.from([0, 255, 1, 254, 0xc3, 0x28]);
    const reply = nextMessage(client);
    client.send(bytes);
    const { data, isBinary } = await reply;
    expect(isBinary).toBe(true);
    expect(Buffer.compare(data, bytes)).toBe(0);
    client.close();
  });

  it('sends a string given as bytes as a binary frame', async () => {
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.send', bytes: 'as bytes' });
      await receive();
    });
    const client = new WebSocket(harness.wsUrl);
    const { data, isBinary } = await nextMessage(client);
    expect(isBinary).toBe(true);
    expect(data.toString()).toBe('as bytes');
    client.close();
  });

  it('loses no message sent right after the handshake, before the app receives', async () => {
    const got = deferred<ReceiveEvent<'websocket'>[]>();
    const accepted = deferred();
    const release = deferred();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      accepted.resolve();
      // The app is busy elsewhere while the client's first messages arrive.
      await release.promise;
      const events: ReceiveEvent<'websocket'>[] = [];
      for (let i = 0; i < 5; i++) events.push((await receive()) as ReceiveEvent<'websocket'>);
      got.resolve(events);
      await receive();
    });
    const client = new WebSocket(harness.wsUrl);
    client.on('open', () => {
      for (let i = 0; i < 5; i++) client.send(`early ${i}`);
      // A round trip the server handles after the five: once it is back they are all queued.
      client.ping();
    });
    await new Promise((resolve) => client.once('pong', resolve));
    await accepted.promise;
    release.resolve();
    expect(
      (await got.promise).map((event) => (event.type === 'websocket.receive' ? event.text : event.type)),
    ).toEqual([0, 1, 2, 3, 4].map((i) => `early ${i}`));
    client.close();
  });

  it('delivers 10,000 small messages in order', async () => {
    const count = 10_000;
    const done = deferred<number[]>();
    harness = await startHarness(
      async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.accept' });
        const seen: number[] = [];
        while (seen.length < count) {
          const event = (await receive()) as ReceiveEvent<'websocket'>;
          if (event.type !== 'websocket.receive') break;
          seen.push(Number(event.text));
        }
        done.resolve(seen);
        await send({ type: 'websocket.send', text: 'ok' });
        await receive();
      },
      { wsMaxQueue: count },
    );
    const client = await open(harness.wsUrl);
    const ok = nextMessage(client);
    for (let i = 0; i < count; i++) client.send(String(i));
    const seen = await done.promise;
    expect(seen.length).toBe(count);
    expect(seen.every((value, index) => value === index)).toBe(true);
    expect((await ok).data.toString()).toBe('ok');
    client.close();
  });

  it('round-trips a 16 MiB binary message', async () => {
    harness = await startHarness(echo);
    const client = await open(harness.wsUrl);
    const big = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    const reply = nextMessage(client);
    client.send(big);
    const { data, isBinary } = await reply;
    expect(isBinary).toBe(true);
    expect(data.length).toBe(big.length);
    expect(Buffer.compare(data, big)).toBe(0);
    client.close();
  });

  it.each([
    [false, ''],
    [true, 'permessage-deflate'],
  ])('negotiates permessage-deflate only when wsPerMessageDeflate is %s', async (enabled, extension) => {
    harness = await startHarness(echo, { wsPerMessageDeflate: enabled });
    // The ws client offers permessage-deflate by default.
    const client = await open(harness.wsUrl);
    expect(client.extensions).toBe(extension);
    const reply = nextMessage(client);
    client.send('x'.repeat(2000));
    expect((await reply).data.toString()).toBe('x'.repeat(2000));
    client.close();
  });

  it('stops reading the socket while over 1 MiB waits for a slow app, and resumes once it catches up', async () => {
    const release = deferred();
    const got = deferred<number[]>();
    const count = 24;
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await release.promise;
      const sizes: number[] = [];
      while (sizes.length < count) {
        const event = (await receive()) as ReceiveEvent<'websocket'>;
        if (event.type !== 'websocket.receive') break;
        sizes.push(event.bytes?.[0] ?? -1);
      }
      got.resolve(sizes);
      await receive();
    });
    const client = await open(harness.wsUrl);
    // 24 MiB: more than the server's budget plus every socket buffer between the two.
    for (let i = 0; i < count; i++) client.send(Buffer.alloc(1024 * 1024, i));
    await harness.logged('pausing reads');
    // The server holds a bounded part; the rest waits in the client, which cannot flush it.
    expect(client.bufferedAmount).toBeGreaterThan(0);
    release.resolve();
    expect(await got.promise).toEqual([...Array(count).keys()]);
    await harness.logged('resuming reads');
    client.close();
  });

  it('shares one pending receive() between concurrent calls (D-15)', async () => {
    const result = deferred<unknown>();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      const first = receive();
      const second = receive();
      result.resolve({ same: first === second, event: await first });
      await receive();
    });
    const client = await open(harness.wsUrl);
    client.send('one');
    expect(await result.promise).toEqual({ same: true, event: { type: 'websocket.receive', text: 'one' } });
    client.close();
  });

  it('makes await send() wait for a slow reader, keeping the server buffer bounded', async () => {
    const high = 65536;
    const chunk = 32 * 1024;
    const total = 800; // 25 MiB: far more than the loopback socket buffers hold
    const stats = deferred<{ maxBuffered: number; highWaterEvents: number; blocked: boolean }>();
    const blocked = deferred();
    harness = await startHarness(
      async (scope, receive, send) => {
        if (scope.type !== 'websocket') return;
        await receive();
        await send({ type: 'websocket.accept' });
        const transport = scope['pagi.transport']!;
        let highWaterEvents = 0;
        transport.on_high_water?.(() => {
          highWaterEvents++;
        });
        let maxBuffered = 0;
        let wasBlocked = false;
        for (let i = 0; i < total; i++) {
          // A fresh buffer each time: a queued frame still references the bytes it was given.
          const payload = new Uint8Array(chunk);
          payload[0] = i & 0xff;
          let settled = false;
          const pending = send({ type: 'websocket.send', bytes: payload }).then(() => {
            settled = true;
          });
          // A send that does not settle within a macrotask is one that waits for the reader.
          await new Promise((resolve) => setImmediate(resolve));
          if (!settled && !wasBlocked) {
            wasBlocked = true;
            blocked.resolve();
          }
          await pending;
          // After every await the queue is below the high mark: memory stays bounded.
          maxBuffered = Math.max(maxBuffered, transport.buffered_amount());
        }
        stats.resolve({ maxBuffered, highWaterEvents, blocked: wasBlocked });
        await receive();
      },
      { writeHighWaterMark: high, writeLowWaterMark: 16384 },
    );
    const client = new WebSocket(harness.wsUrl);
    let received = 0;
    let inOrder = true;
    // Listen before 'open': the first messages can arrive with the 101.
    client.on('message', (data: Buffer) => {
      if (data[0] !== (received & 0xff)) inOrder = false;
      received++;
    });
    await new Promise((resolve) => client.once('open', resolve));
    const socket = (client as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    await blocked.promise;
    socket.resume();
    const result = await stats.promise;
    expect(result.blocked).toBe(true);
    expect(result.highWaterEvents).toBeGreaterThan(0);
    expect(result.maxBuffered).toBeLessThan(high);
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (received === total) resolve();
        else client.once('message', () => setImmediate(check));
      };
      check();
    });
    expect(inOrder).toBe(true);
    client.close();
  });
});
