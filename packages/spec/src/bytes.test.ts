import { describe, expect, it } from 'vitest';
import { toBytes } from './bytes.js';

describe('toBytes', () => {
  it('encodes strings as UTF-8', () => {
    expect(Array.from(toBytes('hé'))).toEqual([0x68, 0xc3, 0xa9]);
    expect(toBytes('😀').byteLength).toBe(4);
  });

  it('returns an empty array for undefined and the empty string', () => {
    expect(toBytes(undefined).byteLength).toBe(0);
    expect(toBytes('').byteLength).toBe(0);
  });

  it('returns bytes as they are, without copying', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(toBytes(bytes)).toBe(bytes);
    const buffer = Buffer.from('x');
    expect(toBytes(buffer)).toBe(buffer);
  });
});
