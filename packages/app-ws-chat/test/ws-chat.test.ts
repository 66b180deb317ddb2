import { once } from 'node:events';
import { createChannelLayer, redisBackend } from '@pagi/channels';
import { createServer, type PagiServer } from '@pagi/server';
import { PagiValidationError } from '@pagi/spec';
import { TestClient, type TestWebSocket } from '@pagi/test';
import { describeWithRedis, type RedisProcess, startRedis } from '@pagi/test/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as pkg from '../src/index.js';
import { wsChat } from '../src/index.js';

type Json = Record<string, unknown>;
const next = (ws: TestWebSocket) => ws.receiveJson() as Promise<Json>;

/** Connects and reads the welcome; returns the socket and the assigned user. */
async function connect(client: TestClient): Promise<{ ws: TestWebSocket; welcome: Json }> {
  const ws = await client.websocket('/');
  const welcome = await next(ws);
  expect(welcome).toMatchObject({ type: 'welcome', room: 'lobby' });
  return { ws, welcome };
}

it('exports exactly the documented runtime names', () => {
  expect(Object.keys(pkg).sort()).toEqual(['chatPage', 'wsChat']);
});

describe('wsChat options', () => {
  it('requires a channel layer: none, or one of the wrong shape, is a typed error naming what to pass', () => {
    // The shapes refused are assertChannelLayer's (@pagi/spec's tests); here: that the app calls it first.
    const message =
      /^wsChat\(\): expected options\.layer to be a channel layer: createChannelLayer\(\) from @pagi\/channels, got /;
    for (const options of [undefined, { layer: {} }]) {
      expect(() => wsChat(options as never)).toThrow(message);
      expect(() => wsChat(options as never)).toThrow(
        expect.objectContaining({ code: 'PAGI_ERR_VALIDATION' }),
      );
    }
  });

  it('refuses unknown options and bad values, naming them', () => {
    expect(() => wsChat({ layer: createChannelLayer(), max_rooms: 1 } as never)).toThrow(
      /unknown option 'max_rooms'/,
    );
    expect(() => wsChat({ layer: createChannelLayer(), maxRooms: 0 })).toThrow(/maxRooms/);
    expect(() => wsChat({ layer: createChannelLayer(), defaultRoom: 'a b' })).toThrow(PagiValidationError);
    expect(() => wsChat({ layer: createChannelLayer(), maxMessageBytes: 1.5 })).toThrow(/maxMessageBytes/);
  });
});

