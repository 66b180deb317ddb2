import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { App, HeaderList, HttpScope, Scope, SendEvent } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMPRESSIBLE, compress } from '../src/index.js';

const TEXT = 'The quick brown fox jumps over the lazy dog. '.repeat(100); // 4500 bytes

/** An app that sends `chunks` as one body event each, with the given status and headers. */
function sending(
  chunks: (string | Uint8Array)[],
  headers: HeaderList = [['content-type', 'text/plain']],
  status = 200,
): App {
  return async (scope, _receive, send) => {
    if (scope.type !== 'http') return;
    await send({ type: 'http.response.start', status, headers });
    if (chunks.length === 0) return send({ type: 'http.response.body' });
    for (const [i, body] of chunks.entries()) {
      await send({ type: 'http.response.body', body, more: i < chunks.length - 1 });
    }
  };
}

const get = (app: App, acceptEncoding: string | undefined, method = 'GET') =>
  new TestClient(app).request(method, '/', {
    headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
  });

const decode: Record<string, (b: Buffer) => Buffer> = {
  gzip: gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

const bodyEvents = (events: object[]) =>
  events.filter((e) => (e as { type: string }).type === 'http.response.body') as { body?: Uint8Array }[];

describe('compress: negotiation', () => {
  it.each(['gzip', 'deflate', 'br'])(
    'compresses with %s, and the output decodes to the input',
    async (coding) => {
      const res = await get(compress()(sending([TEXT])), coding);
      expect(res.status).toBe(200);
      expect(res.header('content-encoding')).toBe(coding);
      expect(res.header('vary')).toBe('Accept-Encoding');
      expect(res.header('content-length')).toBeUndefined();
      expect(res.body.length).toBeLessThan(TEXT.length / 5);
      expect(decode[coding]!(res.body).toString()).toBe(TEXT);
    },
  );

  it('picks the highest q; ties go to the server order given by `encodings`', async () => {
    const app = sending([TEXT]);
    expect((await get(compress()(app), 'gzip, deflate, br')).header('content-encoding')).toBe('br');
    expect((await get(compress()(app), 'gzip, br;q=0.8')).header('content-encoding')).toBe('gzip');
    const gzipFirst = compress({ encodings: ['gzip', 'br'] })(app);
    expect((await get(gzipFirst, 'gzip, deflate, br')).header('content-encoding')).toBe('gzip');
    // deflate is not offered: nothing acceptable but identity
    expect((await get(gzipFirst, 'deflate')).header('content-encoding')).toBeUndefined();
    expect((await get(compress()(app), '*')).header('content-encoding')).toBe('br');
  });

  it('sends identity when there is no Accept-Encoding, an empty one, or identity weighs more', async () => {
    for (const accept of [undefined, '', 'gzip;q=0.5, identity', 'x-unknown']) {
      const res = await get(compress()(sending([TEXT])), accept);
      expect(res.header('content-encoding')).toBeUndefined();
      expect(res.header('vary')).toBe('Accept-Encoding'); // it could have been compressed
      expect(res.text).toBe(TEXT);
    }
  });

  it('identity refused and nothing else acceptable: identity anyway by default, 406 when strict', async () => {
    for (const accept of ['identity;q=0', '*;q=0', 'compress, identity;q=0']) {
      const lenient = await get(compress()(sending([TEXT])), accept);
      expect(lenient.status).toBe(200);
      expect(lenient.text).toBe(TEXT);
      let called = false;
      const strict = await get(
        compress({ strict: true })(async (...args) => {
          called = true;
          return sending([TEXT])(...args);
        }),
        accept,
      );
      expect(strict.status).toBe(406);
      expect(strict.header('vary')).toBe('Accept-Encoding');
      expect(strict.text).toMatch(/br, gzip, deflate or identity/);
      expect(called).toBe(false);
    }
    // strict still compresses what it can
    expect(
      (await get(compress({ strict: true })(sending([TEXT])), 'gzip, identity;q=0')).header(
        'content-encoding',
      ),
    ).toBe('gzip');
  });
});

describe('compress: upstream GZip bugs (toolkit-parity §1.4), as regression tests', () => {
  it('keeps the status (upstream forced 200)', async () => {
    const res = await get(compress()(sending([TEXT], [['content-type', 'text/plain']], 201)), 'gzip');
    expect(res.status).toBe(201);
    expect(gunzipSync(res.body).toString()).toBe(TEXT);
    const streamed = await get(
      compress()(sending([TEXT, TEXT], [['content-type', 'text/plain']], 404)),
      'gzip',
    );
    expect(streamed.status).toBe(404);
  });

  it('does not re-compress an encoded response (upstream sent two Content-Encoding headers)', async () => {
    const zipped = zlib.gzipSync(TEXT);
    const res = await get(
      compress()(
        sending(
          [zipped],
          [
            ['content-type', 'text/plain'],
            ['content-encoding', 'gzip'],
          ],
        ),
      ),
      'gzip, br',
    );
    expect(res.headerValues('content-encoding')).toEqual(['gzip']);
    expect(res.header('vary')).toBeUndefined();
    expect(gunzipSync(res.body).toString()).toBe(TEXT);
  });

  it('honours gzip;q=0 (upstream matched /\\bgzip\\b/)', async () => {
    const res = await get(compress()(sending([TEXT])), 'gzip;q=0, deflate;q=0, br;q=0');
    expect(res.header('content-encoding')).toBeUndefined();
    expect(res.text).toBe(TEXT);
    expect((await get(compress()(sending([TEXT])), 'gzip;q=0, deflate')).header('content-encoding')).toBe(
      'deflate',
    );
  });

  it('compresses file bodies instead of dropping them (upstream sent an empty body)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pagi-compress-'));
    const file = join(dir, 'big.txt');
    await writeFile(file, TEXT.repeat(40)); // 180 000 bytes: several 64 KiB reads
    const app: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      await send({
        type: 'http.response.start',
        status: 200,
        headers: [
          ['content-type', 'text/plain'],
          ['content-length', '179990'],
        ],
      });
      await send({ type: 'http.response.body', file, offset: 10 });
    };
    const res = await get(compress()(app), 'gzip');
    expect(res.header('content-length')).toBeUndefined();
    expect(gunzipSync(res.body).toString()).toBe(TEXT.repeat(40).slice(10));
  });

  it('adds Vary: Accept-Encoding also when it does not compress (too small, not asked)', async () => {
    const small = await get(compress()(sending(['tiny'])), 'gzip');
    expect(small.header('content-encoding')).toBeUndefined();
    expect(small.header('vary')).toBe('Accept-Encoding');
    expect(small.text).toBe('tiny');
    const merged = await get(
      compress()(
        sending(
          [TEXT],
          [
            ['content-type', 'text/plain'],
            ['vary', 'Origin'],
          ],
        ),
      ),
      'gzip',
    );
    expect(merged.headerValues('vary')).toEqual(['Origin, Accept-Encoding']);
  });

  it('answers HEAD untouched but for Vary (upstream had no HEAD handling)', async () => {
    const app = sending(
      [],
      [
        ['content-type', 'text/plain'],
        ['content-length', '4500'],
      ],
    );
    const res = await get(compress()(app), 'gzip', 'HEAD');
    expect(res.header('content-encoding')).toBeUndefined();
    expect(res.header('content-length')).toBe('4500');
    expect(res.header('vary')).toBe('Accept-Encoding');
  });

  it('compresses streamed bodies (upstream passed `more` bodies through, forcing 200)', async () => {
    const res = await get(
      compress()(sending(['a'.repeat(10), 'b'.repeat(10), 'c'.repeat(10)], undefined, 202)),
      'gzip',
    );
    expect(res.status).toBe(202);
    expect(res.header('content-encoding')).toBe('gzip'); // unknown length: not "small"
    expect(gunzipSync(res.body).toString()).toBe(`${'a'.repeat(10)}${'b'.repeat(10)}${'c'.repeat(10)}`);
  });
});

