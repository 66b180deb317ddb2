import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBasicCredentials, parseBearerToken } from './authorization.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('parseBasicCredentials (RFC 7617)', () => {
  it('parses credentials; scheme any case; splits at the first colon; UTF-8', () => {
    expect(parseBasicCredentials('Basic YWxhZGRpbjpvcGVuc2VzYW1l')).toEqual({
      username: 'aladdin',
      password: 'opensesame',
    });
    expect(parseBasicCredentials(`bAsIc ${b64('a:b:c')}`)).toEqual({ username: 'a', password: 'b:c' });
    expect(parseBasicCredentials(`Basic ${b64('jörg:pässword')}`)).toEqual({
      username: 'jörg',
      password: 'pässword',
    });
    expect(parseBasicCredentials(`Basic ${b64('u:')}`)).toEqual({ username: 'u', password: '' });
  });

  it('refuses everything else', () => {
    for (const bad of [
      undefined,
      '',
      'Basic',
      'Basic ',
      'Bearer abc',
      `Basic ${b64('nocolon')}`,
      'Basic !!!!',
      'Basic YWJj', // 'abc': no colon
      'Basic YW=jOmQ=', // padding in the middle
      `Basic ${b64('a:b')}\r\nx`,
      `Basic ${b64('a:b\u0000')}`,
      `Basic ${b64('a\u001b:b')}`,
      `Basic ${Buffer.from([0x61, 0x3a, 0xff]).toString('base64')}`, // not UTF-8
      `Basic ${'A'.repeat(5000)}`,
      `Basic\t${b64('a:b')}`,
    ]) {
      expect(parseBasicCredentials(bad), String(bad)).toBeUndefined();
    }
  });

  it('never throws on arbitrary input, and round-trips any colon-free user', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        parseBasicCredentials(s);
        parseBasicCredentials(`Basic ${s}`);
      }),
    );
    fc.assert(
      fc.property(
        fc.string().filter((u) => !u.includes(':') && !/[\u0000-\u001f\u007f]/.test(u)),
        fc.string().filter((p) => !/[\u0000-\u001f\u007f]/.test(p)),
        (username, password) => {
          expect(parseBasicCredentials(`Basic ${b64(`${username}:${password}`)}`)).toEqual({
            username,
            password,
          });
        },
      ),
    );
  });
});

describe('parseBearerToken (RFC 6750 §2.1)', () => {
  it('returns the b64token; the scheme in any case; padding only at the end', () => {
    expect(parseBearerToken('Bearer mF_9.B5f-4.1JqM')).toBe('mF_9.B5f-4.1JqM');
    expect(parseBearerToken('bEaReR abc~+/==')).toBe('abc~+/==');
    expect(parseBearerToken('Bearer   spaced ')).toBe('spaced');
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_-nature';
    expect(parseBearerToken(`Bearer ${jwt}`)).toBe(jwt);
  });

  it('refuses other schemes, empty tokens, characters outside b64token, auth-params, huge values', () => {
    for (const bad of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Basic abc',
      'Bearerabc',
      'Bearer a b',
      'Bearer a,b',
      'Bearer "abc"',
      'Bearer a=b',
      'Bearer realm="x", token=abc',
      'Bearer abc\r\nX-Injected: 1',
      'Bearer\tabc',
      'Bearer ä',
      `Bearer ${'a'.repeat(9000)}`,
    ]) {
      expect(parseBearerToken(bad), String(bad)).toBeUndefined();
    }
  });

  it('never throws, and round-trips every b64token', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        parseBearerToken(s);
        parseBearerToken(`Bearer ${s}`);
      }),
    );
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/'.split('');
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...chars), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 0, max: 3 }),
        (body, pad) => {
          const token = body.join('') + '='.repeat(pad);
          expect(parseBearerToken(`Bearer ${token}`)).toBe(token);
        },
      ),
    );
  });
});
