import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { createChannelLayer, redisBackend } from '@pagi/channels';
import { createServer, type PagiServer } from '@pagi/server';
import { PagiValidationError } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeWithRedis, type RedisProcess, startRedis } from '@pagi/test/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as pkg from '../src/index.js';
import { broadcast, wsBroadcast } from '../src/index.js';

it('exports exactly the documented runtime names', () => {
  expect(Object.keys(pkg).sort()).toEqual(['broadcast', 'wsBroadcast']);
});

describe('wsBroadcast options', () => {
  it('requires a channel layer: none, or one of the wrong shape, is a typed error naming what to pass', () => {
    // The shapes refused are assertChannelLayer's (@pagi/spec's tests); here: that the app calls it first.
    const message =
      /^wsBroadcast\(\): expected options\.layer to be a channel layer: createChannelLayer\(\) from @pagi\/channels, got /;
    for (const options of [undefined, { layer: {} }]) {
      expect(() => wsBroadcast(options as never)).toThrow(message);
      expect(() => wsBroadcast(options as never)).toThrow(
        expect.objectContaining({ code: 'PAGI_ERR_VALIDATION' }),
      );
    }
  });

  it('refuses unknown options and bad values, naming them', () => {
    expect(() => wsBroadcast({ layer: createChannelLayer(), echo_self: true } as never)).toThrow(
      /unknown option 'echo_self'/,
    );
    expect(() => wsBroadcast({ layer: createChannelLayer(), channel: '' })).toThrow(/channel/);
    expect(() => wsBroadcast({ layer: createChannelLayer(), echoSelf: 1 as never })).toThrow(
      PagiValidationError,
    );
    expect(() => wsBroadcast({ layer: createChannelLayer(), maxMessageBytes: 0 })).toThrow(/maxMessageBytes/);
    expect(() => wsBroadcast({ layer: {} as never })).toThrow(/layer/);
  });
});

describe('wsBroadcast through the test client', () => {
  it('delivers each message to every other client, not back to the sender by default', async () => {
    const client = new TestClient(wsBroadcast({ layer: createChannelLayer() }));
    const [a, b, c] = await Promise.all([
      client.websocket('/'),
      client.websocket('/'),
      client.websocket('/'),
    ]);
    await a.sendText('from a');
    expect(await b.receiveText()).toBe('from a');
    expect(await c.receiveText()).toBe('from a');
    await b.sendBytes(new Uint8Array([7, 0, 255]));
    expect([...(await a.receiveBytes())]).toEqual([7, 0, 255]);
    expect([...(await c.receiveBytes())]).toEqual([7, 0, 255]);
    // a got nothing of its own: the next thing it sees is c's message.
    await c.sendText('0');
    expect(await a.receiveText()).toBe('0');
    for (const ws of [a, b, c]) await ws.close();
  });

  it('echoes to the sender too with echoSelf', async () => {
    const client = new TestClient(wsBroadcast({ layer: createChannelLayer(), echoSelf: true }));
    const a = await client.websocket('/');
    await a.sendText('me too');
    expect(await a.receiveText()).toBe('me too');
    await a.close();
  });

  it('keeps channels apart when the channel comes from the path, and refuses an unnamed one with 404', async () => {
    const app = wsBroadcast({
      layer: createChannelLayer(),
      channel: (scope) => (scope.path.length > 1 ? scope.path.slice(1) : undefined),
    });
    const client = new TestClient(app);
    const red1 = await client.websocket('/red');
    const red2 = await client.websocket('/red');
    const blue = await client.websocket('/blue');
    await blue.sendText('blue only');
    await red1.sendText('red only');
    expect(await red2.receiveText()).toBe('red only');
    await red2.sendText('to red');
    expect(await red1.receiveText()).toBe('to red');
    await blue.close();
    const denied = await client.websocket('/');
    expect(denied.accepted).toBe(false);
    expect(denied.denial?.status).toBe(404);
  });

  it('reaches clients from server code with broadcast()', async () => {
    const layer = createChannelLayer();
    const client = new TestClient(wsBroadcast({ layer, channel: 'news' }));
    const ws = await client.websocket('/');
    await broadcast(layer, 'news', 'from the server');
    expect(await ws.receiveText()).toBe('from the server');
    await ws.close();
    expect(layer.subscriberCount('news')).toBe(0); // the last connection took the subscription along
  });

  it('closes a message over maxMessageBytes with 1009, without publishing it', async () => {
    const client = new TestClient(wsBroadcast({ layer: createChannelLayer(), maxMessageBytes: 3 }));
    const a = await client.websocket('/');
    const b = await client.websocket('/');
    await a.sendText('éé'); // 4 bytes
    expect(await a.closed).toMatchObject({ code: 1009 });
    const c = await client.websocket('/');
    await c.sendText('ok');
    expect(await b.receiveText()).toBe('ok');
  });

  it('shares one layer subscription per channel in the process, and closes clients with 1001 when the layer closes', async () => {
    const layer = createChannelLayer();
    const client = new TestClient(wsBroadcast({ layer }));
    const sockets = await Promise.all([1, 2, 3].map(() => client.websocket('/')));
    expect(layer.subscriberCount('default')).toBe(1);
    await layer.close();
    for (const ws of sockets) expect(await ws.closed).toMatchObject({ code: 1001 });
  });

  it('answers http with 426 and declines an SSE request, lifespan declined', async () => {
    const client = new TestClient(wsBroadcast({ layer: createChannelLayer() }));
    expect((await client.get('/')).status).toBe(426);
    expect((await client.sse('/')).status).toBe(426);
    await client.startup();
    await client.shutdown();
  });
});

