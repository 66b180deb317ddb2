import { type IncomingMessage, ServerResponse } from 'node:http';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCheckedHead } from './checked-head.js';
import { setOwnHead } from './own-head.js';
import { flattenHeaders } from './response-headers.js';

/**
 * In process, without sockets: the head the server writes itself (own-head.ts) against node's
 * own path (checked-head.ts's field map + `writeHead`) on fresh `ServerResponse`s set up as
 * node's server sets them up, for sequences of heads (the per-place block and whole-head caches
 * carry over from one head to the next). Compared: the head string (`Date` masked) and every
 * response field node's `writeHead` + `_storeHeader` set. test/http/own-head.test.ts compares
 * the bytes on the wire.
 */

interface Setup {
  method: 'GET' | 'HEAD';
  minor: 0 | 1;
  te: boolean;
  keepAlive: boolean;
  reached: boolean;
  expect: boolean;
  keepAliveTimeout: number;
  maxRequestsPerSocket: number | undefined;
}

interface Head {
  status: number;
  headers: Array<[string, string]>;
  length: string | undefined;
}

type Internal = Record<string, unknown>;

function response(o: Setup): ServerResponse {
  const req = {
    method: o.method,
    httpVersionMajor: 1,
    httpVersionMinor: o.minor,
    headers: o.te ? { te: 'chunked' } : {},
  } as unknown as IncomingMessage;
  const res = new ServerResponse(req);
  const r = res as unknown as Internal;
  // What node's parserOnIncoming sets on every response.
  r._keepAliveTimeout = o.keepAliveTimeout;
  r._maxRequestsPerSocket = o.maxRequestsPerSocket;
  r.shouldKeepAlive = o.keepAlive;
  r.maxRequestsOnConnectionReached = o.reached;
  r._expect_continue = o.expect;
  return res;
}

const FIELDS = [
  'statusCode',
  'statusMessage',
  '_headerSent',
  '_last',
  'chunkedEncoding',
  '_contentLength',
  '_hasBody',
  'shouldKeepAlive',
  '_removedConnection',
  '_removedContLen',
  '_removedTE',
  '_defaultKeepAlive',
  'useChunkedEncodingByDefault',
];

/** The head and the response's state after writing `head` on a fresh response set up as `o`. */
function written(o: Setup, head: Head, own: boolean): Record<string, unknown> {
  setOwnHead(own);
  const res = response(o);
  const { flat } = flattenHeaders(head.headers, 'http.response.start');
  let error: unknown;
  try {
    writeCheckedHead(res, head.status, flat, head.length);
  } catch (e) {
    // node refuses some heads (a `trailer` field without chunked framing): the same way, both paths.
    error = (e as { code?: unknown }).code;
  }
  const r = res as unknown as Internal;
  const state: Record<string, unknown> = {
    error,
    header: String(r._header).replace(/\r\nDate: [^\r]*\r\n/, '\r\nDate: (masked)\r\n'),
  };
  for (const f of FIELDS) state[f] = r[f];
  return state;
}

afterAll(() => setOwnHead(true));

const setup: fc.Arbitrary<Setup> = fc.record({
  method: fc.constantFrom<'GET' | 'HEAD'>('GET', 'GET', 'HEAD'),
  minor: fc.constantFrom<0 | 1>(1, 1, 0),
  te: fc.boolean(),
  keepAlive: fc.boolean(),
  reached: fc.boolean(),
  expect: fc.boolean(),
  keepAliveTimeout: fc.constantFrom(0, 999, 5_000, 61_500),
  maxRequestsPerSocket: fc.constantFrom<number | undefined>(0, 0, 2, undefined),
});

/** Names the server writes itself, and (below) names that send the head down node's path. */
const PLAIN = [
  'content-type',
  'vary',
  'etag',
  'x-a',
  'set-cookie',
  'cookie',
  'content-disposition',
  '__proto__',
];
const SPECIAL = ['connection', 'keep-alive', 'date', 'trailer', 'expect', 'transfer-encoding', '42'];
const VALUES = ['text/plain', 'Accept-Encoding', '"e1"', 'v', '', 'a=1', 'close', 'chunked', 'caf\u00e9'];
const head: fc.Arbitrary<Head> = fc.record({
  status: fc.constantFrom(200, 200, 200, 201, 204, 304, 404, 103, 199, 599),
  headers: fc.array(
    fc.tuple(
      fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...PLAIN) }, fc.constantFrom(...SPECIAL)),
      fc.constantFrom(...VALUES),
    ),
    { maxLength: 8 },
  ),
  length: fc.constantFrom<string | undefined>(undefined, undefined, '0', '12', '12345'),
});

describe('writeOwnHead', () => {
  it("writes the head and sets the response's state exactly as node's path does", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(setup, head), { minLength: 1, maxLength: 12 }), (steps) => {
        for (const [o, h] of steps) {
          const node = written(o, h, false);
          const own = written(o, h, true);
          expect(own).toEqual(node);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('reuses a head like the last one, and rebuilds from the first field that changed', () => {
    const o: Setup = {
      method: 'GET',
      minor: 1,
      te: false,
      keepAlive: true,
      reached: false,
      expect: false,
      keepAliveTimeout: 5_000,
      maxRequestsPerSocket: 0,
    };
    const base: Array<[string, string]> = [
      ['content-type', 'text/plain'],
      ['vary', 'Accept-Encoding'],
      ['x-request-id', 'a'],
    ];
    const heads: Head[] = [
      { status: 200, headers: base, length: '5' },
      { status: 200, headers: base, length: '5' },
      { status: 200, headers: [...base.slice(0, 2), ['x-request-id', 'b']], length: '5' },
      { status: 200, headers: base.slice(0, 2), length: '5' },
      { status: 200, headers: base.slice(0, 2), length: undefined },
      { status: 404, headers: base.slice(0, 2), length: '5' },
      { status: 200, headers: [['content-type', 'text/html'], ...base.slice(1)], length: '5' },
      { status: 200, headers: base, length: '5' },
    ];
    for (const h of heads) expect(written(o, h, true)).toEqual(written(o, h, false));
  });
});
