import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOP_BY_HOP_HEADERS, withoutHopByHop } from './hop-by-hop.js';
import type { HeaderList } from './types.js';

describe('withoutHopByHop (RFC 9110 §7.6.1)', () => {
  it('removes the fixed set and every field Connection lists, keeps the rest in order', () => {
    const headers: HeaderList = [
      ['host', 'a'],
      ['connection', 'keep-alive, X-Secret,  x-other '],
      ['keep-alive', 'timeout=5'],
      ['proxy-connection', 'keep-alive'],
      ['te', 'trailers'],
      ['trailer', 'x-sum'],
      ['transfer-encoding', 'chunked'],
      ['upgrade', 'h2c'],
      ['x-secret', '1'],
      ['x-other', '2'],
      ['accept', '*/*'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ];
    expect(withoutHopByHop(headers)).toEqual([
      ['host', 'a'],
      ['accept', '*/*'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
  });

  it('never returns a hop-by-hop field or a field Connection names, for any list', () => {
    const name = fc.constantFrom('connection', 'te', 'upgrade', 'x-a', 'x-b', 'accept', 'keep-alive');
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.constantFrom('x-a', 'X-B, accept', 'close', ''))), (list) => {
        const headers = list as HeaderList;
        const out = withoutHopByHop(headers);
        const listed = headers
          .filter((h) => h[0] === 'connection')
          .flatMap((h) => h[1].split(',').map((s) => s.trim().toLowerCase()));
        for (const [n] of out) {
          expect(HOP_BY_HOP_HEADERS.has(n)).toBe(false);
          expect(listed.includes(n)).toBe(false);
        }
      }),
    );
  });
});