describe('wsBroadcast over a real socket', () => {
  let server: PagiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('fans a message out to every connected ws client', async () => {
    server = createServer(wsBroadcast({ layer: createChannelLayer() }), {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'warn',
      shutdownTimeout: 1000,
    });
    await server.listen();
    const url = server.url.replace('http', 'ws');
    const clients = Array.from({ length: 5 }, () => new WebSocket(url));
    await Promise.all(clients.map((ws) => once(ws, 'open')));
    const received = clients.slice(1).map((ws) => once(ws, 'message'));
    clients[0]!.send('hello all');
    for (const [data] of (await Promise.all(received)) as [Buffer][])
      expect(data.toString()).toBe('hello all');
    for (const ws of clients) ws.close();
    await Promise.all(clients.map((ws) => once(ws, 'close')));
  });
});

describe('wsBroadcast slow consumers over a real socket', () => {
  /** A client that completes the handshake and then reads nothing: the server's buffer for it fills. */
  async function stalledClient(port: number): Promise<Socket> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    const [head] = (await once(socket, 'data')) as [Buffer];
    expect(String(head)).toMatch(/^HTTP\/1\.1 101/);
    socket.pause();
    return socket;
  }

  async function run(slowConsumer: 'drop-oldest' | 'disconnect') {
    const layer = createChannelLayer();
    const sent: { type: string; code?: number; reason?: string }[] = [];
    const app = wsBroadcast({ layer, bufferSize: 2, slowConsumer });
    const recorded: typeof app = (scope, receive, send) =>
      app(scope, receive, (event) => {
        sent.push(event as (typeof sent)[number]);
        return send(event);
      });
    const server = createServer(recorded, {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'error',
      shutdownTimeout: 500,
      writeHighWaterMark: 1024,
      writeLowWaterMark: 512,
    });
    await server.listen();
    const socket = await stalledClient(server.port);
    // 60 KB messages until the server holds back (kernel buffers first take a few MB).
    const big = 'x'.repeat(60_000);
    let published = 0;
    for (; published < 400; published++) {
      await broadcast(layer, 'default', big);
      if (sent.some((e) => e.type === 'websocket.close')) break;
    }
    socket.destroy();
    await server.close();
    return { sent, published };
  }

  it('keeps delivering to every other client while one client is stalled (no serialised fan-out)', async () => {
    const layer = createChannelLayer();
    const app = wsBroadcast({ layer, bufferSize: 2 });
    let stalledSends = 0;
    let stalledId = -1;
    let nextId = 0;
    const watched: typeof app = (scope, receive, send) => {
      const id = nextId++;
      return app(scope, receive, (event) => {
        if (id === stalledId && event.type === 'websocket.send') stalledSends++;
        return send(event);
      });
    };
    const server = createServer(watched, {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'error',
      shutdownTimeout: 500,
      writeHighWaterMark: 1024,
      writeLowWaterMark: 512,
    });
    await server.listen();
    try {
      // The stalled client joins first, so a fan-out that waits on each send in turn would
      // hold every later client behind it once its buffer is full.
      stalledId = 0;
      const stalled = await stalledClient(server.port);
      const url = server.url.replace('http', 'ws');
      const others = Array.from({ length: 3 }, () => new WebSocket(url));
      await Promise.all(others.map((ws) => once(ws, 'open')));
      const count = 200;
      const got: string[][] = others.map(() => []);
      for (const [i, ws] of others.entries()) {
        ws.on('message', (data: Buffer) => got[i]!.push(data.toString().slice(0, 8)));
      }
      // 60 KB each, one at a time once the others have the previous one: 12 MB in all, far more
      // than the stalled client's socket and kernel buffers take.
      const body = 'x'.repeat(60_000);
      for (let i = 0; i < count; i++) {
        const next = others.map((ws) => once(ws, 'message'));
        await broadcast(layer, 'default', `${String(i).padStart(8, '0')}${body}`);
        await Promise.all(next);
      }
      const expected = Array.from({ length: count }, (_, i) => String(i).padStart(8, '0'));
      for (const list of got) expect(list).toEqual(expected);
      // The stalled one was held back (its sends stopped well short of the count), not waited for.
      expect(stalledSends).toBeLessThan(count);
      for (const ws of others) ws.close();
      stalled.destroy();
    } finally {
      await server.close();
    }
  });

  it('delivers every queued message in order once a stalled client reads again', async () => {
    const layer = createChannelLayer();
    const server = createServer(wsBroadcast({ layer, bufferSize: 4 }), {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'error',
      shutdownTimeout: 500,
      writeHighWaterMark: 1024,
      writeLowWaterMark: 512,
    });
    await server.listen();
    try {
      const socket = await stalledClient(server.port);
      // Numbered 60 KB messages, far more than the socket buffers take: the last ones wait in the
      // connection's queue (4) or were dropped, never reordered.
      const body = 'x'.repeat(60_000);
      const count = 300;
      for (let i = 0; i < count; i++)
        await broadcast(layer, 'default', `<${String(i).padStart(6, '0')}>${body}`);
      const last = `<${String(count - 1).padStart(6, '0')}>`;
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        text += chunk.replace(/x+/g, '');
      });
      socket.resume();
      const deadline = Date.now() + 20_000;
      while (!text.includes(last) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const seen = [...text.matchAll(/<(\d{6})>/g)].map((m) => Number(m[1]));
      expect(seen.at(-1)).toBe(count - 1);
      // In order, and the queued tail (the last bufferSize messages) arrived without a gap.
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
      expect(seen.slice(-4)).toEqual([count - 4, count - 3, count - 2, count - 1]);
      socket.destroy();
    } finally {
      await server.close();
    }
  });

  it("closes a connection that falls bufferSize behind with 1008 under 'disconnect'", async () => {
    const { sent } = await run('disconnect');
    expect(sent.at(-1)).toEqual({ type: 'websocket.close', code: 1008, reason: 'slow consumer' });
  });

  it("drops the oldest waiting messages under 'drop-oldest', keeping memory bounded", async () => {
    const { sent, published } = await run('drop-oldest');
    const sends = sent.filter((e) => e.type === 'websocket.send').length;
    expect(published).toBe(400);
    // At most bufferSize (2) waited; the rest of what the socket could not take was dropped.
    expect(sends).toBeLessThan(published);
    expect(sent.some((e) => e.type === 'websocket.close')).toBe(false);
  });
});

describeWithRedis('wsBroadcast on the Redis backend', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.kill();
  });

  it('delivers between two layers (two workers) sharing one Redis', async () => {
    const layers = [0, 1].map(() =>
      createChannelLayer({ backend: redisBackend({ url: redis.url, prefix: 'bc:' }) }),
    );
    const [one, two] = layers.map((layer) => new TestClient(wsBroadcast({ layer })));
    const a = await one!.websocket('/');
    const b = await two!.websocket('/');
    await a.sendText('across workers');
    expect(await b.receiveText()).toBe('across workers');
    await b.sendBytes(new Uint8Array([1, 2]));
    expect([...(await a.receiveBytes())]).toEqual([1, 2]);
    await a.close();
    await b.close();
    await Promise.all(layers.map((layer) => layer.close()));
  });
});
