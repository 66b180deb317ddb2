import type { Socket } from 'node:net';

/**
 * When the connection became ready for its current request (accept, or the end of the previous
 * response), in `performance.now()` ms: the start of the whole-request deadline
 * (`requestReadTimeout`, src/net/connection-guard.ts). One number on the socket, set once per
 * request; the guard's sweep reads it, so no timer is armed per request.
 */
export const kReadSince: unique symbol = Symbol('pagi.readSince');
/**
 * When the sweep first saw received bytes waiting for a busy app (the server, not the client, is
 * behind): the clock stops there, and `kReadSince` moves forward by the pause once the app reads
 * again, so a slow app never turns into a 408 for a fast client.
 */
export const kReadPausedAt: unique symbol = Symbol('pagi.readPausedAt');
export type DeadlineSocket = Socket & { [kReadSince]?: number; [kReadPausedAt]?: number };

/** The connection starts waiting for its next request now. */
export function markRequestBoundary(socket: Socket): void {
  (socket as DeadlineSocket)[kReadSince] = performance.now();
  (socket as DeadlineSocket)[kReadPausedAt] = undefined;
}