describe('compress: what it leaves alone', () => {
  it('leaves 204, 304 and ranged (206 / Content-Range) responses as they are; 304 and 206 still get Vary', async () => {
    const r204 = await get(compress()(sending([], [['content-type', 'text/plain']], 204)), 'gzip');
    expect(r204.header('content-encoding')).toBeUndefined();
    const r304 = await get(compress()(sending([], [['etag', '"x"']], 304)), 'gzip');
    expect(r304.header('content-encoding')).toBeUndefined();
    expect(r304.header('etag')).toBe('"x"');
    expect(r304.header('vary')).toBe('Accept-Encoding');
    const ranged = await get(
      compress()(
        sending(
          [TEXT.slice(0, 2000)],
          [
            ['content-type', 'text/plain'],
            ['content-range', 'bytes 0-1999/4500'],
          ],
          206,
        ),
      ),
      'gzip',
    );
    expect(ranged.status).toBe(206);
    expect(ranged.header('content-encoding')).toBeUndefined();
    expect(ranged.text).toBe(TEXT.slice(0, 2000));
  });

  it('leaves no-transform, non-compressible and untyped responses alone, without Vary', async () => {
    const cases: HeaderList[] = [
      [
        ['content-type', 'text/plain'],
        ['cache-control', 'public, No-Transform'],
      ],
      [['content-type', 'image/png']],
      [['content-type', 'application/octet-stream']],
      [],
    ];
    for (const headers of cases) {
      const res = await get(compress()(sending([TEXT], headers)), 'gzip');
      expect(res.header('content-encoding')).toBeUndefined();
      expect(res.header('vary')).toBeUndefined();
      expect(res.text).toBe(TEXT);
    }
  });

  it('sees no-transform in any of several Cache-Control fields, and the same type again after it', async () => {
    const mw = compress();
    const split: HeaderList = [
      ['content-type', 'text/plain'],
      ['cache-control', 'public'],
      ['cache-control', 'no-transform'],
    ];
    const left = await get(mw(sending([TEXT], split)), 'gzip');
    expect(left.header('content-encoding')).toBeUndefined();
    // The remembered content type must not carry the refusal over to a plain response.
    const plain = await get(mw(sending([TEXT], [['content-type', 'text/plain']])), 'gzip');
    expect(plain.header('content-encoding')).toBe('gzip');
    const png = await get(mw(sending([TEXT], [['content-type', 'image/png']])), 'gzip');
    expect(png.header('content-encoding')).toBeUndefined();
    const again = await get(mw(sending([TEXT], [['content-type', 'text/plain']])), 'gzip');
    expect(again.header('content-encoding')).toBe('gzip');
  });

  it('never compresses text/event-stream in an http scope, and leaves sse scopes untouched', async () => {
    const res = await get(compress()(sending([TEXT, TEXT], [['content-type', 'text/event-stream']])), 'gzip');
    expect(res.header('content-encoding')).toBeUndefined();
    expect(bodyEvents(res.events)).toHaveLength(2);
    const sse: App = async (scope, _r, send) => {
      if (scope.type !== 'sse') return;
      await send({ type: 'sse.start', status: 200, headers: [['content-type', 'text/event-stream']] });
      await send({ type: 'sse.send', data: TEXT });
    };
    const feed = await new TestClient(compress()(sse)).sse('/', { headers: { 'accept-encoding': 'gzip' } });
    expect((await feed.next())?.data).toBe(TEXT);
    expect(feed.header('content-encoding')).toBeUndefined();
    expect(feed.header('vary')).toBeUndefined();
    await feed.disconnect();
  });

  it('compresses the default types and the `types` option decides otherwise', async () => {
    for (const t of [
      'text/html',
      'application/json',
      'application/problem+json',
      'image/svg+xml',
      'application/wasm',
      'text/javascript',
    ]) {
      expect(COMPRESSIBLE.test(t)).toBe(true);
    }
    for (const t of ['image/png', 'video/mp4', 'application/zip', 'application/octet-stream', 'font/woff2']) {
      expect(COMPRESSIBLE.test(t)).toBe(false);
    }
    const typed = await get(
      compress({ types: /^application\/x-custom$/ })(
        sending([TEXT], [['content-type', 'application/x-custom']]),
      ),
      'gzip',
    );
    expect(typed.header('content-encoding')).toBe('gzip');
    const fn = await get(
      compress({ types: (t) => t === 'text/csv' })(
        sending([TEXT], [['content-type', 'Text/CSV; charset=utf-8']]),
      ),
      'gzip',
    );
    expect(fn.header('content-encoding')).toBe('gzip');
    const html = await get(
      compress({ types: (t) => t === 'text/csv' })(sending([TEXT], [['content-type', 'text/html']])),
      'gzip',
    );
    expect(html.header('content-encoding')).toBeUndefined();
  });
});

