import { createChannelLayer } from '@pagi/channels';
import { createServer, type PagiServer } from '@pagi/server';
import { PagiValidationError } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import * as pkg from '../src/index.js';
import { ssePubsub } from '../src/index.js';
import { formatStreamId, parseStreamId } from '../src/stream-id.js';

it('exports exactly the documented runtime names', () => {
  expect(Object.keys(pkg).sort()).toEqual(['ssePubsub']);
});

describe('stream ids', () => {
  it('round-trip per-channel ids and refuse anything else', () => {
    expect(parseStreamId(formatStreamId([17, 0, 4]), 3)).toEqual([17, 0, 4]);
    expect(parseStreamId('5', 1)).toEqual([5]);
    for (const bad of [undefined, '', '5.6', 'x', '-1', '1e3', '1'.repeat(16), `${'1.'.repeat(300)}1`]) {
      expect(parseStreamId(bad, 1)).toBeUndefined();
    }
    expect(parseStreamId('5', 2)).toBeUndefined();
  });
});

describe('ssePubsub options', () => {
  it('requires a channel layer: none, or one of the wrong shape, is a typed error naming what to pass', () => {
    // The shapes refused are assertChannelLayer's (@pagi/spec's tests); here: that the app calls it first.
    const message =
      /^ssePubsub\(\): expected options\.layer to be a channel layer: createChannelLayer\(\) from @pagi\/channels, got /;
    for (const options of [undefined, { layer: {} }]) {
      expect(() => ssePubsub(options as never)).toThrow(message);
      expect(() => ssePubsub(options as never)).toThrow(
        expect.objectContaining({ code: 'PAGI_ERR_VALIDATION' }),
      );
    }
  });

  it('refuses unknown options and bad values, naming them', () => {
    expect(() => ssePubsub({ layer: createChannelLayer(), channel: 'x' } as never)).toThrow(
      /unknown option 'channel'/,
    );
    expect(() => ssePubsub({ layer: createChannelLayer(), retry: -1 })).toThrow(/retry/);
    expect(() => ssePubsub({ layer: createChannelLayer(), keepalive: Number.NaN })).toThrow(/keepalive/);
    expect(() => ssePubsub({ layer: createChannelLayer(), channels: 'news' as never })).toThrow(
      PagiValidationError,
    );
    expect(() => ssePubsub({ layer: createChannelLayer(), defaultChannel: 'a\nb' })).toThrow(
      /defaultChannel/,
    );
  });
});

