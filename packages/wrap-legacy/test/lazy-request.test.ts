/** The lazy Request of fromFetchHandler: a real Request only when more than url/method is read. */
import { expect, test } from 'vitest';
import { lazyRequest } from '../src/internal/lazy-request.js';

function init(body?: string) {
  let builds = 0;
  const controller = new AbortController();
  return {
    get builds() {
      return builds;
    },
    lazy: {
      method: body === undefined ? 'GET' : 'POST',
      signal: controller.signal,
      build() {
        builds++;
        return body === undefined
          ? { method: 'GET', headers: { 'x-a': '1' }, signal: controller.signal }
          : { method: 'POST', headers: { 'x-a': '1' }, body, signal: controller.signal };
      },
    },
  };
}

test('url, method and signal need no real Request; instanceof holds', () => {
  const i = init();
  const request = lazyRequest('http://x.test/a?b=1', i.lazy);
  expect(request).toBeInstanceOf(Request);
  expect(request.url).toBe('http://x.test/a?b=1');
  expect(request.method).toBe('GET');
  expect(request.signal.aborted).toBe(false);
  expect(i.builds).toBe(0);
});

test('headers, body readers and clone() build the real Request once', async () => {
  const i = init('{"n":1}');
  const request = lazyRequest('http://x.test/', i.lazy);
  expect(request.headers.get('x-a')).toBe('1');
  expect(await request.json()).toEqual({ n: 1 });
  expect(request.bodyUsed).toBe(true);
  expect(i.builds).toBe(1);
});
