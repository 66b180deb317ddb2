import { ServerResponse } from 'node:http';
import type { App, SendEvent } from '@pagi/spec';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ServerOptions } from '../../src/options.js';
import { setOwnHead } from '../../src/http/own-head.js';
import { rawClient, type StartedServer, startServer } from '../helpers/start-server.js';

/**
 * The server writes a plain response head itself (src/http/own-head.ts). These tests hold it to
 * the bytes node's own path (the field map of checked-head.ts) puts on the wire for the same
 * response, over raw sockets: each case is a request followed, on the same connection, by a
 * second request that closes it, so what node decides about keep-alive (whether the second
 * response comes at all) and framing is compared too. `Date` is masked.
 */

type BodyMode = 'one' | 'empty' | 'stream' | 'declared' | 'declared-stream' | 'trailers';

interface Case {
  status: number;
  headers: Array<[string, string]>;
  body: BodyMode;
  method: 'GET' | 'HEAD';
  version: '1.0' | '1.1';
  /** The client's Connection field, if any. */
  connection?: 'keep-alive' | 'close';
  /** An HTTP/1.0 client that accepts chunked framing (`TE: chunked`). */
  te?: boolean;
  /** `Expect: 100-continue` with a body the app never reads. */
  expect?: boolean;
}

const BODY = 'hello, world';

/** The case's events: what an app (or a middleware stack) sends. */
function events(c: Case): Array<SendEvent<'http'>> {
  const start = (headers: Array<[string, string]>, trailers = false): SendEvent<'http'> => ({
    type: 'http.response.start',
    status: c.status,
    headers,
    ...(trailers ? { trailers: true } : {}),
  });
  const length: [string, string] = ['content-length', String(BODY.length)];
  switch (c.body) {
    case 'one':
      return [start(c.headers), { type: 'http.response.body', body: BODY }];
    case 'empty':
      return [start(c.headers), { type: 'http.response.body' }];
    case 'stream':
      return [
        start(c.headers),
        { type: 'http.response.body', body: 'hello, ', more: true },
        { type: 'http.response.body', body: 'world' },
      ];
    case 'declared':
      return [start([...c.headers, length]), { type: 'http.response.body', body: BODY }];
    case 'declared-stream':
      return [
        start([...c.headers, length]),
        { type: 'http.response.body', body: 'hello, ', more: true },
        { type: 'http.response.body', body: 'world' },
      ];
    case 'trailers':
      return [
        start(c.headers, true),
        { type: 'http.response.body', body: 'hello, ', more: true },
        { type: 'http.response.body', body: 'world' },
        { type: 'http.response.trailers', headers: [['x-checksum', 'abc']] },
      ];
  }
}

/** Cases by request path (`/case/<n>`); `/end` answers the closing second request. */
const cases: Case[] = [];

const app: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  if (scope.path === '/end') {
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: 'bye' });
    return;
  }
  const c = cases[Number(scope.path.slice('/case/'.length))]!;
  for (const event of events(c)) await send(event);
};

function requestOf(c: Case, index: number): string {
  let text = `${c.method} /case/${index} HTTP/${c.version}\r\nHost: x\r\n`;
  if (c.connection !== undefined) text += `Connection: ${c.connection}\r\n`;
  if (c.te) text += 'TE: chunked\r\n';
  if (c.expect) text += 'Expect: 100-continue\r\nContent-Length: 3\r\n';
  return `${text}\r\n`;
}

