import { EventEmitter } from 'node:events';

/**
 * Finding server-side listeners that return a value. node's `emit` passes a listener's non-nullish
 * result to `addCatch` together with its argument array; once that has happened anywhere in the
 * process, V8 compiles `emit` to build that array for every event of every emitter (~1k
 * instructions per request, apps/bench/README.md "Issue 17, session 8").
 */
const realEmit = EventEmitter.prototype.emit;

/** Emitters on the server's side of a connection (client sockets have no `server`). */
function serverSide(emitter: object): boolean {
  const name = emitter.constructor?.name ?? '';
  if (name.startsWith('Client')) return false;
  if (name === 'Socket' || name === 'TLSSocket') return (emitter as { server?: unknown }).server != null;
  return true;
}

/** Replaces `emit` with one that calls each listener itself and notes the ones returning a value. */
export function watchResults(found: Set<string>): void {
  EventEmitter.prototype.emit = function emit(this: EventEmitter, type: string | symbol, ...args: unknown[]) {
    const events = (this as unknown as { _events?: Record<string | symbol, unknown> })._events;
    const handler = events?.[type];
    if (handler === undefined || !serverSide(this)) return realEmit.call(this, type, ...args);
    const listeners = (typeof handler === 'function' ? [handler] : [...(handler as unknown[])]) as Array<
      (...a: unknown[]) => unknown
    >;
    for (const listener of listeners) {
      const result = listener.apply(this, args);
      if (result !== undefined && result !== null) {
        // A `once` listener sits in a bound wrapper; name the function it wraps.
        const own = (listener as { listener?: unknown }).listener ?? listener;
        found.add(`${this.constructor.name} '${String(type)}': ${String(own).slice(0, 80)}`);
      }
    }
    return true;
  } as typeof realEmit;
}

/** Puts node's own `emit` back. */
export function unwatchResults(): void {
  EventEmitter.prototype.emit = realEmit;
}
