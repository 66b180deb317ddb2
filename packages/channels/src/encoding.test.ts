import fc from 'fast-check';
import { isPagiError } from '@pagi/spec';
import { expect, test } from 'vitest';
import { decodeMessage, encodeMessage } from './encoding.js';

const LIMIT = 1 << 20;

test('every string, byte array and JSON value survives encode → decode with its kind', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.jsonValue(), fc.uint8Array()), (message) => {
      const decoded = decodeMessage(encodeMessage(message, LIMIT));
      if (message instanceof Uint8Array) {
        expect(Buffer.isBuffer(decoded)).toBe(true);
        expect([...(decoded as Buffer)]).toEqual([...message]);
      } else {
        // -0 becomes 0 through JSON, as it would over any JSON transport.
        expect(decoded).toEqual(JSON.parse(JSON.stringify(message)));
      }
    }),
  );
});

test('a string that looks like JSON stays a string', () => {
  expect(decodeMessage(encodeMessage('{"a":1}', LIMIT))).toBe('{"a":1}');
  expect(decodeMessage(encodeMessage('', LIMIT))).toBe('');
});

test('a byte view into a larger buffer encodes only its own bytes', () => {
  const backing = new Uint8Array([1, 2, 3, 4, 5]);
  expect([...(decodeMessage(encodeMessage(backing.subarray(1, 3), LIMIT)) as Buffer)]).toEqual([2, 3]);
});

test('the size limit counts UTF-8 bytes of the encoding', () => {
  expect(() => encodeMessage('é'.repeat(3), 6)).not.toThrow();
  const error = (() => {
    try {
      encodeMessage('é'.repeat(4), 6);
    } catch (e) {
      return e;
    }
  })();
  expect(isPagiError(error) && error.code).toBe('PAGI_ERR_CHANNEL_MESSAGE');
});

test('payloads not written by a channel layer decode to undefined, never throw', () => {
  fc.assert(
    fc.property(fc.string(), (raw) => {
      const decoded = decodeMessage(`x${raw}`);
      expect(decoded).toBeUndefined();
    }),
  );
  expect(decodeMessage('j{not json')).toBeUndefined();
  expect(decodeMessage('')).toBeUndefined();
});