describe('ssePubsub through the test client', () => {
  it('streams published messages on the sse scope: text, JSON, retry on the first event, keepalive set', async () => {
    const layer = createChannelLayer();
    const client = new TestClient(ssePubsub({ layer, retry: 2500, keepalive: 5 }));
    const sse = await client.sse('/');
    expect(sse.status).toBe(200);
    expect(sse.events).toContainEqual({ type: 'sse.keepalive', interval: 5 });
    await layer.publish('default', 'hello');
    await layer.publish('default', { n: 1 });
    expect(await sse.next()).toEqual({ data: 'hello', id: '1', retry: 2500 });
    expect(await sse.next()).toEqual({ data: '{"n":1}', id: '2' });
    await sse.disconnect();
    expect(layer.subscriberCount('default')).toBe(0);
  });

  it('replays what a reconnecting client missed from history after Last-Event-ID, then goes live', async () => {
    const layer = createChannelLayer({ historySize: 10 });
    const client = new TestClient(ssePubsub({ layer, channels: ['news'] }));
    for (const n of [1, 2, 3, 4]) await layer.publish('news', `n${n}`);
    const sse = await client.sse('/news', { headers: { 'last-event-id': '2' } });
    expect(await sse.next()).toEqual({ data: 'n3', id: '3' });
    expect(await sse.next()).toEqual({ data: 'n4', id: '4' });
    await layer.publish('news', 'n5');
    expect(await sse.next()).toEqual({ data: 'n5', id: '5' });
    await sse.disconnect();
    // A Last-Event-ID that is not ours is ignored: live only.
    const fresh = await client.sse('/news', { headers: { 'last-event-id': 'garbage' } });
    await layer.publish('news', 'n6');
    expect(await fresh.next()).toEqual({ data: 'n6', id: '6' });
    await fresh.disconnect();
  });

  it('subscribes to several channels from the query, with one id covering all and named events', async () => {
    const layer = createChannelLayer({ historySize: 10 });
    const client = new TestClient(ssePubsub({ layer, channels: ['a', 'b'], namedEvents: true }));
    await layer.publish('b', 'old b');
    const sse = await client.sse('/', { query: { channel: ['a', 'b'] } });
    await layer.publish('a', 'a1');
    expect(await sse.next()).toEqual({ event: 'a', data: 'a1', id: '1.0' });
    await layer.publish('b', 'b2');
    expect(await sse.next()).toEqual({ event: 'b', data: 'b2', id: '1.2' });
    await sse.disconnect();
    // Resuming from "1.1" replays b2 only.
    const again = await client.sse('/', {
      query: { channel: ['a', 'b'] },
      headers: { 'last-event-id': '1.1' },
    });
    expect(await again.next()).toEqual({ event: 'b', data: 'b2', id: '1.2' });
    await again.disconnect();
  });

  it('declines channels outside the allow-list (404), too many (400), control characters (404)', async () => {
    const client = new TestClient(
      ssePubsub({
        layer: createChannelLayer(),
        channels: (name) => name.startsWith('public-'),
        maxChannels: 2,
      }),
    );
    expect((await client.sse('/secret')).status).toBe(404);
    expect((await client.sse('/', { query: { channel: ['public-a', 'public-b', 'public-c'] } })).status).toBe(
      400,
    );
    expect((await client.sse('/public-%0Aevil')).status).toBe(404);
    const ok = await client.sse('/public-x');
    expect(ok.status).toBe(200);
    await ok.disconnect();
    // The default allows only the default channel.
    expect((await new TestClient(ssePubsub({ layer: createChannelLayer() })).sse('/other')).status).toBe(404);
  });

  it('answers plain http GET with 406, POST with 405 unless publishing, WebSocket refused; lifespan declined', async () => {
    const client = new TestClient(ssePubsub({ layer: createChannelLayer() }));
    expect((await client.get('/')).status).toBe(406);
    const post = await client.post('/', { body: 'x' });
    expect(post.status).toBe(405);
    expect(post.header('allow')).toBe('GET');
    expect((await client.websocket('/')).accepted).toBe(false);
    await client.startup();
    await client.shutdown();
  });

  it('publishes a POST body when publish is on, within maxBodyBytes, UTF-8 only', async () => {
    const layer = createChannelLayer();
    const client = new TestClient(ssePubsub({ layer, publish: true, maxBodyBytes: 8, channels: ['news'] }));
    const sse = await client.sse('/news');
    const res = await client.post('/news', { body: 'breaking' });
    expect([res.status, res.text]).toEqual([200, '{"id":1}']);
    expect(await sse.next()).toEqual({ data: 'breaking', id: '1' });
    expect((await client.post('/news', { body: 'too long!' })).status).toBe(413);
    expect((await client.post('/news', { body: new Uint8Array([0xff]) })).status).toBe(400);
    expect((await client.post('/secret', { body: 'x' })).status).toBe(404);
    await sse.disconnect();
  });

  it("ends a stream that falls behind under slowConsumer: 'disconnect'", async () => {
    const layer = createChannelLayer();
    const client = new TestClient(ssePubsub({ layer, bufferSize: 1, slowConsumer: 'disconnect' }));
    const sse = await client.sse('/');
    await Promise.all([
      layer.publish('default', '1'),
      layer.publish('default', '2'),
      layer.publish('default', '3'),
    ]);
    await sse.finished();
    expect(sse.events.at(-1)).toEqual({ type: 'sse.close' });
  });
});

describe('ssePubsub over a real socket', () => {
  let server: PagiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  // Regression (upstream answered only raw http scopes): what an EventSource sends gets a stream.
  it('gives an EventSource-style request (GET, Accept: text/event-stream) a live event stream', async () => {
    const layer = createChannelLayer({ historySize: 5 });
    server = createServer(ssePubsub({ layer, retry: 1000, channels: ['news'] }), {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'warn',
      shutdownTimeout: 1000,
    });
    await server.listen();
    await layer.publish('news', 'before');
    const res = await request(`${server.url}/news`, {
      headers: { accept: 'text/event-stream', 'cache-control': 'no-cache', 'last-event-id': '0' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    let text = '';
    const reader = res.body[Symbol.asyncIterator]();
    const until = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.next();
        if (done) throw new Error(`stream ended before ${JSON.stringify(needle)}: ${text}`);
        text += String(value);
      }
    };
    await until('\n\n');
    expect(text).toBe('data: before\nid: 1\nretry: 1000\n\n');
    await layer.publish('news', 'line 1\nline 2');
    await until('id: 2');
    expect(text).toContain('data: line 1\ndata: line 2\nid: 2\n');
    res.body.destroy();
  });
});
