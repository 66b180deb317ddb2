import { describe, expect, it } from 'vitest';
import { CookieJar } from './cookie-jar.js';

const at = (path: string, host = 'testserver', secure = false) => ({ host, path, secure });

describe('CookieJar (RFC 6265 rules)', () => {
  it('keeps a host-only cookie to its exact host, a Domain cookie also to subdomains', () => {
    const jar = new CookieJar('example.com');
    jar.storeFrom(['host=1', 'dom=2; Domain=.Example.com'], at('/', 'example.com'));
    expect(jar.headerFor(at('/', 'example.com'))).toBe('host=1; dom=2');
    expect(jar.headerFor(at('/', 'api.example.com'))).toBe('dom=2');
    expect(jar.headerFor(at('/', 'notexample.com'))).toBeUndefined();
  });

  it('ignores a Domain the request host does not domain-match', () => {
    const jar = new CookieJar('testserver');
    jar.storeFrom(['evil=1; Domain=other.example'], at('/'));
    expect(jar.all()).toEqual([]);
  });

  it('path-matches, defaults the path to the request directory, and sends longer paths first', () => {
    const jar = new CookieJar('testserver');
    jar.storeFrom(['root=r; Path=/', 'deep=d; Path=/api/v1'], at('/'));
    jar.storeFrom(['dflt=x'], at('/shop/cart'));
    expect(jar.all().find((c) => c.name === 'dflt')?.path).toBe('/shop');
    expect(jar.headerFor(at('/api/v1/users'))).toBe('deep=d; root=r');
    expect(jar.headerFor(at('/api/v10'))).toBe('root=r');
    expect(jar.headerFor(at('/shop'))).toBe('dflt=x; root=r');
    expect(jar.headerFor(at('/shopping'))).toBe('root=r');
  });

  it('deletes on Max-Age=0 or a past Expires, and expires on time', () => {
    let now = 1_000_000;
    const jar = new CookieJar('testserver', () => now);
    jar.storeFrom(['a=1', 'b=2', 'c=3; Max-Age=10'], at('/'));
    jar.storeFrom(['a=; Max-Age=0', 'b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT'], at('/'));
    expect(jar.toJSON()).toEqual({ c: '3' });
    now += 10_001;
    expect(jar.headerFor(at('/'))).toBeUndefined();
  });

  it('Max-Age wins over Expires', () => {
    const jar = new CookieJar('testserver');
    jar.storeFrom(['a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60'], at('/'));
    expect(jar.get('a')).toBe('1');
  });

  it('stores and sends Secure cookies only over https; keeps HttpOnly', () => {
    const jar = new CookieJar('testserver');
    jar.storeFrom(['s=1; Secure'], at('/'));
    expect(jar.all()).toEqual([]);
    jar.storeFrom(['s=1; Secure; HttpOnly'], at('/', 'testserver', true));
    expect(jar.headerFor(at('/'))).toBeUndefined();
    expect(jar.headerFor(at('/', 'testserver', true))).toBe('s=1');
    expect(jar.all()[0]).toMatchObject({ secure: true, httpOnly: true });
  });

  it('replaces a cookie with the same name, domain and path; keeps the raw value', () => {
    const jar = new CookieJar('testserver');
    jar.storeFrom(['a=%20x', 'a=two'], at('/'));
    jar.storeFrom(['a=p; Path=/p'], at('/'));
    expect(jar.all().map((c) => [c.value, c.path])).toEqual([
      ['two', '/'],
      ['p', '/p'],
    ]);
    jar.storeFrom(['b=%20x'], at('/'));
    expect(jar.get('b')).toBe('%20x');
  });

  it('set / get / delete / clear', () => {
    const jar = new CookieJar('testserver');
    jar.set('a', '1');
    jar.set('b', '2', { path: '/x', domain: 'testserver' });
    expect(jar.headerFor(at('/x/y'))).toBe('b=2; a=1');
    jar.delete('a');
    expect(jar.toJSON()).toEqual({ b: '2' });
    jar.clear();
    expect(jar.all()).toEqual([]);
  });
});
