/** fetchUrl and requestMethod agree with what the real `Request` constructor makes of a scope. */
import { describe, expect, test } from 'vitest';
import { canonicalOrigin, fetchUrl as fetchUrlFrom, requestUrl } from '../src/internal/fetch-url.js';

/** The bridge's two steps: the origin (memoised per host by originOf), then the target. */
function fetchUrl(origin: string, target: string): string | undefined {
  const canonical = canonicalOrigin(origin);
  return canonical === undefined ? undefined : fetchUrlFrom(canonical, target);
}
import { requestMethod } from '../src/internal/request-method.js';

function realUrl(url: string): string | undefined {
  try {
    return new Request(url).url;
  } catch {
    return undefined;
  }
}

/** Every printable ASCII character, a few controls and non-ASCII, in the places they behave differently. */
function targets(): string[] {
  const chars: string[] = ['\t', '\x7f', 'é', '€', '%', '%2e', '%2E', '.', '..'];
  for (let c = 0x20; c < 0x7f; c++) chars.push(String.fromCharCode(c));
  const out: string[] = [
    '/',
    '/a/b?c=d&e=%20f',
    '/a/./b',
    '/a/../b',
    '/..',
    '/.',
    '/a/%2e%2E/b',
    '/a/.%2e?x=/..',
  ];
  for (const c of chars) out.push(`/a${c}b`, `/a/${c}`, `/${c}/x`, `/a?${c}`, `/a?q=${c}/..`, `/${c}${c}/`);
  return out;
}

describe('fetchUrl', () => {
  test.each(['http://x.test', 'https://x.test:8443', 'http://127.0.0.1:3000', 'http://[::1]:8080'])(
    'gives the real Request url for every target under %s',
    (origin) => {
      for (const target of targets()) {
        const real = realUrl(origin + target);
        // Every target here starts with '/' and the host is plain: the real Request exists.
        expect(real, target).toBeDefined();
        expect(fetchUrl(origin, target), JSON.stringify(target)).toBe(real);
      }
    },
  );

  test('a plain target is used as it is (no URL parse on the common path)', () => {
    const target = '/api/users/42?sort=name&page=2';
    expect(fetchUrl('http://x.test', target)).toBe(`http://x.test${target}`);
  });

  test('the host is serialised as the parser does: lowercase, default port dropped', () => {
    expect(fetchUrl('http://X.Test:80', '/a')).toBe('http://x.test/a');
    expect(fetchUrl('https://x.test:443', '/a')).toBe('https://x.test/a');
  });

  test.each([
    ['http://evil.test/admin?', '/public'],
    ['http://evil.test#', '/public'],
    ['http://u@evil.test', '/'],
    ['http://a b', '/'],
    ['http://a:99999', '/'],
    ['http://x.test/', '/'],
    ['http://x.test', '*'],
    ['http://x.test', ''],
    ['http://x.test', 'a/b'],
  ])('%j + %j is refused (undefined)', (origin, target) => {
    expect(fetchUrl(origin, target)).toBeUndefined();
  });
});

describe('requestMethod', () => {
  test('agrees with new Request() for every method the real constructor is given', () => {
    const methods = ['GET', 'get', 'Get', 'HEAD', 'head', 'POST', 'post', 'PUT', 'put', 'DELETE', 'delete'];
    methods.push('OPTIONS', 'options', 'PATCH', 'patch', 'QUERY', 'query', 'PROPFIND', 'M-SEARCH');
    methods.push(
      'CONNECT',
      'connect',
      'TRACE',
      'trace',
      'TRACK',
      'track',
      'tRaCk',
      '',
      ' GET',
      'GET ',
      'G\0T',
    );
    for (let c = 0; c < 0x80; c++) methods.push(`X${String.fromCharCode(c)}`);
    for (const method of methods) {
      let real: string | undefined;
      try {
        real = new Request('http://x.test/', { method }).method;
      } catch {
        real = undefined;
      }
      const ours = requestMethod(method);
      if (real === undefined) expect(typeof ours, JSON.stringify(method)).toBe('number');
      else expect(ours, JSON.stringify(method)).toBe(real);
    }
  });
});

describe('requestUrl (the last URL remembered)', () => {
  test('gives what fetchUrl gives, whatever changed since the call before', () => {
    const origins = ['http://x.test', 'https://y.test:8443'];
    const cases: [string, string, string][] = [];
    for (const origin of origins)
      for (const [path, query] of [
        ['/a', ''],
        ['/a', ''],
        ['/a', 'b=1'],
        ['/a', 'b=1'],
        ['/a/../b', ''],
        ['/a/../b', ''],
        ['/a', ''],
      ] as const)
        cases.push([origin, path, query]);
    // Each case after each other case: the memo of the one before never leaks into the next.
    for (const [o1, p1, q1] of cases)
      for (const [o2, p2, q2] of cases) {
        requestUrl(o1, p1, q1);
        expect(requestUrl(o2, p2, q2)).toBe(fetchUrlFrom(o2, q2 === '' ? p2 : `${p2}?${q2}`));
      }
  });

  test('a refused target stays refused when asked again', () => {
    expect(requestUrl('http://x.test', '*', '')).toBeUndefined();
    expect(requestUrl('http://x.test', '*', '')).toBeUndefined();
    expect(requestUrl('http://x.test', '/ok', '')).toBe('http://x.test/ok');
  });
});