describe('wsChat protocol', () => {
  it('welcomes, announces joins, and delivers messages to the others in the room', async () => {
    const client = new TestClient(wsChat({ layer: createChannelLayer() }));
    const a = await connect(client);
    expect(a.welcome).toEqual({
      type: 'welcome',
      user_id: expect.stringMatching(/^[0-9a-f]{12}$/),
      username: expect.stringMatching(/^user_[0-9a-f]{12}$/),
      room: 'lobby',
    });
    const b = await connect(client);
    expect(await next(a.ws)).toEqual({
      type: 'user_joined',
      room: 'lobby',
      user_id: b.welcome.user_id,
      username: b.welcome.username,
    });
    await a.ws.sendJson({ type: 'message', message: '<b>hi</b>' });
    expect(await next(b.ws)).toEqual({
      type: 'message',
      room: 'lobby',
      user_id: a.welcome.user_id,
      username: a.welcome.username,
      message: '<b>hi</b>',
      timestamp: expect.any(Number),
    });
    // The sender gets nothing back (upstream): the next thing a sees is b's message.
    await b.ws.sendJson({ type: 'message', message: 'yo', room: 'lobby' });
    expect(await next(a.ws)).toMatchObject({ type: 'message', message: 'yo' });
    await b.ws.close();
    expect(await next(a.ws)).toEqual({
      type: 'user_left',
      room: 'lobby',
      user_id: b.welcome.user_id,
      username: b.welcome.username,
    });
    await a.ws.close();
  });

  it('answers bad JSON, unknown types, binary frames and bad fields with an error, and stays open', async () => {
    const client = new TestClient(wsChat({ layer: createChannelLayer() }));
    const { ws } = await connect(client);
    await ws.sendText('{not json');
    expect(await next(ws)).toEqual({ type: 'error', message: 'expected a JSON object, got invalid JSON' });
    await ws.sendJson([1]);
    expect(await next(ws)).toMatchObject({ type: 'error', message: 'expected a JSON object, got an array' });
    await ws.sendJson({ type: 'shout' });
    expect(await next(ws)).toMatchObject({ type: 'error', message: expect.stringContaining('"type"') });
    await ws.sendJson({ message: 'no type' });
    expect(await next(ws)).toMatchObject({ type: 'error' });
    await ws.sendBytes(new Uint8Array([123, 125]));
    expect(await next(ws)).toMatchObject({ type: 'error', message: expect.stringContaining('binary') });
    await ws.sendJson({ type: 'message', message: 42 });
    expect(await next(ws)).toMatchObject({ type: 'error' });
    await ws.sendJson({ type: 'message', message: 'x', room: 'elsewhere' });
    expect(await next(ws)).toEqual({ type: 'error', message: 'not in room "elsewhere"' });
    await ws.sendJson({ type: 'join', room: '../etc' });
    expect(await next(ws)).toMatchObject({ type: 'error' });
    await ws.sendJson({ type: 'leave', room: 'nowhere' });
    expect(await next(ws)).toMatchObject({ type: 'error', message: 'not in room "nowhere"' });
    await ws.sendJson({ type: 'rooms' });
    expect(await next(ws)).toEqual({ type: 'rooms', rooms: [{ name: 'lobby', count: 1 }] });
    await ws.close();
  });

  it('validates nicknames and keeps them unique per room; others see the rename', async () => {
    const client = new TestClient(wsChat({ layer: createChannelLayer() }));
    const a = await connect(client);
    const b = await connect(client);
    await next(a.ws); // b joined
    for (const bad of ['', 'a b', 'x'.repeat(21), '<script>', 'émile', 7]) {
      await a.ws.sendJson({ type: 'nick', username: bad });
      expect(await next(a.ws)).toMatchObject({ type: 'error', message: expect.stringContaining('username') });
    }
    await a.ws.sendJson({ type: 'nick', username: 'ada' });
    expect(await next(a.ws)).toEqual({ type: 'nick', username: 'ada' });
    expect(await next(b.ws)).toEqual({
      type: 'nick',
      room: 'lobby',
      user_id: a.welcome.user_id,
      username: 'ada',
      previous: a.welcome.username,
    });
    await b.ws.sendJson({ type: 'nick', username: 'ada' });
    expect(await next(b.ws)).toEqual({ type: 'error', message: 'nickname ada is taken in room lobby' });
    await b.ws.sendJson({ type: 'list', room: 'lobby' });
    expect(await next(b.ws)).toEqual({
      type: 'users',
      room: 'lobby',
      users: ['ada', b.welcome.username].sort(),
    });
    // In another room the name is free; joining a room where it is taken is refused.
    await b.ws.sendJson({ type: 'leave', room: 'lobby' });
    expect(await next(b.ws)).toEqual({ type: 'left', room: 'lobby' });
    await b.ws.sendJson({ type: 'join', room: 'side' });
    expect(await next(b.ws)).toEqual({ type: 'joined', room: 'side' });
    await b.ws.sendJson({ type: 'nick', username: 'ada' });
    expect(await next(b.ws)).toEqual({ type: 'nick', username: 'ada' });
    await b.ws.sendJson({ type: 'join', room: 'lobby' });
    expect(await next(b.ws)).toEqual({ type: 'error', message: 'nickname ada is taken in room lobby' });
    await a.ws.close();
    await b.ws.close();
  });

  it('joins, lists and leaves rooms; messages go to the named room only', async () => {
    const client = new TestClient(wsChat({ layer: createChannelLayer() }));
    const a = await connect(client);
    const b = await connect(client);
    await next(a.ws); // b joined lobby
    await a.ws.sendJson({ type: 'join', room: 'dev' });
    expect(await next(a.ws)).toEqual({ type: 'joined', room: 'dev' });
    await b.ws.sendJson({ type: 'join', room: 'dev' });
    expect(await next(b.ws)).toEqual({ type: 'joined', room: 'dev' });
    expect(await next(a.ws)).toMatchObject({ type: 'user_joined', room: 'dev' });
    await a.ws.sendJson({ type: 'rooms' });
    expect(await next(a.ws)).toEqual({
      type: 'rooms',
      rooms: [
        { name: 'dev', count: 2 },
        { name: 'lobby', count: 2 },
      ],
    });
    await a.ws.sendJson({ type: 'message', message: 'dev only', room: 'dev' });
    expect(await next(b.ws)).toMatchObject({ type: 'message', room: 'dev', message: 'dev only' });
    // Without a room, a message goes to every room the sender is in.
    await a.ws.sendJson({ type: 'message', message: 'everywhere' });
    const both = [await next(b.ws), await next(b.ws)].map((m) => m.room).sort();
    expect(both).toEqual(['dev', 'lobby']);
    await b.ws.sendJson({ type: 'leave', room: 'dev' });
    expect(await next(b.ws)).toEqual({ type: 'left', room: 'dev' });
    expect(await next(a.ws)).toMatchObject({ type: 'user_left', room: 'dev' });
    await a.ws.sendJson({ type: 'leave', room: 'dev' });
    expect(await next(a.ws)).toEqual({ type: 'left', room: 'dev' });
    await a.ws.sendJson({ type: 'rooms' });
    expect(await next(a.ws)).toEqual({ type: 'rooms', rooms: [{ name: 'lobby', count: 2 }] });
    await a.ws.close();
    await b.ws.close();
  });

  it('enforces maxRooms, maxJoinedRooms and maxMessageBytes (1009)', async () => {
    const client = new TestClient(
      wsChat({ layer: createChannelLayer(), maxRooms: 2, maxJoinedRooms: 2, maxMessageBytes: 200 }),
    );
    const a = await connect(client);
    await a.ws.sendJson({ type: 'join', room: 'two' });
    expect(await next(a.ws)).toEqual({ type: 'joined', room: 'two' });
    await a.ws.sendJson({ type: 'join', room: 'three' });
    expect(await next(a.ws)).toMatchObject({ type: 'error', message: expect.stringContaining('2 rooms') });
    const b = await connect(client);
    await b.ws.sendJson({ type: 'join', room: 'three' });
    expect(await next(b.ws)).toEqual({ type: 'error', message: 'Max rooms reached' });
    await b.ws.sendJson({ type: 'message', message: 'é'.repeat(100) });
    expect(await b.ws.closed).toMatchObject({ code: 1009 });
    await a.ws.close();
  });

  it("leaves a room it fell behind in under the layer's slowConsumer: 'disconnect', and says so", async () => {
    const layer = createChannelLayer({ bufferSize: 1, slowConsumer: 'disconnect' });
    const client = new TestClient(wsChat({ layer }));
    const a = await connect(client);
    // The in-memory layer delivers inside publish(): three at once overflow a queue of one.
    const event = { type: 'message', room: 'lobby', user_id: 'x', username: 'x', message: 'm', timestamp: 0 };
    await Promise.all([1, 2, 3].map(() => layer.publish('chat:room:lobby', event)));
    const seen: Json[] = [];
    while (seen.at(-1)?.type !== 'left') seen.push(await next(a.ws));
    expect(seen.slice(-2)).toEqual([
      { type: 'error', message: 'fell behind in room lobby and left it' },
      { type: 'left', room: 'lobby' },
    ]);
    await a.ws.sendJson({ type: 'list', room: 'lobby' });
    expect(await next(a.ws)).toEqual({ type: 'users', room: 'lobby', users: [] });
    await a.ws.close();
  });

  it('refuses http with 426 and declines lifespan', async () => {
    const client = new TestClient(wsChat({ layer: createChannelLayer() }));
    expect((await client.get('/')).status).toBe(426);
    await client.startup();
    await client.shutdown();
  });
});

