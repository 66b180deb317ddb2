import type { DeadlineSlot } from '../http/deadlines.js';

/**
 * The whole-request deadline's clock (`requestReadTimeout`), one rule for HTTP/1.x connections
 * (src/net/connection-guard.ts) and HTTP/2 streams (src/http2/h2-deadlines.ts), read by their
 * sweeps: true once `limit` ms of waiting on the client have passed since `slot.readSince` (the
 * clock is then spent, so it fires once). While received body bytes wait for the app
 * (`readableLength > 0`) the server, not the client, is behind: the clock stops there (to the
 * sweep's granularity) and resumes, shifted by the pause, once the app reads again. A slot the
 * sweep sees for the first time starts its clock now.
 */
export function readDeadlinePassed(
  slot: DeadlineSlot,
  req: { readonly readableLength: number } | undefined,
  now: number,
  limit: number,
): boolean {
  if (req !== undefined && req.readableLength > 0) {
    slot.readPausedAt ??= now;
    return false;
  }
  const pausedAt = slot.readPausedAt;
  if (pausedAt !== undefined) {
    slot.readPausedAt = undefined;
    if (slot.readSince !== undefined) slot.readSince += now - pausedAt;
  }
  const since = slot.readSince;
  if (since === undefined) {
    slot.readSince = now;
    return false;
  }
  if (now - since < limit) return false;
  slot.readSince = Number.POSITIVE_INFINITY; // fires once
  return true;
}
