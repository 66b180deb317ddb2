/** The lightweight Response of installFastResponse(): same behaviour as the real one, sent cheaply. */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fromFetchHandler, installFastResponse } from '../src/index.js';
import { FastResponse } from '../src/internal/fast-response.js';
import { serve } from './support/serve.js';

const NativeResponse = globalThis.Response;

describe('FastResponse on its own', () => {
  test('status, headers and body read like the real Response', async () => {
    const fast = new FastResponse('hi') as unknown as Response;
    const real = new NativeResponse('hi');
    expect(fast.status).toBe(real.status);
    expect(fast.ok).toBe(true);
    expect([...fast.headers]).toEqual([...real.headers]);
    expect(await fast.text()).toBe('hi');
    expect(fast.bodyUsed).toBe(true);
    expect(fast instanceof NativeResponse).toBe(true);
    expect(real instanceof (FastResponse as unknown as typeof Response)).toBe(true);
  });

  test('keeps its state for the bridge until something needs the real Response', () => {
    const fast = new FastResponse(new Uint8Array([1, 2]), { status: 201, headers: { 'x-a': '1' } });
    const state = FastResponse.stateOf(fast);
    expect(state?.status).toBe(201);
    expect([...(state?.headers ?? [])]).toEqual([['x-a', '1']]);
    void (fast as unknown as Response).body;
    expect(FastResponse.stateOf(fast)).toBeUndefined();
    expect(FastResponse.stateOf(new NativeResponse('x'))).toBeUndefined();
  });

  test('headers changed after construction are the ones the real Response gets', async () => {
    const fast = new FastResponse('x') as unknown as Response;
    fast.headers.set('x-late', 'yes');
    expect(fast.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    expect((fast.clone() as Response).headers.get('x-late')).toBe('yes');
  });

  test('the caller’s headers object is copied, as the real constructor does', () => {
    const headers = new Headers({ 'x-a': '1' });
    const fast = new FastResponse(null, { headers }) as unknown as Response;
    headers.set('x-a', '2');
    expect(fast.headers.get('x-a')).toBe('1');
  });

  test('what the real constructor rejects throws the same error at construction', () => {
    expect(() => new FastResponse('x', { status: 99 })).toThrow(RangeError);
    expect(() => new FastResponse('x', { status: 204 })).toThrow(TypeError);
    expect(() => new FastResponse('x', { headers: { 'x-a': 'a\nb' } })).toThrow(TypeError);
  });

  test('other bodies and inits behave as the real Response', async () => {
    const stream = new FastResponse(new Blob(['blob']), { statusText: 'Fine' }) as unknown as Response;
    expect(FastResponse.stateOf(stream)).toBeUndefined();
    expect(stream.statusText).toBe('Fine');
    expect(await stream.text()).toBe('blob');
  });
});

describe('through fromFetchHandler with installFastResponse()', () => {
  let base = '';
  let close: () => Promise<void>;
  let uninstall: () => void;
  const seen: string[] = [];

  beforeAll(async () => {
    uninstall = installFastResponse();
    const served = await serve(
      fromFetchHandler((req) => {
        const url = new URL(req.url);
        let response: Response;
        if (url.pathname === '/text') response = new Response('hello');
        else if (url.pathname === '/bytes')
          response = new Response(new Uint8Array([104, 105]), {
            status: 202,
            headers: [
              ['set-cookie', 'a=1'],
              ['set-cookie', 'b=2'],
              ['x-Mixed', 'v'],
            ],
          });
        else response = new Response(null, { status: 204 });
        seen.push(FastResponse.stateOf(response) === undefined ? 'real' : 'fast');
        return response;
      }),
    );
    base = served.url;
    close = served.close;
  });
  afterAll(async () => {
    uninstall();
    await close();
  });

  test('a string body goes out in one piece with its length and content type', async () => {
    const res = await request(`${base}/text`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain;charset=UTF-8');
    expect(res.headers['content-length']).toBe('5');
    expect(await res.body.text()).toBe('hello');
    expect(seen.at(-1)).toBe('fast');
  });

  test('bytes, status, lowercase headers and each set-cookie on its own', async () => {
    const res = await request(`${base}/bytes`);
    expect(res.statusCode).toBe(202);
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.headers['x-mixed']).toBe('v');
    expect(res.headers['content-type']).toBeUndefined();
    expect(await res.body.text()).toBe('hi');
    expect(seen.at(-1)).toBe('fast');
  });

  test('HEAD and null bodies send no body', async () => {
    const head = await request(`${base}/text`, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(await head.body.text()).toBe('');
    const empty = await request(`${base}/none`);
    expect(empty.statusCode).toBe(204);
    expect(await empty.body.text()).toBe('');
  });

  test('uninstalling puts the real Response back', () => {
    const again = installFastResponse();
    expect(globalThis.Response).toBe(FastResponse);
    again();
    expect(globalThis.Response).toBe(NativeResponse);
    uninstall = installFastResponse();
  });
});
