import { mkdtemp, open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, HttpScope, SendEvent } from '@pagi/spec';
import { Client, request } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deferred, rawClient, type StartedServer, startServer } from '../helpers/start-server.js';

let s: StartedServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

let dir = '';
let filePath = '';
const FILE_BYTES = Buffer.alloc(200_000);
beforeAll(async () => {
  for (let i = 0; i < FILE_BYTES.length; i++) FILE_BYTES[i] = (i * 31) & 0xff;
  dir = await mkdtemp(join(tmpdir(), 'pagi-server-'));
  filePath = join(dir, 'data.bin');
  await writeFile(filePath, FILE_BYTES);
});

/** An app that sends the given events in order and records each send's outcome. */
function sender(events: Array<SendEvent<'http'>>, outcomes: string[] = []): App {
  return async (_scope, _receive, send) => {
    for (const ev of events) {
      try {
        await send(ev);
        outcomes.push('ok');
      } catch (error) {
        outcomes.push((error as { code?: string }).code ?? String(error));
      }
    }
  };
}

async function raw(port: number, req: string): Promise<string> {
  const c = await rawClient(port);
  c.socket.write(req);
  return c.closed;
}

describe('response bodies', () => {
  it('sends string and byte chunks with chunked framing when the length is unknown', async () => {
    s = await startServer(
      sender([
        { type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] },
        { type: 'http.response.body', body: 'héllo ', more: true },
        { type: 'http.response.body', body: new Uint8Array([0x77, 0x6f]), more: true },
        { type: 'http.response.body', body: 'rld' },
      ]),
    );
    const text = await raw(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(text).toMatch(/transfer-encoding: chunked/i);
    expect(text).not.toMatch(/content-length/i);
    const res = await request(s.url);
    expect(await res.body.text()).toBe('héllo world');
  });

  it('streams a file with content-length, and honours offset and length', async () => {
    s = await startServer(async (scope, _receive, send) => {
      const q = new URLSearchParams((scope as HttpScope).query_string);
      await send({ type: 'http.response.start', status: 200 });
      const ev: SendEvent<'http'> = q.has('offset')
        ? {
            type: 'http.response.body',
            file: filePath,
            offset: Number(q.get('offset')),
            length: Number(q.get('length')),
          }
        : { type: 'http.response.body', file: filePath };
      await send(ev);
    });
    const full = await request(s.url);
    expect(full.headers['content-length']).toBe(String(FILE_BYTES.length));
    expect(Buffer.from(await full.body.arrayBuffer()).equals(FILE_BYTES)).toBe(true);
    const part = await request(`${s.url}/?offset=1000&length=70000`);
    expect(part.headers['content-length']).toBe('70000');
    expect(Buffer.from(await part.body.arrayBuffer()).equals(FILE_BYTES.subarray(1000, 71000))).toBe(true);
    const past = await request(`${s.url}/?offset=999999999&length=10`);
    expect((await past.body.arrayBuffer()).byteLength).toBe(0);
  });

  it('streams an app-owned FileHandle and a numeric fd without closing them', async () => {
    const fh = await open(filePath, 'r');
    try {
      let usable = false;
      s = await startServer(async (scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200 });
        if ((scope as HttpScope).path === '/fd')
          await send({ type: 'http.response.body', fh: fh.fd, offset: 10, length: 20 });
        else await send({ type: 'http.response.body', fh, offset: 5, length: 100 });
        usable = (await fh.stat()).size === FILE_BYTES.length;
      });
      const a = await request(s.url);
      expect(Buffer.from(await a.body.arrayBuffer()).equals(FILE_BYTES.subarray(5, 105))).toBe(true);
      const b = await request(`${s.url}/fd`);
      expect(Buffer.from(await b.body.arrayBuffer()).equals(FILE_BYTES.subarray(10, 30))).toBe(true);
      expect(usable).toBe(true);
    } finally {
      await fh.close();
    }
  });

  it('rejects the send when the file cannot be opened, and lets the app answer otherwise', async () => {
    const outcome = deferred<string>();
    s = await startServer(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      try {
        await send({ type: 'http.response.body', file: join(dir, 'missing.bin') });
        outcome.resolve('resolved');
      } catch (error) {
        outcome.resolve((error as NodeJS.ErrnoException).code ?? 'error');
        await send({ type: 'http.response.body', body: 'fallback' });
      }
    });
    const res = await request(s.url);
    expect(await res.body.text()).toBe('fallback');
    expect(await outcome.promise).toBe('ENOENT');
  });

  it('rejects a closed FileHandle', async () => {
    const fh = await open(filePath, 'r');
    await fh.close();
    const outcomes: string[] = [];
    s = await startServer(
      sender(
        [
          { type: 'http.response.start', status: 200 },
          { type: 'http.response.body', fh },
          { type: 'http.response.body', body: 'x' },
        ],
        outcomes,
      ),
    );
    await (await request(s.url)).body.text();
    expect(outcomes).toEqual(['ok', 'PAGI_ERR_VALIDATION', 'ok']);
  });

  it('sends trailers after a chunked body', async () => {
    s = await startServer(
      sender([
        { type: 'http.response.start', status: 200, trailers: true, headers: [['trailer', 'x-checksum']] },
        { type: 'http.response.body', body: 'data' },
        { type: 'http.response.trailers', headers: [['x-checksum', 'abc123']] },
      ]),
    );
    const text = await raw(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(text).toMatch(/transfer-encoding: chunked/i);
    expect(text.endsWith('4\r\ndata\r\n0\r\nx-checksum: abc123\r\n\r\n')).toBe(true);
  });

  it('drops trailers when the app set content-length (no chunked framing to carry them)', async () => {
    s = await startServer(
      sender([
        { type: 'http.response.start', status: 200, trailers: true, headers: [['content-length', '4']] },
        { type: 'http.response.body', body: 'data' },
        { type: 'http.response.trailers', headers: [['x-checksum', 'abc123']] },
      ]),
    );
    const text = await raw(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(text.endsWith('\r\n\r\ndata')).toBe(true);
    expect(text).not.toContain('abc123');
  });

  it("checks a one-piece body against the app's content-length: exact passes, short or long rejects", async () => {
    const outcomes: string[] = [];
    s = await startServer(async (scope, _receive, send) => {
      const path = (scope as HttpScope).path;
      const declared = path === '/exact' ? '5' : path === '/short' ? '10' : '3';
      await send({ type: 'http.response.start', status: 200, headers: [['content-length', declared]] });
      try {
        await send({ type: 'http.response.body', body: 'hello' });
        outcomes.push(`${path} ok`);
      } catch (error) {
        outcomes.push(`${path} ${(error as { code?: string }).code}`);
      }
    });
    // The exact length keeps the connection: a second request on it is answered too.
    const exact = await raw(
      s.port,
      'GET /exact HTTP/1.1\r\nHost: x\r\n\r\nGET /exact HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(exact.match(/content-length: 5\r\n/gi)?.length).toBe(2);
    expect(exact.match(/\r\n\r\nhello/g)?.length).toBe(2);
    await expect(request(`${s.url}/short`).then((r) => r.body.text())).rejects.toThrow();
    await expect(request(`${s.url}/long`).then((r) => r.body.text())).rejects.toThrow();
    expect(outcomes).toEqual([
      '/exact ok',
      '/exact ok',
      '/short PAGI_ERR_VALIDATION',
      '/long PAGI_ERR_VALIDATION',
    ]);
  });

  it('accepts http.fullflush when advertised and rejects it when not', async () => {
    const outcomes: string[] = [];
    const events: Array<SendEvent<'http'>> = [
      { type: 'http.response.start', status: 200 },
      { type: 'http.fullflush' },
      { type: 'http.response.body', body: 'x' },
    ];
    s = await startServer(sender(events, outcomes));
    await (await request(s.url)).body.text();
    await s.close();
    s = await startServer(sender(events, outcomes), { fullflush: false });
    await (await request(s.url)).body.text();
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'PAGI_ERR_UNKNOWN_EVENT', 'ok']);
  });

  it('rejects out-of-order and malformed events with typed errors (D-6)', async () => {
    const outcomes: string[] = [];
    s = await startServer(
      sender(
        [
          { type: 'http.response.body', body: 'too early' },
          { type: 'http.response.trailers' },
          { type: 'http.response.start', status: 99 },
          { type: 'http.response.start', status: 200, headers: [['x-bad', 'a\r\nset-cookie: evil=1']] },
          { type: 'http.response.start', status: 200, headers: [['bad name', 'x']] },
          { type: 'http.response.start', status: 200, headers: [['x-num', 5 as unknown as string]] },
          { type: 'websocket.send', text: 'nope' } as unknown as SendEvent<'http'>,
          { type: 'http.response.start', status: 200 },
          { type: 'http.response.start', status: 200 },
          { type: 'http.response.trailers' },
          { type: 'http.response.body', body: 42 as unknown as string },
          { type: 'http.response.body', body: 'done' },
          { type: 'http.response.body', body: 'after the end' },
        ],
        outcomes,
      ),
    );
    const res = await request(s.url);
    expect(await res.body.text()).toBe('done');
    expect(outcomes).toEqual([
      'PAGI_ERR_STATE',
      'PAGI_ERR_STATE',
      'PAGI_ERR_VALIDATION',
      'PAGI_ERR_VALIDATION',
      'PAGI_ERR_VALIDATION',
      'PAGI_ERR_VALIDATION',
      'PAGI_ERR_UNKNOWN_EVENT',
      'ok',
      'PAGI_ERR_STATE',
      'PAGI_ERR_STATE',
      'PAGI_ERR_VALIDATION',
      'ok',
      'PAGI_ERR_STATE',
    ]);
  });

  it('resolves sends as no-ops after the client is gone', async () => {
    const gone = deferred();
    const outcomes: string[] = [];
    s = await startServer(async (scope, _receive, send) => {
      const conn = (scope as HttpScope)['pagi.connection'];
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'first', more: true });
      conn.on_disconnect(() => gone.resolve());
      await gone.promise;
      await send({ type: 'http.response.body', body: 'x', more: true });
      await send({ type: 'http.response.start', status: 500 });
      outcomes.push('all resolved');
    });
    const c = await rawClient(s.port);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitFor('first');
    c.socket.destroy();
    await gone.promise;
    await new Promise((resolve) => setImmediate(resolve));
    await expect.poll(() => outcomes).toEqual(['all resolved']);
  });

  it('makes await send() wait while the socket is over the high-water mark', async () => {
    const samples = deferred<{ maxBuffered: number; highSeen: boolean; drainSeen: boolean }>();
    const pushedBack = deferred();
    s = await startServer(
      async (scope, _receive, send) => {
        const t = (scope as HttpScope)['pagi.transport']!;
        let highSeen = false;
        let drainSeen = false;
        t.on_high_water!(() => {
          highSeen = true;
          pushedBack.resolve();
        });
        t.on_drain!(() => {
          drainSeen = true;
        });
        await send({ type: 'http.response.start', status: 200 });
        let maxBuffered = 0;
        const chunk = Buffer.alloc(64 * 1024, 0x62);
        for (let i = 0; i < 200; i++) {
          await send({ type: 'http.response.body', body: chunk, more: true });
          // After each awaited send the queue is below the high mark again (with one chunk of slack).
          maxBuffered = Math.max(maxBuffered, t.buffered_amount());
        }
        await send({ type: 'http.response.body' });
        samples.resolve({ maxBuffered, highSeen, drainSeen });
      },
      { writeHighWaterMark: 128 * 1024, writeLowWaterMark: 32 * 1024 },
    );
    const c = await rawClient(s.port);
    c.socket.pause();
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    // A slow reader: start reading only once the server has been pushed back.
    await pushedBack.promise;
    c.socket.resume();
    await c.closed;
    const r = await samples.promise;
    expect(r.highSeen).toBe(true);
    expect(r.drainSeen).toBe(true);
    expect(r.maxBuffered).toBeLessThan(128 * 1024 + 64 * 1024);
  });
});

