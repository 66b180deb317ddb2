import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText, encodeText } from './text-bytes.js';

describe('text bytes memo', () => {
  it('reuses the incoming bytes when the app echoes the decoded string', () => {
    const incoming = Buffer.from('héllo ✓');
    const text = decodeText(incoming);
    expect(text).toBe('héllo ✓');
    expect(encodeText(text)).toBe(incoming);
  });

  it('encodes once for a string sent to many connections', () => {
    const text = `broadcast ${Math.random()}`;
    const first = encodeText(text);
    expect(encodeText(text)).toBe(first);
    expect(first.toString('utf8')).toBe(text);
  });

  it('always yields the UTF-8 of the string asked for, whatever came before (property)', () => {
    const op = fc.oneof(
      fc.record({ decode: fc.string({ unit: 'grapheme' }) }),
      fc.record({ encode: fc.string({ unit: 'grapheme' }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), (ops) => {
        for (const o of ops) {
          if ('decode' in o) expect(decodeText(Buffer.from(o.decode))).toBe(o.decode);
          else expect(encodeText(o.encode).equals(Buffer.from(o.encode))).toBe(true);
        }
      }),
    );
  });
});
