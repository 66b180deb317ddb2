/** The lazy Request of fromFetchHandler: a real Request only when what only it has is needed. */
import { describe, expect, test } from 'vitest';
import { type LazyInit, lazyRequest } from '../src/internal/lazy-request.js';
import { readWholeBody, requestBodyStream } from '../src/internal/request-body.js';

type HttpEvent = { type: 'http.request'; body: Uint8Array; more: boolean } | { type: 'http.disconnect' };

/** A LazyInit over `events` (then a disconnect), counting what was built. */
function init(method: string, events: HttpEvent[] = []) {
  const counts = { headers: 0, streams: 0, reads: 0, receives: 0 };
  const controller = new AbortController();
  const receive = async () => {
    counts.receives++;
    return (events.shift() ?? { type: 'http.disconnect' }) as never;
  };
  const lazy: LazyInit = {
    method,
    signal: controller.signal,
    headers() {
      counts.headers++;
      return new Headers([
        ['x-a', '1'],
        ['content-type', 'text/plain'],
      ]);
    },
    bodyStream() {
      counts.streams++;
      return requestBodyStream(receive);
    },
    readBody() {
      counts.reads++;
      return readWholeBody(receive);
    },
  };
  return { counts, lazy };
}
const bytes = (text: string) => new TextEncoder().encode(text);
const chunked = (...parts: string[]): HttpEvent[] =>
  parts.map((p, i) => ({ type: 'http.request', body: bytes(p), more: i < parts.length - 1 }));

test('url, method and signal need no real Request; instanceof holds', () => {
  const i = init('GET');
  const request = lazyRequest('http://x.test/a?b=1', i.lazy);
  expect(request).toBeInstanceOf(Request);
  expect(request.url).toBe('http://x.test/a?b=1');
  expect(request.method).toBe('GET');
  expect(request.signal.aborted).toBe(false);
  expect(request.bodyUsed).toBe(false);
  expect(i.counts).toEqual({ headers: 0, streams: 0, reads: 0, receives: 0 });
});

test('headers are built once, without the real Request, and stay the same object', () => {
  const i = init('GET');
  const request = lazyRequest('http://x.test/', i.lazy);
  expect(request.headers.get('x-a')).toBe('1');
  expect(request.headers).toBe(request.headers);
  request.headers.set('x-b', '2');
  // The real Request starts from these headers, changes included.
  expect(request.cache).toBe('default');
  expect(request.headers.get('x-b')).toBe('2');
  expect(i.counts).toEqual({ headers: 1, streams: 0, reads: 0, receives: 0 });
});

describe('body readers read receive() directly', () => {
  test('text() of a body in several chunks, then bodyUsed and a second read rejects', async () => {
    const i = init('POST', chunked('he', 'llo ', 'wörld'));
    const request = lazyRequest('http://x.test/', i.lazy);
    expect(await request.text()).toBe('hello wörld');
    expect(request.bodyUsed).toBe(true);
    await expect(request.text()).rejects.toThrow(TypeError);
    await expect(request.arrayBuffer()).rejects.toThrow(TypeError);
    expect(() => request.clone()).toThrow(TypeError);
    expect(request.body?.locked).toBe(true);
    expect(i.counts.reads).toBe(1);
    expect(i.counts.streams).toBe(0);
  });

  test('json(), arrayBuffer() and bytes() give what the real Request gives', async () => {
    for (const [reader, expected] of [
      ['json', { n: 1 }],
      ['arrayBuffer', new Uint8Array(bytes('{"n":1}')).buffer],
      ['bytes', new Uint8Array(bytes('{"n":1}'))],
    ] as const) {
      if (!(reader in Request.prototype)) continue; // bytes(): Node 22+
      const lazy = lazyRequest('http://x.test/', init('PUT', chunked('{"n"', ':1}')).lazy);
      const real = new Request('http://x.test/', { method: 'PUT', body: '{"n":1}' });
      const got = await (lazy as unknown as Record<string, () => Promise<unknown>>)[reader]!();
      expect(got).toEqual(expected);
      expect(got).toEqual(await (real as unknown as Record<string, () => Promise<unknown>>)[reader]!());
    }
  });

  test('bad JSON rejects with the SyntaxError the real Request gives', async () => {
    const request = lazyRequest('http://x.test/', init('POST', chunked('{nope')).lazy);
    await expect(request.json()).rejects.toThrow(SyntaxError);
  });

  test('a client gone mid-body rejects the read with an AbortError', async () => {
    const i = init('POST', [{ type: 'http.request', body: bytes('part'), more: true }]);
    const request = lazyRequest('http://x.test/', i.lazy);
    await expect(request.text()).rejects.toMatchObject({ name: 'AbortError' });
  });

  test('GET and HEAD bodies are empty and never used, as the real null body', async () => {
    const i = init('GET');
    const request = lazyRequest('http://x.test/', i.lazy);
    expect(await request.text()).toBe('');
    expect(await request.text()).toBe('');
    expect(request.bodyUsed).toBe(false);
    expect(request.body).toBe(null);
    expect(i.counts.receives).toBe(0);
  });

  test('once the real Request exists (the body stream was asked for), the readers are its own', async () => {
    const i = init('POST', chunked('abc', 'def'));
    const request = lazyRequest('http://x.test/', i.lazy);
    expect(request.body).toBeInstanceOf(ReadableStream);
    expect(await request.text()).toBe('abcdef');
    expect(request.bodyUsed).toBe(true);
    expect(i.counts).toMatchObject({ streams: 1, reads: 0 });
  });

  test('formData() is the real Request’s', async () => {
    const events: HttpEvent[] = [{ type: 'http.request', body: bytes('a=1&b=2'), more: false }];
    const i = init('POST', events);
    i.lazy.headers = () => new Headers({ 'content-type': 'application/x-www-form-urlencoded' });
    const form = await lazyRequest('http://x.test/', i.lazy).formData();
    expect([...form]).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });
});
