import { EventEmitter } from 'node:events';
import type { OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { H2StreamResponse } from './h2-stream-io.js';

/** A stand-in for node's stream: keeps what respond() was given. */
class FakeStream extends EventEmitter {
  responded: OutgoingHttpHeaders | undefined;
  endAfterHeaders = true;
  respond(fields: OutgoingHttpHeaders): void {
    this.responded = fields;
  }
  end(): void {}
}

/** The plain rule: fields by name in order of first appearance, a repeated name as a list. */
function expected(status: number, flat: string[]): Array<[string, unknown]> {
  const out = new Map<string, unknown>([
    [':status', status],
    ['date', undefined],
  ]);
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!;
    const value = flat[i + 1]!;
    if (name === 'connection') continue;
    const prior = out.get(name);
    if (prior === undefined) out.set(name, value);
    else if (Array.isArray(prior)) prior.push(value);
    else out.set(name, [prior, value]);
  }
  return [...out];
}

function own(fields: OutgoingHttpHeaders): Array<[string, unknown]> {
  return Object.getOwnPropertyNames(fields).map((name) => [
    name,
    Object.getOwnPropertyDescriptor(fields, name)!.value,
  ]);
}

const NAMES = [
  'content-type',
  'x-a',
  'x-b',
  'date',
  'connection',
  'constructor',
  '__proto__',
  'toString',
  'set-cookie',
];

/**
 * writeHead stores the first fields of a head from a site per place and finds repeated names by
 * comparing them (internal/field-places.ts `storeAtPlace`, `seenBefore`); the object node:http2 gets must be the
 * one the plain rule gives, for any names in any order, also past the first FIELD_PLACES fields.
 */
describe('H2StreamResponse.writeHead', () => {
  it('gives respond() the fields of the plain rule (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.string({ maxLength: 3 })), { maxLength: 40 }),
        fc.constantFrom(200, 204, 404),
        (pairs, status) => {
          const stream = new FakeStream();
          const res = new H2StreamResponse(stream as unknown as ServerHttp2Stream, false);
          const flat = pairs.flat();
          res.writeHead(status, flat);
          res.end();
          const fields = stream.responded!;
          expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
          expect(own(fields)).toEqual(expected(status, flat));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("fills node's date slot with the app's own date", () => {
    const stream = new FakeStream();
    const res = new H2StreamResponse(stream as unknown as ServerHttp2Stream, false);
    res.writeHead(200, ['x-a', '1', 'date', 'Thu, 01 Jan 1970 00:00:00 GMT']);
    res.end();
    expect(own(stream.responded!)).toEqual([
      [':status', 200],
      ['date', 'Thu, 01 Jan 1970 00:00:00 GMT'],
      ['x-a', '1'],
    ]);
  });
});
