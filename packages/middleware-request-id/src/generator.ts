/**
 * The default request ID generator: UUID-shaped (RFC 9562 version 8, the layout the RFC leaves to
 * the implementer, §5.8), made from a per-generator random prefix and a scrambled counter instead
 * of 122 fresh random bits per ID. `crypto.randomUUID` builds each ID's 36 characters by joining
 * 16 hex pairs (~2k instructions); here a request costs a few multiplications and four table
 * lookups.
 *
 * Layout: the first 80 bits (version and variant bits aside) are random, drawn once per 2^32 IDs;
 * the last 32 bits are the counter through a keyed bijection (XOR with a random key, then
 * murmur3's `fmix32`, whose xor-shifts and odd multiplications are each invertible on 32 bits).
 * So within one prefix no two counters give the same ID, and a new prefix is drawn before the
 * counter repeats; two processes (cluster workers, restarts) collide only if their 80 random
 * bits do. The scrambling keeps consecutive IDs from showing how many requests the process
 * served; it is not a cipher. Request IDs are correlation labels, not secrets (as Fastify's
 * `req-1`, `req-2`… and hyperid's UUID-plus-counter are): apps that need unpredictable IDs pass
 * `generator: crypto.randomUUID`.
 */
import { randomBytes } from 'node:crypto';

/** Two lowercase hex digits per byte value. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A generator of UUID-shaped (version 8) request IDs. `period` (IDs per random prefix, default
 * 2^32, the counter's range) is lowered only by tests, to see the prefix change.
 */
export function counterIdGenerator(period = 2 ** 32): () => string {
  // The int32 counter is back at `period | 0` after `period` IDs (for 2^32: back at 0).
  const wrap = period | 0;
  let prefix = '';
  let key = 0;
  let count = 0;

  /** A new random prefix and key (once at first, then each time the counter has run its range). */
  const draw = (): void => {
    const bytes = randomBytes(14);
    bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8 (RFC 9562 §5.8)
    bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10
    const h = bytes.toString('hex');
    // Joined, not concatenated: one flat string, prepended to every ID.
    prefix = [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20, 24)].join('-');
    key = bytes.readInt32LE(10);
  };
  draw();

  return function counterId(): string {
    let x = count ^ key;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    x ^= x >>> 16;
    // The 8 digits first (short strings are copied flat), then one join onto the prefix.
    const id =
      prefix + (HEX[(x >>> 24) & 255]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!);
    count = (count + 1) | 0;
    if (count === wrap) {
      count = 0;
      draw();
    }
    return id;
  };
}
