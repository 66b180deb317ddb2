import type { App, HttpScope } from '@pagi/spec';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, rawClient, type StartedServer, startServer } from '../helpers/start-server.js';

let s: StartedServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('backstop (D-12) and robustness', () => {
  it.each([
    [
      'throws before starting',
      (async () => {
        throw new Error('boom');
      }) as App,
    ],
    [
      'throws synchronously',
      (() => {
        throw new Error('sync boom');
      }) as App,
    ],
    ['returns without responding', (async () => {}) as App],
    ['returns a non-promise', (() => 42) as App],
  ])('answers 500 and closes when the app %s', async (_name, app) => {
    s = await startServer(app);
    const c = await rawClient(s.port);
    c.socket.write('GET /x?y HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await c.closed;
    expect(text.startsWith('HTTP/1.1 500 Internal Server Error\r\n')).toBe(true);
    expect(text).toMatch(/connection: close/i);
    expect(text.match(/HTTP\/1\.1/g)?.length).toBe(1);
    expect(s.logs.some((l) => l.includes('error') && l.includes('GET /x?y HTTP/1.1'))).toBe(true);
  });

  it('replaces a buffered head with 500 when the app throws after start but before any body', async () => {
    s = await startServer(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200, headers: [['x-app', '1']] });
      throw new Error('late');
    });
    const res = await request(s.url);
    expect(res.statusCode).toBe(500);
    expect(res.headers['x-app']).toBeUndefined();
    await res.body.text();
  });

  it('fires on_disconnect(server_error) and not on_complete for the synthesized 500', async () => {
    const seen = deferred<{ started: boolean; reasons: string[]; completes: number }>();
    s = await startServer(async (scope) => {
      const conn = (scope as HttpScope)['pagi.connection'];
      const reasons: string[] = [];
      let completes = 0;
      conn.on_disconnect((r) => {
        reasons.push(r);
        seen.resolve({ started: conn.response_started(), reasons, completes });
      });
      conn.on_complete!(() => completes++);
    });
    const res = await request(s.url);
    expect(res.statusCode).toBe(500);
    await res.body.text();
    expect(await seen.promise).toEqual({ started: true, reasons: ['server_error'], completes: 0 });
  });

  it.each([
    ['returns', false],
    ['throws', true],
  ])(
    'aborts a started chunked response the app %s in the middle of: no terminator, connection closed',
    async (_name, throws) => {
      const seen = deferred<string>();
      s = await startServer(async (scope, _receive, send) => {
        (scope as HttpScope)['pagi.connection'].on_disconnect((r) => seen.resolve(r));
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: 'partial', more: true });
        if (throws) throw new Error('mid-body');
      });
      const c = await rawClient(s.port);
      c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
      const text = await c.closed;
      expect(text).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);
      expect(text.endsWith('\r\n\r\n7\r\npartial\r\n')).toBe(true); // the chunk sent, then nothing
      expect(text).not.toContain('0\r\n\r\n');
      expect(text.match(/HTTP\/1\.1 200/g)?.length).toBe(1);
      expect(await seen.promise).toBe('server_error');
      expect(s.logs.some((l) => l.startsWith('pagi-server warn') && l.includes('aborted it'))).toBe(true);
    },
  );

  it('aborts a response short of its Content-Length: the bytes sent, then the connection closes', async () => {
    s = await startServer(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200, headers: [['content-length', '10']] });
      await send({ type: 'http.response.body', body: 'hello', more: true });
    });
    const c = await rawClient(s.port);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await c.closed;
    expect(text).toMatch(/\r\ncontent-length: 10\r\n/i);
    expect(text.slice(text.indexOf('\r\n\r\n') + 4)).toBe('hello');
  });

  it('makes an HTTP client (undici) see the truncated body as an error', async () => {
    s = await startServer(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'partial', more: true });
      throw new Error('mid-body');
    });
    const res = await request(s.url);
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
  });

  it('answers 500 when the app returns after http.response.start without any body', async () => {
    s = await startServer(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200, headers: [['x-app', '1']] });
    });
    const res = await request(s.url);
    expect(res.statusCode).toBe(500);
    expect(res.headers['x-app']).toBeUndefined();
    expect(await res.body.text()).toBe('Internal Server Error\n');
  });

  it('ends cleanly what loses nothing: a 204 never given its body event, promised trailers never sent', async () => {
    s = await startServer(async (scope, _receive, send) => {
      const trailers = (scope as HttpScope).path === '/trailers';
      await send({ type: 'http.response.start', status: trailers ? 200 : 204, trailers });
      if (trailers) await send({ type: 'http.response.body', body: 'data' });
    });
    const a = await rawClient(s.port);
    a.socket.write('GET /204 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await a.closed).toMatch(/^HTTP\/1\.1 204 No Content\r\n/);
    const b = await rawClient(s.port);
    b.socket.write('GET /trailers HTTP/1.1\r\nHost: x\r\nTE: trailers\r\n\r\n');
    expect((await b.closed).endsWith('4\r\ndata\r\n0\r\n\r\n')).toBe(true);
  });

  it('sends nothing and logs no error when the client left before the app returned', async () => {
    const left = deferred();
    const done = deferred();
    const entered = deferred();
    s = await startServer(async (scope) => {
      (scope as HttpScope)['pagi.connection'].on_disconnect(() => left.resolve());
      entered.resolve();
      await left.promise;
      done.resolve();
      throw new Error('after the client left');
    });
    const c = await rawClient(s.port);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await entered.promise;
    c.socket.destroy();
    await done.promise;
    await expect.poll(() => s!.server.connectionCount).toBe(0);
    expect(c.data()).toBe('');
    expect(s.logs.filter((l) => l.startsWith('pagi-server error'))).toEqual([]);
  });

  it('survives sends the app fires and forgets, including rejected ones', async () => {
    s = await startServer(async (_scope, _receive, send) => {
      void send({ type: 'http.response.body', body: 'before start' }); // rejects, never awaited
      void send({ type: 'nonsense' } as never);
      await send({ type: 'http.response.start', status: 200 });
      void send({ type: 'http.response.body', body: 'ok' });
      void send({ type: 'http.response.body', body: 'after end' }); // rejects, never awaited
    });
    const res = await request(s.url);
    expect(await res.body.text()).toBe('ok');
    const again = await request(s.url);
    expect(await again.body.text()).toBe('ok');
  });

  it('runs on_complete once the response was delivered and the app returned (D-11)', async () => {
    const events: string[] = [];
    const done = deferred();
    s = await startServer(async (scope, _receive, send) => {
      const conn = (scope as HttpScope)['pagi.connection'];
      conn.on_complete!(() => {
        events.push(`complete:${conn.response_complete!()}:${conn.disconnect_reason()}`);
        conn.on_complete!(() => {
          events.push('late');
          done.resolve();
        });
      });
      conn.on_disconnect(() => events.push('disconnect'));
      events.push(`started:${conn.response_started()}`);
      await send({ type: 'http.response.start', status: 200 });
      events.push(`started:${conn.response_started()}`);
      await send({ type: 'http.response.body', body: 'x' });
      events.push('returning');
    });
    await (await request(s.url)).body.text();
    await done.promise;
    expect(events).toEqual(['started:false', 'started:true', 'returning', 'complete:true:undefined', 'late']);
  });

  it('leaves no connection behind after many short requests, errors and aborts', async () => {
    s = await startServer(async (scope, _receive, send) => {
      if ((scope as HttpScope).path === '/throw') throw new Error('x');
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'x' });
    });
    for (let i = 0; i < 20; i++) {
      const c = await rawClient(s.port);
      c.socket.write(`GET /${i % 3 === 0 ? 'throw' : 'ok'} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      if (i % 4 === 0) c.socket.destroy();
      else await c.closed;
    }
    await expect.poll(() => s!.server.connectionCount).toBe(0);
  });
});
