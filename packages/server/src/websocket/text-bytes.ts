import { Buffer } from 'node:buffer';

/**
 * UTF-8 bytes for outgoing text messages, remembering the last string seen in either direction.
 *
 * Two common shapes send a string whose bytes the server already holds: an echo or relay sends
 * the very string it just decoded from an incoming message, and a broadcast sends one string to
 * many connections. Keeping one (string, bytes) pair for the whole process lets both skip the
 * re-encode, and handing `ws` a Buffer instead of a string keeps node's `writev` on its
 * all-buffers path (a string chunk makes it walk every chunk through the C++ API).
 *
 * Safe to share: strings are immutable, and the remembered bytes are never handed to the app
 * (an incoming text message reaches the app only as a string). `ws` does not modify the data of
 * an unmasked (server-side) frame. One entry, so at most one message stays referenced.
 */
let lastText: string | undefined;
let lastBytes: Buffer | undefined;

/** Decodes an incoming text message (already UTF-8-validated by `ws`) and remembers its bytes. */
export function decodeText(data: Buffer): string {
  const text = data.toString('utf8');
  lastText = text;
  lastBytes = data;
  return text;
}

/** The UTF-8 bytes of `text`, reused when it is the string seen last. */
export function encodeText(text: string): Buffer {
  if (text === lastText && lastBytes !== undefined) {
    // An equal but distinct string (a relay that re-decoded the message, e.g. from a channel's
    // wire format): remember this one, so the next sends of it compare by pointer, not by content.
    lastText = text;
    return lastBytes;
  }
  const bytes = Buffer.from(text, 'utf8');
  lastText = text;
  lastBytes = bytes;
  return bytes;
}