describe('compress: headers and options', () => {
  it('turns a strong ETag weak and keeps a weak one', async () => {
    const strong = await get(
      compress()(
        sending(
          [TEXT],
          [
            ['content-type', 'text/plain'],
            ['etag', '"abc"'],
          ],
        ),
      ),
      'gzip',
    );
    expect(strong.header('etag')).toBe('W/"abc"');
    const weak = await get(
      compress()(
        sending(
          [TEXT],
          [
            ['content-type', 'text/plain'],
            ['etag', 'W/"abc"'],
          ],
        ),
      ),
      'gzip',
    );
    expect(weak.header('etag')).toBe('W/"abc"');
  });

  it('threshold: known from content-length or a one-event body; a streamed body of unknown length is compressed', async () => {
    const mw = compress({ threshold: 100 });
    expect((await get(mw(sending(['x'.repeat(99)])), 'gzip')).header('content-encoding')).toBeUndefined();
    expect((await get(mw(sending(['x'.repeat(100)])), 'gzip')).header('content-encoding')).toBe('gzip');
    const declared = sending(
      ['x'.repeat(50), 'x'.repeat(40)],
      [
        ['content-type', 'text/plain'],
        ['content-length', '90'],
      ],
    );
    const small = await get(mw(declared), 'gzip');
    expect(small.header('content-encoding')).toBeUndefined();
    expect(small.header('content-length')).toBe('90');
    expect(
      (await get(mw(sending(['x'.repeat(50), 'x'.repeat(40)])), 'gzip')).header('content-encoding'),
    ).toBe('gzip');
    expect((await get(compress({ threshold: 0 })(sending(['x'])), 'gzip')).header('content-encoding')).toBe(
      'gzip',
    );
    // an empty body is never "compressed" into a non-empty one
    expect((await get(compress({ threshold: 0 })(sending([''])), 'gzip')).body.length).toBe(0);
  });

  it('level and brotliQuality reach zlib', async () => {
    const random = Buffer.from(Array.from({ length: 20000 }, (_, i) => (i * 7919) % 251));
    const text = sending([Buffer.concat([random, Buffer.from(TEXT)])]);
    const stored = await get(compress({ level: 0 })(text), 'gzip');
    const best = await get(compress({ level: 9 })(text), 'gzip');
    expect(stored.body.length).toBeGreaterThan(best.body.length);
    const br0 = await get(compress({ brotliQuality: 0 })(text), 'br');
    const br11 = await get(compress({ brotliQuality: 11 })(text), 'br');
    expect(br0.body.length).toBeGreaterThan(br11.body.length);
    expect(brotliDecompressSync(br11.body)).toEqual(Buffer.concat([random, Buffer.from(TEXT)]));
  });

  it('http.fullflush flushes the compressor: what was sent so far decodes before the end', async () => {
    for (const coding of ['gzip', 'br', 'deflate']) {
      let seenAtFlush: Buffer | undefined;
      const app: App = async (scope, _r, send) => {
        if (scope.type !== 'http') return;
        await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
        await send({ type: 'http.response.body', body: 'first part', more: true });
        await send({ type: 'http.fullflush' });
        await send({ type: 'http.response.body', body: ' second part' });
      };
      // A recording send outside the middleware, standing in for the server.
      const events: SendEvent<'http'>[] = [];
      const mw = compress({ threshold: 0 })(app);
      const httpScope: HttpScope = {
        type: 'http',
        pagi: { version: '0.3', spec_version: '0.3' },
        http_version: '1.1',
        method: 'GET',
        scheme: 'http',
        path: '/',
        raw_path: '/',
        query_string: '',
        root_path: '',
        headers: [['accept-encoding', coding]],
        client: null,
        server: null,
        state: {},
        extensions: { fullflush: {} },
      } as unknown as HttpScope;
      await mw(
        httpScope as Scope,
        async () => ({ type: 'http.disconnect' }) as never,
        async (event) => {
          const e = event as SendEvent<'http'>;
          if (e.type === 'http.fullflush') {
            const bytes = Buffer.concat(bodyEvents(events).map((b) => Buffer.from(b.body ?? [])));
            seenAtFlush = bytes;
          }
          events.push(e);
        },
      );
      expect(events.map((e) => e.type)).toContain('http.fullflush');
      // A sync-flushed prefix decodes (partially) without the stream's end.
      expect(decodePrefix(coding, seenAtFlush!)).toBe('first part');
      const all = Buffer.concat(bodyEvents(events).map((b) => Buffer.from(b.body ?? [])));
      expect(decode[coding]!(all).toString()).toBe('first part second part');
    }
  });

  it('refuses unknown options and bad values when called, not per request', () => {
    expect(() => compress({ treshold: 1 } as never)).toThrow(/unknown option 'treshold'/);
    expect(() => compress({ encodings: [] })).toThrow(/non-empty/);
    expect(() => compress({ encodings: ['gzip', 'gzip'] })).toThrow(/once each/);
    expect(() => compress({ encodings: ['zstd'] as never })).toThrow(/"zstd"/);
    expect(() => compress({ threshold: -1 })).toThrow(/threshold/);
    expect(() => compress({ level: 10 })).toThrow(/level to be an integer from 0 to 9, got 10/);
    expect(() => compress({ brotliQuality: 1.5 })).toThrow(/brotliQuality/);
    expect(() => compress({ types: 'text/*' as never })).toThrow(/RegExp or a function/);
    expect(() => compress({ strict: 'yes' as never })).toThrow(/strict/);
  });

  it('a global regex in `types` is used without lastIndex state', async () => {
    const mw = compress({ types: /^text\//g });
    for (let i = 0; i < 3; i++) {
      expect((await get(mw(sending([TEXT])), 'gzip')).header('content-encoding')).toBe('gzip');
    }
  });

  it('lets the inner app’s errors through unchanged, and releases the compressor', async () => {
    const boom = new Error('inner app failed');
    const failing: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
      await send({ type: 'http.response.body', body: TEXT, more: true });
      throw boom;
    };
    await expect(get(compress()(failing), 'gzip')).rejects.toBe(boom);
  });

  it('names its functions for stack traces', () => {
    const mw = compress();
    expect(mw.name).toBe('compress');
    expect(mw(sending([])).name).toBe('compress');
  });
});

/** Decodes a flushed (not ended) prefix of a stream. */
function decodePrefix(coding: string, bytes: Buffer): string {
  const opts = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
  if (coding === 'gzip') return zlib.gunzipSync(bytes, opts).toString();
  if (coding === 'deflate') return zlib.inflateSync(bytes, opts).toString();
  return zlib.brotliDecompressSync(bytes, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }).toString();
}

