import { type App, type HttpScope, PagiValidationError, type Receive } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describe, expect, it } from 'vitest';
import { cascade } from '../src/index.js';

/** Reads the whole request body. */
async function readAll(receive: Receive): Promise<string> {
  let text = '';
  for (;;) {
    const event = await receive();
    if (event.type !== 'http.request') return text;
    text += Buffer.from(event.body).toString();
    if (!event.more) return text;
  }
}

/** Answers `status` with a body naming the app (after reading the request body when asked). */
function answer(name: string, status: number, options: { read?: boolean } = {}): App & { calls: number } {
  const app = async (scope: HttpScope, receive: Receive, send: (e: object) => Promise<void>) => {
    app.calls++;
    const body = options.read ? await readAll(receive) : '';
    await send({ type: 'http.response.start', status, headers: [['content-type', 'text/plain']] });
    await send({
      type: 'http.response.body',
      body: `${name} ${status} ${scope.path}${body ? ` body=${body}` : ''}`,
    });
  };
  app.calls = 0;
  return app as unknown as App & { calls: number };
}

describe('cascade: HTTP', () => {
  it('a 404 or 405 answer is discarded and the next app tried; the first other answer wins', async () => {
    const a = answer('a', 404);
    const b = answer('b', 405);
    const c = answer('c', 200);
    const d = answer('d', 200);
    const res = await new TestClient(cascade([a, b, c, d])).get('/x');
    expect(res.status).toBe(200);
    expect(res.text).toBe('c 200 /x');
    expect([a.calls, b.calls, c.calls, d.calls]).toEqual([1, 1, 1, 0]);
    expect(res.events.map((e) => (e as { type: string }).type)).toEqual([
      'http.response.start',
      'http.response.body',
    ]);
  });

  it('other statuses (500, 403, 301) stop the cascade', async () => {
    for (const status of [500, 403, 301, 204]) {
      const next = answer('next', 200);
      const res = await new TestClient(cascade([answer('a', status), next])).get('/');
      expect(res.status).toBe(status);
      expect(next.calls).toBe(0);
    }
  });

  it("the last app's 404 goes out as it is", async () => {
    const res = await new TestClient(cascade([answer('a', 404), answer('b', 404)])).get('/y');
    expect(res.status).toBe(404);
    expect(res.text).toBe('b 404 /y');
  });

  it('the catch option picks the statuses that cascade', async () => {
    const app = cascade([answer('a', 403), answer('b', 404), answer('c', 200)], { catch: [403] });
    const res = await new TestClient(app).get('/');
    expect(res.status).toBe(404);
    expect(res.text).toBe('b 404 /');
  });

  it('streams the winning answer without buffering (each send waits for the reader)', async () => {
    let seen!: () => void;
    const firstChunkSeen = new Promise<void>((resolve) => {
      seen = resolve;
    });
    const streaming: App = async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200, headers: [] });
      await send({ type: 'http.response.body', body: 'one', more: true });
      // A cascade that buffered would hold 'one' until the end: the test never sees it.
      await firstChunkSeen;
      await send({ type: 'http.response.body', body: 'two', more: true });
      await send({ type: 'http.response.body', body: 'three' });
    };
    const client = new TestClient(cascade([answer('a', 404), streaming, answer('c', 200)]), {
      timeout: 5000,
    });
    const stream = await client.stream('GET', '/', { highWaterMark: 0 });
    const chunks: string[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk.toString());
      if (chunks.length === 1) seen();
    }
    expect(chunks).toEqual(['one', 'two', 'three']);
    expect(stream.flow?.maxBuffered).toBeLessThanOrEqual(5);
    expect(stream.flow?.pausedSends).toBeGreaterThan(0);
  });

  it('the next app reads the same request body (read whole, or partly, by the app before)', async () => {
    const partial: App = async (_scope, receive, send) => {
      await receive(); // the first chunk only
      await send({ type: 'http.response.start', status: 404, headers: [] });
      await send({ type: 'http.response.body', body: '' });
    };
    const app = cascade([answer('a', 404, { read: true }), partial, answer('c', 201, { read: true })]);
    const res = await new TestClient(app).post('/p', { body: ['hel', 'lo ', 'world'] });
    expect(res.status).toBe(201);
    expect(res.text).toBe('c 201 /p body=hello world');
  });

  it('concurrent receive() calls never yield a replayed event twice (D-15)', async () => {
    const second: App = async (_scope, receive, send) => {
      const [x, y] = await Promise.all([receive(), receive()]);
      const texts = [x, y].map((e) => (e.type === 'http.request' ? Buffer.from(e.body).toString() : e.type));
      await send({ type: 'http.response.start', status: 200, headers: [] });
      await send({ type: 'http.response.body', body: texts.join('|') });
    };
    const res = await new TestClient(cascade([answer('a', 404, { read: true }), second])).post('/', {
      body: ['ab', 'cd'],
    });
    expect(res.text).toBe('ab|cd');
  });

  it('a body past bodyLimit stops the cascade at the app reading it: its 404 goes out', async () => {
    const b = answer('b', 200, { read: true });
    const app = cascade([answer('a', 404, { read: true }), b], { bodyLimit: 8 });
    const res = await new TestClient(app).post('/', { body: ['12345', '67890'] });
    expect(res.status).toBe(404);
    expect(res.text).toBe('a 404 / body=1234567890');
    expect(b.calls).toBe(0);
    // At the limit exactly, the next app still gets it.
    const ok = await new TestClient(
      cascade([answer('a', 404, { read: true }), answer('b', 200, { read: true })], { bodyLimit: 10 }),
    ).post('/', { body: ['12345', '67890'] });
    expect(ok.text).toBe('b 200 / body=1234567890');
  });

  it('a 404 sent before the body overflowed is sent as held when the cascade has to stop', async () => {
    const early: App = async (_scope, receive, send) => {
      await send({ type: 'http.response.start', status: 404, headers: [['content-length', '4']] });
      await send({ type: 'http.response.body', body: 'gone' });
      await readAll(receive);
    };
    const b = answer('b', 200);
    const res = await new TestClient(cascade([early, b], { bodyLimit: 4 })).post('/', {
      body: ['123', '456'],
    });
    expect(res.status).toBe(404);
    expect(res.text).toBe('gone');
    expect(b.calls).toBe(0);
  });

  it('a held refusal larger than 64 KiB becomes a plain status when the cascade has to stop', async () => {
    const big: App = async (_scope, receive, send) => {
      await send({ type: 'http.response.start', status: 404, headers: [] });
      for (let i = 0; i < 5; i++)
        await send({ type: 'http.response.body', body: 'x'.repeat(20_000), more: true });
      await readAll(receive);
      await send({ type: 'http.response.body', body: 'end' });
    };
    const res = await new TestClient(cascade([big, answer('b', 200)], { bodyLimit: 2 })).post('/', {
      body: ['12', '34'],
    });
    expect(res.status).toBe(404);
    expect(res.body.byteLength).toBe(0);
    expect(res.aborted).toBe(false);
  });

  it('an app that answers nothing ends the cascade (the server backstop answers)', async () => {
    const silent: App = async () => {};
    const b = answer('b', 200);
    await new TestClient(cascade([silent, b])).get('/').catch(() => undefined);
    expect(b.calls).toBe(0);
  });
});

