/** Hand-driven `receive`/`send` for the kit's unit tests (spec cannot use @pagi/test: it is below it). */
import type { ReceiveEvent, ScopeType, SendEvent } from '../../src/index.js';

/** A `send` that records every event; `gate` makes each call wait until released (backpressure). */
export function recorder<T extends ScopeType = 'http'>(gate = false) {
  const events: SendEvent<T>[] = [];
  const waiting: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send = async (event: SendEvent<T>): Promise<void> => {
    events.push(event);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (gate) await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight--;
  };
  return {
    send,
    events,
    get maxInFlight() {
      return maxInFlight;
    },
    /** Releases sends one by one until `done` settles. */
    async pump(done: Promise<unknown>): Promise<void> {
      let settled = false;
      done.then(
        () => (settled = true),
        () => (settled = true),
      );
      while (!settled) {
        waiting.shift()?.();
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}

/** A `receive` that yields `events` in order, then the last one forever. */
export function scripted<T extends ScopeType = 'http'>(events: ReceiveEvent<T>[]) {
  let i = 0;
  const calls = { count: 0 };
  const receive = async (): Promise<ReceiveEvent<T>> => {
    calls.count++;
    const e = events[Math.min(i, events.length - 1)]!;
    i++;
    return e;
  };
  return { receive, calls };
}

export function bodyText(events: { type: string; body?: unknown }[]): string {
  const parts = events
    .filter((e) => e.type === 'http.response.body' && e.body !== undefined)
    .map((e) => (typeof e.body === 'string' ? e.body : Buffer.from(e.body as Uint8Array).toString('latin1')));
  return parts.join('');
}
