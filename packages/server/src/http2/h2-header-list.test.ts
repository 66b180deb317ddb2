import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { h2RequestHead } from './h2-header-list.js';

/** The rule as RFC 9113 §8.3.1 / §8.2.3 state it, written plainly: the reference for the property. */
function reference(raw: string[]): { headers: Array<[string, string]>; size: number } {
  const headers: Array<[string, string]> = [];
  let authority: string | undefined;
  let size = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    size += name.length + value.length + 32;
    if (name.startsWith(':')) {
      if (name === ':authority') authority = value;
      continue;
    }
    const cookie = name === 'cookie' ? headers.find((h) => h[0] === 'cookie') : undefined;
    if (cookie !== undefined) cookie[1] = `${cookie[1]}; ${value}`;
    else headers.push([name, value]);
  }
  if (authority !== undefined && !headers.some((h) => h[0] === 'host')) headers.unshift(['host', authority]);
  return { headers, size };
}

const pseudo = fc.constantFrom(':method', ':path', ':scheme', ':authority');
const regular = fc.constantFrom('host', 'cookie', 'accept', 'content-length', 'x-a', 'user-agent');
const value = fc.string({ maxLength: 8 });

describe('h2RequestHead', () => {
  it('matches the reference: pseudo-headers out, :authority as host first unless host is sent, cookies joined', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(pseudo, value), { maxLength: 4 }),
        fc.array(fc.tuple(regular, value), { maxLength: 8 }),
        (pseudos, fields) => {
          // nghttp2 delivers every pseudo-header before the regular fields (RFC 9113 §8.3).
          const raw = [...pseudos, ...fields].flat();
          const head = h2RequestHead(raw);
          const want = reference(raw);
          expect(head.headers).toEqual(want.headers);
          expect(head.size).toBe(want.size);
        },
      ),
    );
  });

  it('puts host from :authority first, and keeps a sent host instead', () => {
    expect(h2RequestHead([':authority', 'a.test', 'accept', '*/*']).headers).toEqual([
      ['host', 'a.test'],
      ['accept', '*/*'],
    ]);
    expect(h2RequestHead([':authority', 'a.test', 'accept', '*/*', 'host', 'b.test']).headers).toEqual([
      ['accept', '*/*'],
      ['host', 'b.test'],
    ]);
    expect(h2RequestHead([':authority', 'a.test']).headers).toEqual([['host', 'a.test']]);
  });
});
