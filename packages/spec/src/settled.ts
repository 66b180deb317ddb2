/**
 * One shared, already-fulfilled promise: what a `send()` returns when it finished its work
 * synchronously. Servers, the test client and pass-through wrappers hand back this exact object
 * instead of a fresh resolved promise, so a caller can tell "nothing to wait for" by identity.
 */

/**
 * A `send()` that finished its work synchronously may return this exact object; a caller that
 * sees it (`p === SETTLED`) may go on without awaiting it, which is equivalent to awaiting an
 * already-fulfilled promise except for one microtask turn.
 *
 * Only identity carries the meaning: any other promise (a wrapper's own, a pending one, a
 * rejected one) must be awaited as usual, and a `send()` may always return another promise. A
 * wrapper that returns the inner `send()`'s promise (`return send(event)`) passes it on. Never
 * add properties to it or chain on it to change it: it is shared by every caller in the process.
 *
 * @example
 * const p = send(start);
 * return p === SETTLED ? send(body) : p.then(() => send(body));
 */
export const SETTLED: Promise<void> = Promise.resolve();
