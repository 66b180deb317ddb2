import { once } from 'node:events';
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
  it('refuses unknown options and bad values, naming them', () => {
    expect(() => wsBroadcast({ echo_self: true } as never)).toThrow(/unknown option 'echo_self'/);
    expect(() => wsBroadcast({ channel: '' })).toThrow(/channel/);
    expect(() => wsBroadcast({ echoSelf: 1 as never })).toThrow(PagiValidationError);
    expect(() => wsBroadcast({ maxMessageBytes: 0 })).toThrow(/maxMessageBytes/);
    expect(() => wsBroadcast({ layer: {} as never })).toThrow(/layer/);
  });
});

describe('wsBroadcast through the test client', () => {
  it('delivers each message to every other client, not back to the sender by default', async () => {
    const client = new TestClient(wsBroadcast());
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
    const client = new TestClient(wsBroadcast({ echoSelf: true }));
    const a = await client.websocket('/');
    await a.sendText('me too');
    expect(await a.receiveText()).toBe('me too');
    await a.close();
  });

  it('keeps channels apart when the channel comes from the path, and refuses an unnamed one with 404', async () => {
    const app = wsBroadcast({
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
  });

  it('closes a message over maxMessageBytes with 1009, without publishing it', async () => {
    const client = new TestClient(wsBroadcast({ maxMessageBytes: 3 }));
    const a = await client.websocket('/');
    const b = await client.websocket('/');
    await a.sendText('éé'); // 4 bytes
    expect(await a.closed).toMatchObject({ code: 1009 });
    const c = await client.websocket('/');
    await c.sendText('ok');
    expect(await b.receiveText()).toBe('ok');
  });

  it("closes a slow consumer with 1008 under slowConsumer: 'disconnect'", async () => {
    const layer = createChannelLayer();
    const client = new TestClient(wsBroadcast({ layer, bufferSize: 1, slowConsumer: 'disconnect' }));
    const ws = await client.websocket('/');
    // The in-memory layer delivers inside publish(): three at once overflow a queue of one.
    await Promise.all([
      broadcast(layer, 'default', '1'),
      broadcast(layer, 'default', '2'),
      broadcast(layer, 'default', '3'),
    ]);
    expect(await ws.closed).toMatchObject({ code: 1008, reason: 'slow consumer' });
  });

  it('answers http with 426 and declines an SSE request, lifespan declined', async () => {
    const client = new TestClient(wsBroadcast());
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
    server = createServer(wsBroadcast(), {
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
