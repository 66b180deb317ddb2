/**
 * How a broadcast travels through the channel layer: a small JSON object naming the connection it
 * came from (so `echoSelf: false` can skip the sender, on any worker) and carrying the text, or
 * the bytes as base64. The layer decodes a message once per process; the bytes are decoded once
 * per message too (cached on the shared object), not once per subscriber.
 */
import type { ChannelMessage } from '@pagi/spec';

/** The wire form: `o` the origin connection (empty for a server-side broadcast), `t` text or `b` base64 bytes. */
export interface Broadcast {
  o: string;
  t?: string;
  b?: string;
}

export function encodeBroadcast(origin: string, message: string | Uint8Array): Broadcast {
  return typeof message === 'string'
    ? { o: origin, t: message }
    : {
        o: origin,
        b: Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString('base64'),
      };
}

const decodedBytes = new WeakMap<object, Buffer>();

/** The frame to send for `data` (a {@link Broadcast}), or undefined for anything else on the channel. */
export function decodeBroadcast(
  data: ChannelMessage,
): { origin: string; text?: string; bytes?: Buffer } | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || data instanceof Uint8Array)
    return undefined;
  const message = data as unknown as Broadcast;
  if (typeof message.o !== 'string') return undefined;
  if (typeof message.t === 'string') return { origin: message.o, text: message.t };
  if (typeof message.b !== 'string') return undefined;
  let bytes = decodedBytes.get(message);
  if (!bytes) {
    bytes = Buffer.from(message.b, 'base64');
    decodedBytes.set(message, bytes);
  }
  return { origin: message.o, bytes };
}
