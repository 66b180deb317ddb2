import type { Duplex } from 'node:stream';

/**
 * Destroys `socket` once everything written to it has been flushed (its `'finish'`), so a peer
 * that never reads cannot pin the socket open after a refusal.
 *
 * The listener returns nothing, as every listener the server adds: once any listener in the
 * process returns a value, node's `emit` hands it to `addCatch` with its argument array, and from
 * then on V8 builds that array for every event of every emitter (~1k instructions per request;
 * apps/bench/README.md, "Issue 17, session 8"). `socket.destroy()` returns the socket.
 */
export function destroyAfterFlush(socket: Duplex): void {
  socket.once('finish', destroyThis);
}

function destroyThis(this: Duplex): void {
  this.destroy();
}
