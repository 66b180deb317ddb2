import { TestClient } from '@pagi/test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../app.mjs';

let client: TestClient;
const timings: Array<{ method: string; path: string; status: number; duration: number }> = [];

beforeEach(async () => {
  timings.length = 0;
  client = new TestClient(
    createApp({ tickInterval: 20, onTiming: (t: (typeof timings)[number]) => timings.push(t) }),
  );
  await client.startup();
});

afterEach(async () => {
  await client.shutdown();
});

describe('HTTP routes', () => {
  it('GET / serves the chat page wired to /ws/chat and /events', async () => {
    const res = await client.get('/');
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('<title>PAGI chat demo</title>');
    expect(res.text).toContain("new EventSource('/events')");
    expect(res.text).toContain("new URL('/ws/chat', location.href)");
  });

  it('GET /api/health reports the room', async () => {
    const res = await client.get('/api/health');
    expect(res.status).toBe(200);
    expect(res.header('cache-control')).toBe('no-store');
    expect(res.json()).toEqual({ status: 'ok', uptime: expect.any(Number), online: 0, messages: 0 });
  });

  it('GET /hello/:name greets the decoded name', async () => {
    const res = await client.get('/hello/Ad%C3%A1');
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toBe('Hello, Adá!\n');
  });

  it('HEAD / sends the headers without a body', async () => {
    const res = await client.head('/');
    expect(res.status).toBe(200);
    expect(res.body.byteLength).toBe(0);
  });

  it('an unknown path gets the HTML 404 page', async () => {
    const res = await client.get('/nope');
    expect(res.status).toBe(404);
    expect(res.header('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('404: nothing here');
  });

  it('a wrong method gets 405 from the router', async () => {
    const res = await client.post('/api/health', { body: '' });
    expect(res.status).toBe(405);
    expect(res.header('allow')).toContain('GET');
  });

  it('every HTTP response carries the security headers and a server-timing entry', async () => {
    for (const path of ['/', '/api/health', '/hello/x', '/nope']) {
      const res = await client.get(path);
      expect(res.header('x-content-type-options')).toBe('nosniff');
      expect(res.header('x-frame-options')).toBe('DENY');
      expect(res.header('referrer-policy')).toBe('no-referrer');
      expect(res.header('server-timing')).toMatch(/^app;dur=\d+\.\d$/);
    }
    expect(timings.map((t) => [t.method, t.path, t.status])).toEqual([
      ['GET', '/', 200],
      ['GET', '/api/health', 200],
      ['GET', '/hello/x', 200],
      ['GET', '/nope', 404],
    ]);
  });

  it('an unknown WebSocket path is refused with 404 and an unknown SSE path declined with 404', async () => {
    const ws = await client.websocket('/ws/nope');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(404);
    const sse = await client.sse('/nope');
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(404);
  });
});

describe('WebSocket chat', () => {
  it('welcomes a client with its name, the head count and the history', async () => {
    const ws = await client.websocket('/ws/chat?name=Ada');
    expect(ws.accepted).toBe(true);
    expect(await ws.receiveJson()).toEqual({ type: 'welcome', name: 'Ada', online: 1, history: [] });
    await ws.close();
  });

  it('broadcasts a message to every connected client, the sender included', async () => {
    const ada = await client.websocket('/ws/chat?name=Ada');
    await ada.receiveJson();
    const bob = await client.websocket('/ws/chat?name=Bob');
    expect(await bob.receiveJson()).toMatchObject({ type: 'welcome', name: 'Bob', online: 2 });

    await ada.sendText('hello, Bob');
    const expected = { type: 'message', from: 'Ada', text: 'hello, Bob', at: expect.any(String) };
    expect(await ada.receiveJson()).toEqual(expected);
    expect(await bob.receiveJson()).toEqual(expected);

    await bob.sendText('hi Ada');
    expect(await ada.receiveJson()).toMatchObject({ from: 'Bob', text: 'hi Ada' });
    expect(await bob.receiveJson()).toMatchObject({ from: 'Bob', text: 'hi Ada' });

    await ada.close();
    await bob.close();
    expect((await client.get('/api/health')).json()).toMatchObject({ online: 0, messages: 2 });
  });

  it('gives a newcomer the recent messages and a guest name when none is given', async () => {
    const ada = await client.websocket('/ws/chat?name=Ada');
    await ada.receiveJson();
    await ada.sendText('first');
    await ada.receiveJson();
    const guest = await client.websocket('/ws/chat');
    expect(await guest.receiveJson()).toMatchObject({
      name: 'guest-1',
      online: 2,
      history: [{ from: 'Ada', text: 'first' }],
    });
    await ada.close();
    await guest.close();
  });

  it('closes with 1003 on a binary frame and 1009 on an oversized message', async () => {
    const a = await client.websocket('/ws/chat');
    await a.receiveJson();
    await a.sendBytes(new Uint8Array([1, 2]));
    expect(await a.closed).toEqual({ code: 1003, reason: 'text frames only' });

    const b = await client.websocket('/ws/chat');
    await b.receiveJson();
    await b.sendText('x'.repeat(2001));
    expect((await b.closed).code).toBe(1009);
    // close() after the app's own close just waits for the app to return (its finally: leave).
    await a.close();
    await b.close();
    expect((await client.get('/api/health')).json()).toMatchObject({ online: 0, messages: 0 });
  });
});

describe('SSE /events', () => {
  it('ticks with the server time', async () => {
    const sse = await client.sse('/events');
    expect(sse.status).toBe(200);
    const first = await sse.next();
    const second = await sse.next();
    for (const ev of [first, second]) {
      expect(ev).toMatchObject({ event: 'tick' });
      expect(new Date(ev!.data).toISOString()).toBe(ev!.data);
    }
    await sse.disconnect();
  });

  it('reports WebSocket clients joining and leaving', async () => {
    const sse = await client.sse('/events');
    const nextNonTick = async () => {
      for (;;) {
        const ev = await sse.next();
        if (ev?.event !== 'tick') return ev;
      }
    };
    // The first tick is queued after the stream subscribed to the room: from here no join is missed.
    expect(await sse.next()).toMatchObject({ event: 'tick' });
    const ws = await client.websocket('/ws/chat?name=Ada');
    expect(await nextNonTick()).toEqual({ event: 'join', data: JSON.stringify({ name: 'Ada', online: 1 }) });
    await ws.close();
    expect(await nextNonTick()).toEqual({ event: 'leave', data: JSON.stringify({ name: 'Ada', online: 0 }) });
    await sse.disconnect();
  });
});

describe('lifespan', () => {
  it('keeps the room in the lifespan state and closes it at shutdown', async () => {
    const room = client.state.room as { online: number; join(name: string, deliver: unknown): unknown };
    expect(room.online).toBe(0);
    const ws = await client.websocket('/ws/chat');
    await ws.receiveJson(); // the welcome is sent after join
    expect(room.online).toBe(1);
    await ws.close();
    expect(room.online).toBe(0);
    await client.shutdown();
    expect(() => room.join('late', async () => {})).toThrow(/closed at shutdown/);
    await client.startup(); // afterEach shuts down again
  });

  it('refuses to serve without the room (lifespan off) rather than misbehave', async () => {
    const bare = new TestClient(createApp(), { raiseAppErrors: false });
    expect((await bare.get('/api/health')).status).toBe(500);
  });
});