/** Everything the server writes for the case and a closing second request, `Date` masked. */
async function wire(port: number, c: Case): Promise<string> {
  cases.push(c);
  const client = await rawClient(port);
  client.socket.write(
    `${requestOf(c, cases.length - 1)}GET /end HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  );
  const timer = setTimeout(() => client.socket.destroy(), 10_000);
  const text = await client.closed;
  clearTimeout(timer);
  return text.replace(/\r\nDate: [^\r]*\r\n/g, '\r\nDate: (masked)\r\n');
}

/** The wire with node's own head path and with the server-written one. */
async function both(port: number, c: Case): Promise<{ node: string; own: string }> {
  setOwnHead(false);
  const node = await wire(port, c);
  setOwnHead(true);
  const own = await wire(port, c);
  return { node, own };
}

let storeHeader: ReturnType<typeof vi.spyOn>;
beforeAll(() => {
  // node's _storeHeader runs on node's own path only: counting its calls tells which path ran.
  storeHeader = vi.spyOn(ServerResponse.prototype as unknown as { _storeHeader: () => void }, '_storeHeader');
});
afterAll(() => {
  storeHeader.mockRestore();
  setOwnHead(true);
});

let s: StartedServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function serve(options: ServerOptions = {}, maxRequestsPerSocket?: number): Promise<StartedServer> {
  s = await startServer(app, { logLevel: 'error', ...options });
  if (maxRequestsPerSocket !== undefined) s.server.httpServer.maxRequestsPerSocket = maxRequestsPerSocket;
  return s;
}

const PLAIN: Array<[string, string]> = [['content-type', 'text/plain']];
const STACK: Array<[string, string]> = [
  ['content-type', 'text/plain'],
  ['vary', 'Accept-Encoding'],
  ['etag', '"d-CgqfKmdylCVXq1NV12r0Qvj2XgE"'],
  ['x-content-type-options', 'nosniff'],
  ['x-request-id', 'id-1'],
];

/** Runs `c` both ways and expects the same bytes; returns whether the server wrote the head. */
async function same(port: number, c: Case): Promise<boolean> {
  const { node, own } = await both(port, { ...c });
  expect(own).toBe(node);
  // Which path the case's own response took (not `/end`'s, nor a 503 node answers itself).
  storeHeader.mockClear();
  await wire(port, c);
  const contexts = storeHeader.mock.contexts as Array<{ req?: { url?: string } }>;
  return !contexts.some((res) => res.req?.url?.startsWith('/case/'));
}

describe('the server-written head', () => {
  it('matches node for every status, method, version, connection and body framing', async () => {
    const { port } = await serve();
    const statuses = [200, 201, 204, 304, 404, 500, 103, 299, 599];
    const bodies: BodyMode[] = ['one', 'empty', 'stream', 'declared', 'declared-stream', 'trailers'];
    const clients: Array<Pick<Case, 'version' | 'connection' | 'te'>> = [
      { version: '1.1' },
      { version: '1.1', connection: 'close' },
      { version: '1.0' },
      { version: '1.0', connection: 'keep-alive' },
      { version: '1.0', connection: 'keep-alive', te: true },
    ];
    let taken = 0;
    let total = 0;
    for (const status of statuses) {
      for (const body of bodies) {
        for (const client of clients) {
          for (const method of ['GET', 'HEAD'] as const) {
            const headers = status === 404 ? STACK : status === 500 ? [] : PLAIN;
            if (await same(port, { status, headers, body, method, ...client })) taken++;
            total++;
          }
        }
      }
    }
    // Every one of these heads is plain: the server wrote each of them.
    expect(taken).toBe(total);
  }, 120_000);

  it('matches node with the server keep-alive timeout off, below a second, and longer', async () => {
    for (const keepAliveTimeout of [0, 999, 2_500, 61_000]) {
      const { port } = await serve({ keepAliveTimeout });
      for (const body of ['one', 'stream', 'declared'] as BodyMode[]) {
        expect(await same(port, { status: 200, headers: PLAIN, body, method: 'GET', version: '1.1' })).toBe(
          true,
        );
        expect(
          await same(port, {
            status: 200,
            headers: PLAIN,
            body,
            method: 'GET',
            version: '1.0',
            connection: 'keep-alive',
          }),
        ).toBe(true);
      }
      await s!.close();
      s = undefined;
    }
  });

  it("matches node with node's maxRequestsPerSocket (Keep-Alive max, the last request's Connection: close)", async () => {
    for (const max of [1, 3]) {
      const { port } = await serve({}, max);
      for (const body of ['one', 'stream'] as BodyMode[]) {
        expect(await same(port, { status: 200, headers: PLAIN, body, method: 'GET', version: '1.1' })).toBe(
          true,
        );
      }
      await s!.close();
      s = undefined;
    }
  });

  it('matches node when the server closes after the response (maxRequestsPerConnection)', async () => {
    const { port } = await serve({ maxRequestsPerConnection: 1 });
    for (const body of ['one', 'stream', 'declared'] as BodyMode[]) {
      expect(await same(port, { status: 200, headers: PLAIN, body, method: 'GET', version: '1.1' })).toBe(
        true,
      );
    }
  });

  it('matches node when the client expected 100-continue and got a final status', async () => {
    const { port } = await serve();
    expect(
      await same(port, {
        status: 200,
        headers: PLAIN,
        body: 'one',
        method: 'GET',
        version: '1.1',
        expect: true,
      }),
    ).toBe(true);
  });

  it("leaves heads with fields node acts on, repeated names and array-index names to node's path", async () => {
    const { port } = await serve();
    const special: Array<Array<[string, string]>> = [
      [['connection', 'close']],
      [['connection', 'keep-alive']],
      [['keep-alive', 'timeout=3']],
      [['date', 'Thu, 01 Jan 1970 00:00:00 GMT']],
      [['trailer', 'x-checksum']],
      [['expect', 'nothing']],
      [
        ['set-cookie', 'a=1'],
        ['content-type', 'text/plain'],
        ['set-cookie', 'b=2'],
      ],
      [
        ['cookie', 'a=1'],
        ['cookie', 'b=2'],
      ],
      [
        ['content-type', 'text/plain'],
        ['123', 'digits'],
      ],
    ];
    for (const headers of special) {
      for (const body of ['one', 'stream', 'trailers'] as BodyMode[]) {
        expect(await same(port, { status: 200, headers, body, method: 'GET', version: '1.1' })).toBe(false);
      }
    }
    // content-disposition is plain (node re-encodes it only when a length was set before the head).
    expect(
      await same(port, {
        status: 200,
        headers: [['content-disposition', 'attachment; filename="caf\u00e9.txt"']],
        body: 'declared',
        method: 'GET',
        version: '1.1',
      }),
    ).toBe(true);
  });

  it('matches node for heads that change field by field from one response to the next', async () => {
    const { port } = await serve();
    // Names from a small pool (special and repeated ones included) so consecutive heads share
    // prefixes, differ in one place, grow and shrink: the per-place block cache is exercised.
    const names = ['content-type', 'vary', 'etag', 'x-a', 'x-b', 'set-cookie', 'connection', 'cache-control'];
    const values = [
      'text/plain',
      'Accept-Encoding',
      '"e1"',
      'v',
      '',
      'a=1',
      'close',
      'no-store',
      'caf\u00e9',
    ];
    const field = fc.tuple(fc.constantFrom(...names), fc.constantFrom(...values));
    const arbCase = fc.record({
      status: fc.constantFrom(200, 200, 200, 201, 204, 304, 404, 418, 599),
      headers: fc.array(field, { maxLength: 6 }),
      body: fc.constantFrom<BodyMode>('one', 'empty', 'stream', 'declared', 'declared-stream', 'trailers'),
      method: fc.constantFrom<'GET' | 'HEAD'>('GET', 'GET', 'HEAD'),
      version: fc.constantFrom<'1.0' | '1.1'>('1.1', '1.1', '1.0'),
      connection: fc.constantFrom<'keep-alive' | 'close' | undefined>(undefined, 'keep-alive', 'close'),
    });
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        const { node, own } = await both(port, c as Case);
        expect(own).toBe(node);
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
