import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHandshake, subprotocolsOf } from './handshake-check.js';

function request(method: string, raw: string[]): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    headers[name] = headers[name] === undefined ? raw[i + 1]! : `${headers[name]}, ${raw[i + 1]}`;
  }
  return { method, rawHeaders: raw, headers } as unknown as IncomingMessage;
}

const GOOD = [
  'Upgrade',
  'websocket',
  'Sec-WebSocket-Key',
  'dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version',
  '13',
];
const token = fc.stringMatching(/^[a-z0-9.!#$%&'*+^_`|~-]{1,12}$/);

describe('checkHandshake', () => {
  it('accepts a well-formed RFC 6455 request', () => {
    expect(checkHandshake(request('GET', GOOD))).toBeUndefined();
  });

  it('answers 426 with the supported version to another version', () => {
    const raw = [...GOOD.slice(0, 4), 'Sec-WebSocket-Version', '8'];
    expect(checkHandshake(request('GET', raw))).toMatchObject({
      status: 426,
      headers: [['sec-websocket-version', '13']],
    });
  });

  it.each([
    ['POST', GOOD],
    ['GET', ['Upgrade', 'h2c', ...GOOD.slice(2)]],
    ['GET', [...GOOD.slice(0, 2), 'Sec-WebSocket-Key', 'not-a-key', ...GOOD.slice(4)]],
    ['GET', [...GOOD, 'Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==']],
    ['GET', [...GOOD, 'Sec-WebSocket-Protocol', 'a b']],
  ])('answers 400 to a %s with a bad request (%#)', (method, raw) => {
    expect(checkHandshake(request(method, raw))?.status).toBe(400);
  });
});

describe('subprotocolsOf', () => {
  it('merges every line, splits on commas and trims', () => {
    const raw = ['Sec-WebSocket-Protocol', ' chat ,superchat', 'sec-websocket-protocol', 'v2,'];
    expect(subprotocolsOf(request('GET', raw))).toEqual(['chat', 'superchat', 'v2']);
    expect(subprotocolsOf(request('GET', []))).toEqual([]);
  });

  it('round-trips any list of distinct tokens spread over any number of lines', () => {
    fc.assert(
      fc.property(fc.uniqueArray(token, { maxLength: 8 }), fc.integer({ min: 1, max: 3 }), (names, lines) => {
        const raw: string[] = [];
        for (let l = 0; l < lines; l++) {
          const part = names.filter((_, i) => i % lines === l);
          if (part.length > 0) raw.push('Sec-WebSocket-Protocol', part.join(' , '));
        }
        const expected = [...Array(lines).keys()].flatMap((l) => names.filter((_, i) => i % lines === l));
        expect(subprotocolsOf(request('GET', raw))).toEqual(expected);
      }),
    );
  });

  it('never throws, and refuses (undefined) anything with a non-token or a repeat', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 3 }), (lines) => {
        const raw = lines.flatMap((line) => ['Sec-WebSocket-Protocol', line]);
        const result = subprotocolsOf(request('GET', raw));
        if (result !== undefined) {
          expect(new Set(result).size).toBe(result.length);
          for (const name of result) expect(name).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
        }
      }),
    );
  });
});