describe('compress: streaming', () => {
  it('compresses a 10 MiB streamed body chunk by chunk under backpressure, never buffering it whole', async () => {
    const CHUNK = 64 * 1024;
    const COUNT = 160; // 10 MiB
    // Random letters: compressible (~60 %), but large enough output to show up as many chunks.
    const chunk = () => randomBytes(CHUNK).map((b) => 97 + (b % 26));
    const sent: Uint8Array[] = [];
    const app: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
      for (let i = 0; i < COUNT; i++) {
        const c = chunk();
        sent.push(c);
        await send({ type: 'http.response.body', body: c, more: i < COUNT - 1 });
      }
    };
    const client = new TestClient(compress()(app));
    const s = await client.stream('GET', '/', { headers: { 'accept-encoding': 'gzip' }, highWaterMark: 0 });
    expect(s.header('content-encoding')).toBe('gzip');
    const out: Buffer[] = [];
    let firstChunkAfter: number | undefined;
    for await (const piece of s) {
      if (firstChunkAfter === undefined) firstChunkAfter = sent.length;
      out.push(Buffer.from(piece));
    }
    const flow = s.flow!;
    // Output came out in many pieces while the app was still sending...
    expect(flow.bodyEvents).toBeGreaterThan(100);
    expect(firstChunkAfter).toBeLessThan(COUNT / 4);
    // ...and the app felt the reader: never more than one compressed chunk waited for it.
    expect(flow.pausedSends).toBeGreaterThan(100);
    expect(flow.maxBuffered).toBeLessThanOrEqual(64 * 1024);
    // (Buffer.equals: a deep toEqual over 10 MiB takes minutes.)
    expect(gunzipSync(Buffer.concat(out)).equals(Buffer.concat(sent))).toBe(true);
  });

  it('decodes to the input for random bodies, chunkings and codings (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 3000 }), fc.string({ maxLength: 2000 })), {
          maxLength: 8,
        }),
        fc.constantFrom('gzip', 'deflate', 'br'),
        fc.boolean(),
        async (chunks, coding, flushes) => {
          const app: App = async (scope, _r, send) => {
            if (scope.type !== 'http') return;
            await send({
              type: 'http.response.start',
              status: 200,
              headers: [['content-type', 'application/json']],
            });
            for (const body of chunks) {
              await send({ type: 'http.response.body', body, more: true });
              if (flushes) await send({ type: 'http.fullflush' });
            }
            await send({ type: 'http.response.body' });
          };
          const res = await get(compress({ threshold: 0 })(app), coding);
          const input = Buffer.concat(chunks.map((c) => Buffer.from(c)));
          const output = res.header('content-encoding') === undefined ? res.body : decode[coding]!(res.body);
          expect(output).toEqual(input);
        },
      ),
      { numRuns: 60 },
    );
  });
});

