import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessLog } from '../src/index.js';

const CLF_TIME = String.raw`\[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\]`;

function collect(): { lines: string[]; logger: (line: string) => void } {
  const lines: string[] = [];
  return { lines, logger: (line) => lines.push(line) };
}

const hello: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 201, headers: [['content-type', 'text/plain']] });
  await send({ type: 'http.response.body', body: 'héllo ', more: true });
  await send({ type: 'http.response.body', body: 'world' });
};

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pagi-access-log-'));
  file = join(dir, 'data.bin');
  await writeFile(file, Buffer.alloc(3000, 1));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('accessLog: HTTP lines', () => {
  it('writes a combined line with status, UTF-8 body bytes, referer, user agent and the scope client', async () => {
    const { lines, logger } = collect();
    const client = new TestClient(accessLog({ logger })(hello), { client: ['203.0.113.9', 4321] });
    const res = await client.get('/a/b?x=1', { headers: { referer: 'http://r/', 'user-agent': 'ua/1' } });
    expect(res.text).toBe('héllo world');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^203\\.0\\.113\\.9 - - ${CLF_TIME} "GET /a/b\\?x=1 HTTP/1\\.1" 201 12 "http://r/" "ua/1"$`),
    );
  });

  it('writes common and json lines, the same shapes as the server’s access log', async () => {
    const common = collect();
    await new TestClient(accessLog({ format: 'common', logger: common.logger })(hello)).get('/c');
    expect(common.lines[0]).toMatch(new RegExp(`^\\S+ - - ${CLF_TIME} "GET /c HTTP/1\\.1" 201 12$`));
    const json = collect();
    await new TestClient(accessLog({ format: 'json', logger: json.logger })(hello)).post('/j', { body: 'x' });
    expect(JSON.parse(json.lines[0]!)).toMatchObject({
      method: 'POST',
      target: '/j',
      status: 201,
      bytes: 12,
      protocol: 'http',
      http_version: '1.1',
    });
  });

  it('names the second the line was written in (the Apache formats read a clock ticking each second)', async () => {
    const { lines, logger } = collect();
    const client = new TestClient(accessLog({ format: 'common', logger })(hello));
    const second = (line: string): number => {
      const [, d, mon, y, h, m, sec] = /\[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) \+0000\]/.exec(
        line,
      )!;
      const month = 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(mon!) / 3;
      return Date.UTC(Number(y), month, Number(d), Number(h), Number(m), Number(sec)) / 1000;
    };
    const before = Math.floor(Date.now() / 1000);
    await client.get('/');
    expect(second(lines[0]!)).toBeGreaterThanOrEqual(before);
    expect(second(lines[0]!)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    // The clock's timer is due within a second, before this one: the next line names a later second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await client.get('/');
    expect(second(lines[1]!)).toBeGreaterThan(second(lines[0]!));
  });

  it('writes line + newline to a writable logger', async () => {
    const chunks: string[] = [];
    const stream = { write: (chunk: string) => chunks.push(chunk) };
    await new TestClient(accessLog({ logger: stream, format: 'common' })(hello)).get('/');
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.endsWith(' 201 12\n')).toBe(true);
  });

  it('measures the time until the app returns', async () => {
    const { lines, logger } = collect();
    const slow: App = async (scope, receive, send) => {
      await new Promise((r) => setTimeout(r, 60));
      await hello(scope, receive, send);
    };
    await new TestClient(accessLog({ format: 'json', logger })(slow)).get('/');
    const { duration_ms } = JSON.parse(lines[0]!);
    expect(duration_ms).toBeGreaterThanOrEqual(50);
    expect(duration_ms).toBeLessThan(10_000);
  });

  // Upstream AccessLog counted only `body` bytes: file responses were logged as size 0.
  it('counts a file body by the file size, and by offset/length when given (upstream logged 0)', async () => {
    const { lines, logger } = collect();
    const files: App = async (scope, _receive, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200 });
      if (scope.path === '/whole') await send({ type: 'http.response.body', file });
      else if (scope.path === '/tail') await send({ type: 'http.response.body', file, offset: 2900 });
      else if (scope.path === '/range')
        await send({ type: 'http.response.body', file, offset: 10, length: 100 });
      else {
        const fh = await open(file, 'r');
        try {
          await send({ type: 'http.response.body', fh, offset: 1000 });
        } finally {
          await fh.close();
        }
      }
    };
    const client = new TestClient(accessLog({ format: 'json', logger })(files));
    for (const path of ['/whole', '/tail', '/range', '/fh']) await client.get(path);
    expect(lines.map((l) => JSON.parse(l).bytes)).toEqual([3000, 100, 100, 2000]);
  });

  it('counts no bytes for HEAD, whose body never reaches the wire', async () => {
    const { lines, logger } = collect();
    await new TestClient(accessLog({ format: 'json', logger })(hello)).head('/');
    expect(JSON.parse(lines[0]!)).toMatchObject({ method: 'HEAD', status: 201, bytes: 0 });
  });

  it('logs 500 and re-throws when the app fails before answering', async () => {
    const { lines, logger } = collect();
    const boom = new Error('boom');
    const failing: App = async () => {
      throw boom;
    };
    await expect(new TestClient(accessLog({ format: 'common', logger })(failing)).get('/x')).rejects.toBe(
      boom,
    );
    expect(lines[0]).toMatch(/"GET \/x HTTP\/1\.1" 500 -$/);
  });

  it('logs 500 and rejects when the app throws before returning a promise', async () => {
    const { lines, logger } = collect();
    const boom = new Error('sync boom');
    const failing = (() => {
      throw boom;
    }) as unknown as App;
    await expect(new TestClient(accessLog({ format: 'common', logger })(failing)).get('/y')).rejects.toBe(
      boom,
    );
    expect(lines[0]).toMatch(/"GET \/y HTTP\/1\.1" 500 -$/);
  });

  it('logs status 0 (- in common) for a response aborted after it started', async () => {
    const { lines, logger } = collect();
    const midway: App = async (scope, _receive, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'part', more: true });
      throw new Error('lost the upstream');
    };
    const client = new TestClient(accessLog({ format: 'common', logger })(midway), { raiseAppErrors: false });
    await client.get('/').catch(() => undefined);
    expect(lines[0]).toMatch(/" - 4$/);
  });

  it('takes back what a rejected send recorded: it delivered nothing', async () => {
    const { lines, logger } = collect();
    const badStart: App = async (scope, _receive, send) => {
      if (scope.type !== 'http') return;
      // A header value with a line break: the send rejects, nothing started.
      await send({ type: 'http.response.start', status: 200, headers: [['x-a', 'a\r\nb']] });
    };
    const swallowed: App = async (scope, _receive, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [['x-a', 'a\r\nb']] }).catch(() => {});
    };
    const badBody: App = async (scope, _receive, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 42 as never });
    };
    for (const app of [badStart, swallowed, badBody]) {
      const client = new TestClient(accessLog({ format: 'json', logger })(app), { raiseAppErrors: false });
      await client.get('/').catch(() => undefined);
    }
    // No start went out: the server answers 500. A start went out, the body did not: aborted, 0.
    expect(lines.map((l) => JSON.parse(l).status)).toEqual([500, 500, 0]);
    expect(JSON.parse(lines[2]!).bytes).toBe(0);
  });

  it('logs status 0 when the client left before anything was sent', async () => {
    const { lines, logger } = collect();
    const waits: App = async (scope, receive) => {
      if (scope.type !== 'http') return;
      while ((await receive()).type !== 'http.disconnect') {}
    };
    const client = new TestClient(accessLog({ format: 'json', logger })(waits), { raiseAppErrors: false });
    await client.get('/', { disconnect: 'before-body', body: 'abc' }).catch(() => undefined);
    await expect.poll(() => lines.length).toBe(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ status: 0, bytes: 0 });
  });

  it('escapes quotes and control characters in logged header values (log injection)', async () => {
    const { lines, logger } = collect();
    const app = accessLog({ logger })(hello);
    // Called directly: a real client cannot send a raw LF, but a proxy or another layer might.
    const scope = {
      type: 'http',
      pagi: { version: '0.3', spec_version: '0.3' },
      http_version: '1.1',
      method: 'GET',
      scheme: 'http',
      path: '/',
      query_string: '',
      root_path: '',
      headers: [['user-agent', 'x"\n127.0.0.1 - - [forged] "GET /admin']],
      extensions: {},
    };
    const sent: unknown[] = [];
    await app(
      scope as never,
      async () => ({ type: 'http.request', body: new Uint8Array(), more: false }) as never,
      async (e) => {
        sent.push(e);
      },
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(lines[0]!.endsWith('"x\\x22\\x0a127.0.0.1 - - [forged] \\x22GET /admin"')).toBe(true);
  });

  it('keeps serving when the logger throws', async () => {
    const res = await new TestClient(
      accessLog({
        logger: () => {
          throw new Error('disk full');
        },
      })(hello),
    ).get('/');
    expect(res.status).toBe(201);
  });
});

describe('accessLog: WebSocket and SSE lines, written at close', () => {
  const ws: App = async (scope, receive, send) => {
    if (scope.type !== 'websocket') return;
    await receive();
    if (scope.path === '/deny') {
      await send({ type: 'websocket.close' });
      return;
    }
    await send({ type: 'websocket.accept' });
    await send({ type: 'websocket.send', text: 'hello' });
    await send({ type: 'websocket.send', bytes: new Uint8Array(3) });
    for (;;) if ((await receive()).type === 'websocket.disconnect') return;
  };

  it('logs a WebSocket once it closes: 101 and the message bytes sent', async () => {
    const { lines, logger } = collect();
    const conn = await new TestClient(accessLog({ format: 'json', logger })(ws)).websocket('/chat?room=1');
    expect(await conn.receiveText()).toBe('hello');
    await conn.receiveBytes();
    expect(lines).toHaveLength(0);
    await conn.close();
    await expect.poll(() => lines.length).toBe(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      method: 'GET',
      target: '/chat?room=1',
      status: 101,
      bytes: 8,
      protocol: 'websocket',
    });
  });

  it('logs a WebSocket refused before accept as 403', async () => {
    const { lines, logger } = collect();
    await new TestClient(accessLog({ format: 'json', logger })(ws)).websocket('/deny').catch(() => undefined);
    await expect.poll(() => lines.length).toBe(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ status: 403, protocol: 'websocket' });
  });

  it('logs an SSE stream at its end with the framed bytes sent', async () => {
    const { lines, logger } = collect();
    const sse: App = async (scope, _receive, send) => {
      if (scope.type !== 'sse') return;
      await send({ type: 'sse.start' });
      await send({ type: 'sse.send', data: 'hi' });
      await send({ type: 'sse.comment', comment: 'k' });
    };
    const stream = await new TestClient(accessLog({ format: 'json', logger })(sse)).sse('/events');
    expect((await stream.next())?.data).toBe('hi');
    await stream.finished();
    await expect.poll(() => lines.length).toBe(1);
    // 'data: hi\n\n' (10) + ':k\n\n' (4)
    expect(JSON.parse(lines[0]!)).toMatchObject({ status: 200, bytes: 14, protocol: 'sse' });
  });

  it('logs only the protocols asked for', async () => {
    const { lines, logger } = collect();
    const conn = await new TestClient(accessLog({ logger, protocols: ['http'] })(ws)).websocket('/');
    await conn.receiveText();
    await conn.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(lines).toHaveLength(0);
  });
});

describe('accessLog: options', () => {
  it('refuses unknown options, formats, protocols and loggers when applied, not per request', () => {
    expect(() => accessLog({ fromat: 'json' } as never)).toThrow(/unknown option 'fromat'/);
    expect(() => accessLog({ format: 'apache' } as never)).toThrow(/expected format/);
    expect(() => accessLog({ protocols: ['lifespan'] } as never)).toThrow(/expected protocols/);
    expect(() => accessLog({ logger: 42 } as never)).toThrow(/logger/);
  });

  it('names its functions for stack traces', () => {
    const mw = accessLog({ logger: () => {} });
    expect(mw.name).toBe('accessLog');
    expect(mw(hello).name).toBe('accessLog');
  });
});

describeMiddlewareChecks(
  'accessLog: the shared middleware checks of @pagi/test',
  accessLog({ logger: () => {} }),
  {
    handles: ['http', 'websocket', 'sse'],
  },
);
