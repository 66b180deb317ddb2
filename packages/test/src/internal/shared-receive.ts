/**
 * Wraps an event producer into a `receive()` that follows D-15: while one call is pending, further
 * calls get that same promise, so an app racing `receive()` against a timer never loses an event.
 */
export function sharedReceive<E>(produce: () => Promise<E>): () => Promise<E> {
  let pending: Promise<E> | undefined;
  return () => {
    if (pending) return pending;
    const p = produce();
    pending = p;
    // Registered before the app's own continuation, so `pending` is cleared by the time the app
    // can call receive() again: a settled promise is never handed out twice.
    const clear = () => {
      if (pending === p) pending = undefined;
    };
    p.then(clear, clear);
    return p;
  };
}