// The shared checks every middleware runs: lifespan and unhandled scope types pass through
// untouched, the caller's scope is never mutated, a streamed body stays streamed, every send
// passes the spec's validator. Once with no Accept-Encoding, once compressing.
describeMiddlewareChecks('compress: the shared middleware checks of @pagi/test', compress());
describeMiddlewareChecks(
  'compress (gzip asked): the shared middleware checks of @pagi/test',
  compress({ threshold: 0 }),
  {
    request: { headers: { 'accept-encoding': 'gzip' } },
  },
);

describe('compress: the same header list again', () => {
  it('answers a repeated list the same, and a pair the app changed in place anew', async () => {
    const type: [string, string] = ['content-type', 'text/plain'];
    const list: HeaderList = [type];
    const app = compress()(sending(['hi'], list));
    expect((await get(app, undefined)).header('vary')).toBe('Accept-Encoding');
    expect((await get(app, undefined)).headerValues('vary')).toEqual(['Accept-Encoding']);
    expect(list).toEqual([['content-type', 'text/plain']]);
    type[1] = 'image/png'; // not compressible: no Vary
    expect((await get(app, undefined)).header('vary')).toBeUndefined();
    type[1] = 'text/plain';
    expect((await get(app, undefined)).header('vary')).toBe('Accept-Encoding');
  });
});