describe('what the server adds', () => {
  it('adds Date only when the app set none', async () => {
    s = await startServer(async (scope, _receive, send) => {
      const headers: Array<[string, string]> =
        (scope as HttpScope).path === '/own' ? [['date', 'Tue, 01 Jan 2030 00:00:00 GMT']] : [];
      await send({ type: 'http.response.start', status: 200, headers });
      await send({ type: 'http.response.body', body: 'x' });
    });
    const own = await raw(s.port, 'GET /own HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(own.match(/^date:/gim)?.length).toBe(1);
    expect(own).toContain('Tue, 01 Jan 2030 00:00:00 GMT');
    const auto = await raw(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(auto).toMatch(/\r\ndate: \w{3}, \d\d \w{3} \d{4} /i);
  });

  it('sends no body and no chunked framing for HEAD, 204, 304 and keeps the HEAD content-length', async () => {
    s = await startServer(async (scope, _receive, send) => {
      const path = (scope as HttpScope).path;
      const status = path === '/204' ? 204 : path === '/304' ? 304 : 200;
      await send({ type: 'http.response.start', status });
      await send({ type: 'http.response.body', body: 'should not appear', more: true });
      await send({ type: 'http.response.body', body: '!' });
    });
    for (const [line, status] of [
      ['HEAD / HTTP/1.1', 200],
      ['GET /204 HTTP/1.1', 204],
      ['GET /304 HTTP/1.1', 304],
    ] as const) {
      const text = await raw(s.port, `${line}\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(text.startsWith(`HTTP/1.1 ${status}`)).toBe(true);
      expect(text).not.toMatch(/transfer-encoding/i);
      expect(text.endsWith('\r\n\r\n')).toBe(true);
      expect(text).not.toContain('should not appear');
    }
    s.close();
    s = await startServer(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'thirteen-byte' });
    });
    const head = await raw(s.port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(head).toMatch(/content-length: 13\r\n/i);
    expect(head.endsWith('\r\n\r\n')).toBe(true);
  });

  it("adds no content-length to a HEAD response whose app sent no body, and keeps the app's own", async () => {
    // RFC 9110 §9.3.2/§8.6: a HEAD response's content-length, if any, is the length the GET would
    // have had, which the server cannot know from an empty body: it must not invent 0.
    s = await startServer(async (scope, _receive, send) => {
      const path = (scope as HttpScope).path;
      const headers: Array<[string, string]> = path === '/own' ? [['content-length', '42']] : [];
      await send({ type: 'http.response.start', status: 200, headers });
      if (path === '/none') return;
      await send({ type: 'http.response.body', body: '' });
    });
    // Two requests on one connection: the head without a length still keeps the connection alive.
    const text = await raw(
      s.port,
      'HEAD /empty HTTP/1.1\r\nHost: x\r\n\r\nHEAD /own HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const [first, second] = text.split('\r\n\r\n');
    expect(first).toMatch(/^HTTP\/1\.1 200 /);
    expect(first).not.toMatch(/content-length/i);
    expect(first).not.toMatch(/transfer-encoding/i);
    expect(second).toMatch(/^HTTP\/1\.1 200 /);
    expect(second).toMatch(/\r\ncontent-length: 42(\r\n|$)/i);
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    // An app that returns after the start (HEAD has no body to lose): no length either.
    const none = await raw(s.port, 'HEAD /none HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(none).toMatch(/^HTTP\/1\.1 200 /);
    expect(none).not.toMatch(/content-length/i);
  });

  it('ignores an app-set transfer-encoding and frames the body itself', async () => {
    s = await startServer(
      sender([
        { type: 'http.response.start', status: 200, headers: [['transfer-encoding', 'gzip, chunked']] },
        { type: 'http.response.body', body: 'abc' },
      ]),
    );
    const text = await raw(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(text).not.toMatch(/transfer-encoding/i);
    expect(text).toMatch(/content-length: 3\r\n/i);
  });

  it('keeps connections alive and answers pipelined requests in order, one app call at a time', async () => {
    let running = 0;
    let maxRunning = 0;
    s = await startServer(async (scope, _receive, send) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setImmediate(resolve));
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: (scope as HttpScope).path });
      running--;
    });
    const client = new Client(s.url, { pipelining: 10 });
    const paths = Array.from({ length: 10 }, (_, i) => `/p${i}`);
    const bodies = await Promise.all(
      paths.map(async (path) => (await client.request({ path, method: 'GET' })).body.text()),
    );
    expect(bodies).toEqual(paths);
    expect(maxRunning).toBe(1);
    expect(s.server.connectionCount).toBe(1);
    await client.close();
  });

  it('closes after the response when the client or the app says Connection: close', async () => {
    s = await startServer(async (scope, _receive, send) => {
      const headers: Array<[string, string]> =
        (scope as HttpScope).path === '/app-close' ? [['connection', 'close']] : [];
      await send({ type: 'http.response.start', status: 200, headers });
      await send({ type: 'http.response.body', body: 'x' });
    });
    const byClient = await raw(
      s.port,
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(byClient.match(/HTTP\/1\.1 200/g)?.length).toBe(1);
    const byApp = await raw(
      s.port,
      'GET /app-close HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(byApp.match(/HTTP\/1\.1 200/g)?.length).toBe(1);
    expect(byApp).toMatch(/connection: close/i);
  });

  it('serves HTTP/1.0: no chunked, close without content-length, keep-alive with it', async () => {
    s = await startServer(async (scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      if ((scope as HttpScope).path === '/stream') {
        await send({ type: 'http.response.body', body: 'a', more: true });
        await send({ type: 'http.response.body', body: 'b' });
      } else await send({ type: 'http.response.body', body: 'ab' });
    });
    const streamed = await raw(s.port, 'GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect(streamed).not.toMatch(/transfer-encoding/i);
    expect(streamed.endsWith('\r\n\r\nab')).toBe(true);
    const c = await rawClient(s.port);
    c.socket.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const first = await c.waitFor(/\r\n\r\nab$/);
    expect(first).toMatch(/connection: keep-alive/i);
    expect(first).toMatch(/content-length: 2/i);
    c.socket.write('GET / HTTP/1.0\r\n\r\n');
    const both = await c.closed;
    expect(both.match(/HTTP\/1\.1 200/g)?.length).toBe(2);
  });
});

// The head is handed to node already checked (src/http/checked-head.ts): node's own field map
// must carry every field as the app sent it, whatever the names.
describe('response head fields', () => {
  it('writes a field repeated in the first two places once each, in order', async () => {
    s = await startServer(
      sender([
        {
          type: 'http.response.start',
          status: 200,
          headers: [
            ['set-cookie', 'a=1'],
            ['set-cookie', 'b=2'],
          ],
        },
        { type: 'http.response.body', body: 'ok' },
      ]),
    );
    const text = await raw(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const lines = text.split('\r\n\r\n')[0]!.split('\r\n');
    expect(lines.filter((l) => l.startsWith('set-cookie:'))).toEqual(['set-cookie: a=1', 'set-cookie: b=2']);
    expect(lines).toContain('content-length: 2');
  });

  it('writes repeated fields once each, in order, and names that are object keys elsewhere', async () => {
    s = await startServer(
      sender([
        {
          type: 'http.response.start',
          status: 201,
          headers: [
            ['set-cookie', 'a=1'],
            ['x-one', '1'],
            ['set-cookie', 'b=2'],
            ['set-cookie', 'c=3'],
            ['constructor', 'x'],
            ['__proto__', 'y'],
            ['tostring', 'z'],
            ['content-length', '2'],
          ],
        },
        { type: 'http.response.body', body: 'ok' },
      ]),
    );
    const text = await raw(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const [head, body] = text.split('\r\n\r\n');
    expect(body).toBe('ok');
    const lines = head!.split('\r\n');
    expect(lines[0]).toBe('HTTP/1.1 201 Created');
    expect(lines.filter((l) => l.startsWith('set-cookie:'))).toEqual([
      'set-cookie: a=1',
      'set-cookie: b=2',
      'set-cookie: c=3',
    ]);
    for (const l of ['x-one: 1', 'constructor: x', '__proto__: y', 'tostring: z', 'content-length: 2']) {
      expect(lines).toContain(l);
    }
    expect(text).not.toMatch(/transfer-encoding/i);
    expect(lines.filter((l) => /^date: /i.test(l))).toHaveLength(1);
  });

  it('writes every field of a long head from each place, repeats early and late kept in order', async () => {
    // 20 names: each place has its own store site up to 16, the rest share the general path.
    const headers: [string, string][] = [];
    for (let i = 0; i < 20; i++) headers.push([`x-f${i}`, String(i)]);
    headers.splice(5, 0, ['set-cookie', 'a=1']);
    headers.splice(12, 0, ['set-cookie', 'b=2']);
    headers.push(['set-cookie', 'c=3'], ['x-f3', 'again']);
    s = await startServer(
      sender([
        { type: 'http.response.start', status: 200, headers },
        { type: 'http.response.body', body: 'ok' },
      ]),
    );
    const text = await raw(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const lines = text.split('\r\n\r\n')[0]!.split('\r\n');
    expect(lines.filter((l) => l.startsWith('set-cookie:'))).toEqual([
      'set-cookie: a=1',
      'set-cookie: b=2',
      'set-cookie: c=3',
    ]);
    expect(lines.filter((l) => l.startsWith('x-f3:'))).toEqual(['x-f3: 3', 'x-f3: again']);
    for (let i = 0; i < 20; i++) if (i !== 3) expect(lines).toContain(`x-f${i}: ${i}`);
    expect(lines).toContain('content-length: 2');
  });

  it('still refuses a value node would refuse (checked once, by the server)', async () => {
    const outcomes: string[] = [];
    s = await startServer(
      sender(
        [
          { type: 'http.response.start', status: 200, headers: [['x-bad', 'a\u0100b']] },
          { type: 'http.response.start', status: 200, headers: [['x-ok', 'fine']] },
          { type: 'http.response.body', body: 'ok' },
        ],
        outcomes,
      ),
    );
    const text = await raw(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(outcomes).toEqual(['PAGI_ERR_VALIDATION', 'ok', 'ok']);
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\nx-ok: fine\r\n/);
    expect(text).not.toMatch(/x-bad/);
  });
});
