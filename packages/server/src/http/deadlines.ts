import type { Socket } from 'node:net';
import { now } from '../internal/clock.js';

/**
 * When the socket was accepted (or its TLS handshake finished), in `performance.now()` ms: set on
 * the socket by the guard's admission, before node:http (and the request slot) see it. The slot
 * takes it over as its first {@link DeadlineSlot.readSince}.
 */
export const kReadSince: unique symbol = Symbol('pagi.readSince');
export type DeadlineSocket = Socket & { [kReadSince]?: number };

/**
 * The whole-request deadline's clock (`requestReadTimeout`, src/net/connection-guard.ts), kept on
 * the per-connection request slot, an object of our own with a fixed shape: writing it once per
 * request onto node's socket cost generic (keyed, symbol) stores on a large object that node's own
 * code also reads, measurably on the hello-world path (issue 12).
 */
export interface DeadlineSlot {
  /**
   * When the connection became ready for its current request (accept, or the end of the previous
   * response), in `performance.now()` ms; the guard's sweep reads it, so no timer is armed per
   * request.
   */
  readSince: number | undefined;
  /**
   * When the sweep first saw received bytes waiting for a busy app (the server, not the client,
   * is behind): the clock stops there, and `readSince` moves forward by the pause once the app
   * reads again, so a slow app never turns into a 408 for a fast client.
   */
  readPausedAt: number | undefined;
}

/** The connection starts waiting for its next request now. */
export function markRequestBoundary(slot: DeadlineSlot): void {
  slot.readSince = now();
  slot.readPausedAt = undefined;
}