describe('wsChat over a real socket', () => {
  it('carries a message between two ws clients through @pagi/server', async () => {
    const server: PagiServer = createServer(wsChat({ layer: createChannelLayer() }), {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'warn',
      shutdownTimeout: 1000,
    });
    await server.listen();
    try {
      const url = server.url.replace('http', 'ws');
      const open = async () => {
        const ws = new WebSocket(url);
        const messages: Json[] = [];
        const waiters: (() => void)[] = [];
        ws.on('message', (data) => {
          messages.push(JSON.parse(String(data)) as Json);
          for (const w of waiters.splice(0)) w();
        });
        const until = async (type: string): Promise<Json> => {
          for (;;) {
            const found = messages.find((m) => m.type === type);
            if (found) return found;
            await new Promise<void>((resolve) => waiters.push(resolve));
          }
        };
        await until('welcome');
        return { ws, until };
      };
      const a = await open();
      const b = await open();
      await a.until('user_joined');
      b.ws.send(JSON.stringify({ type: 'message', message: 'over the wire' }));
      expect(await a.until('message')).toMatchObject({ message: 'over the wire' });
      a.ws.close();
      b.ws.close();
      await Promise.all([once(a.ws, 'close'), once(b.ws, 'close')]);
    } finally {
      await server.close();
    }
  });
});

describeWithRedis('wsChat on the Redis backend', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.kill();
  });

  it('shares rooms, members and messages between two layers (two workers)', async () => {
    const layers = [0, 1].map(() => createChannelLayer({ backend: redisBackend({ url: redis.url }) }));
    const [one, two] = layers.map((layer) => new TestClient(wsChat({ layer })));
    const a = await connect(one!);
    const b = await connect(two!);
    expect(await next(a.ws)).toMatchObject({ type: 'user_joined', user_id: b.welcome.user_id });
    await b.ws.sendJson({ type: 'nick', username: 'bob' });
    expect(await next(b.ws)).toEqual({ type: 'nick', username: 'bob' });
    expect(await next(a.ws)).toMatchObject({ type: 'nick', username: 'bob' });
    await a.ws.sendJson({ type: 'nick', username: 'bob' });
    expect(await next(a.ws)).toEqual({ type: 'error', message: 'nickname bob is taken in room lobby' });
    await a.ws.sendJson({ type: 'message', message: 'across workers' });
    expect(await next(b.ws)).toMatchObject({ type: 'message', message: 'across workers' });
    await a.ws.sendJson({ type: 'list', room: 'lobby' });
    expect(await next(a.ws)).toEqual({
      type: 'users',
      room: 'lobby',
      users: ['bob', a.welcome.username].sort(),
    });
    await b.ws.close();
    expect(await next(a.ws)).toMatchObject({ type: 'user_left', username: 'bob' });
    await a.ws.close();
    await Promise.all(layers.map((layer) => layer.close()));
  });
});
