import type { ChannelMessage, JsonValue } from '@pagi/spec';
import { ChannelError } from './errors.js';

// The message types are the channel-layer contract of @pagi/spec; this file gives them a wire form.
export type { ChannelMessage, JsonValue };

// Wire form, one string per message (the same for every backend, so a payload written by one
// process is read by any other): a one-character tag, then the body.
//   s<text>      a string, as is
//   b<base64>    bytes (base64 costs a third more, but keeps Redis payloads printable and the
//                pub/sub path on plain strings)
//   j<json>      any other JSON value
const TAG_STRING = 's';
const TAG_BYTES = 'b';
const TAG_JSON = 'j';

/**
 * Encodes one message to its wire string, refusing (typed) what would not survive the trip:
 * `undefined`, functions, symbols, bigints, `NaN`/`Infinity`, class instances (a `Date` would
 * silently become a string), cycles, and anything whose encoding exceeds `maxBytes` bytes of UTF-8.
 */
export function encodeMessage(message: unknown, maxBytes: number): string {
  let wire: string;
  if (typeof message === 'string') {
    wire = TAG_STRING + message;
  } else if (message instanceof Uint8Array) {
    wire = TAG_BYTES + Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString('base64');
  } else {
    assertJson(message, '$', new Set());
    wire = TAG_JSON + JSON.stringify(message);
  }
  // Cheap pre-check first: a UTF-8 encoding is never shorter than the number of code units / 1.
  if (wire.length - 1 > maxBytes || Buffer.byteLength(wire) - 1 > maxBytes) {
    throw new ChannelError(
      'PAGI_ERR_CHANNEL_MESSAGE',
      `expected a message of at most ${maxBytes} bytes encoded, got ${Buffer.byteLength(wire) - 1}`,
    );
  }
  return wire;
}

/** Decodes a wire string; `undefined` for a payload that is not ours (a foreign Redis publisher). */
export function decodeMessage(wire: string): ChannelMessage | undefined {
  const tag = wire.charCodeAt(0);
  const body = wire.slice(1);
  if (tag === 115 /* s */) return body;
  if (tag === 98 /* b */) return Buffer.from(body, 'base64');
  if (tag === 106 /* j */) {
    try {
      return JSON.parse(body) as JsonValue;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object without prototype';
  if (typeof value === 'number') return String(value);
  return typeof value;
}

function refuse(path: string, value: unknown): never {
  throw new ChannelError(
    'PAGI_ERR_CHANNEL_MESSAGE',
    `expected a string, a Uint8Array or a JSON value (null, boolean, finite number, string, array, plain object), got ${describe(value)} at ${path}`,
  );
}

function assertJson(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) refuse(path, value);
      return;
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) {
        throw new ChannelError('PAGI_ERR_CHANNEL_MESSAGE', `expected a JSON value, got a cycle at ${path}`);
      }
      seen.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) assertJson(value[i], `${path}[${i}]`, seen);
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) refuse(path, value);
        for (const key of Object.keys(value))
          assertJson((value as Record<string, unknown>)[key], `${path}.${key}`, seen);
      }
      seen.delete(value);
      return;
    }
    default:
      refuse(path, value);
  }
}