describe('cascade: WebSocket, SSE, lifespan', () => {
  const accept: App = async (scope, receive, send) => {
    if (scope.type === 'websocket') {
      expect((await receive()).type).toBe('websocket.connect');
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.send', text: 'from b' });
      await send({ type: 'websocket.close' });
    } else if (scope.type === 'sse') {
      await send({ type: 'sse.start' });
      await send({ type: 'sse.send', data: 'from b' });
      await send({ type: 'sse.close' });
    }
  };
  const refuse: App = async (scope, receive, send) => {
    if (scope.type === 'websocket') {
      await receive();
      await send({ type: 'websocket.close' });
    } else if (scope.type === 'sse') {
      await send({ type: 'sse.http.response.start', status: 404, headers: [] });
      await send({ type: 'sse.http.response.body', body: 'no' });
    }
  };
  const deny: App = async (_scope, _receive, send) => {
    await send({ type: 'websocket.http.response.start', status: 405, headers: [] } as never);
    await send({ type: 'websocket.http.response.body', body: 'no' } as never);
  };

  it('a WebSocket closed or denied (404/405) before accept goes to the next app, which gets websocket.connect', async () => {
    const ws = await new TestClient(cascade([refuse, deny, accept])).websocket('/ws');
    expect(ws.accepted).toBe(true);
    expect(await ws.receiveText()).toBe('from b');
  });

  it('a WebSocket denied with another status is final', async () => {
    const forbid: App = async (_scope, _receive, send) => {
      await send({ type: 'websocket.http.response.start', status: 401, headers: [] } as never);
      await send({ type: 'websocket.http.response.body', body: '' } as never);
    };
    const ws = await new TestClient(cascade([forbid, accept])).websocket('/ws');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(401);
  });

  it('an SSE declined with 404 goes to the next app', async () => {
    const sse = await new TestClient(cascade([refuse, accept])).sse('/events');
    expect((await sse.next())?.data).toBe('from b');
  });

  it('lifespan goes to the last app', async () => {
    let started = false;
    const life: App = async (scope, receive, send) => {
      if (scope.type !== 'lifespan') return;
      await receive();
      started = true;
      await send({ type: 'lifespan.startup.complete' });
      await receive();
      await send({ type: 'lifespan.shutdown.complete' });
    };
    const client = new TestClient(cascade([answer('a', 404), life]));
    await client.lifespan(async () => {});
    expect(started).toBe(true);
  });
});

describe('cascade: options', () => {
  const ok = answer('ok', 200);
  it.each([
    [[], 'non-empty list'],
    [[ok, 'x'], 'position 1'],
  ])('%j is refused', (apps, message) => {
    expect(() => cascade(apps as never)).toThrow(PagiValidationError);
    expect(() => cascade(apps as never)).toThrow(message);
  });

  it('refuses unknown options and bad values', () => {
    expect(() => cascade([ok], { statuses: [404] } as never)).toThrow("unknown option 'statuses'");
    expect(() => cascade([ok], { catch: [99] })).toThrow('catch');
    expect(() => cascade([ok], { catch: '404' as never })).toThrow('catch');
    expect(() => cascade([ok], { bodyLimit: -1 })).toThrow('bodyLimit');
    expect(() => cascade([ok], { bodyLimit: 1.5 })).toThrow('bodyLimit');
  });
});
