import { EventStream } from '@pagi/helpers';
import { roomOf } from './room-of.mjs';

/**
 * `SSE /events`: a `tick` event with the server time (ISO 8601) right away and then every
 * `tickInterval` ms, plus `join`/`leave` events (`{ name, online }`) as chat members come and
 * go. The stream ends when the client leaves or the server shuts down.
 *
 * @example
 * router.sse('/events', clockStream({ tickInterval: 1000 }));
 */
export function clockStream({ tickInterval = 1000 } = {}) {
  return async function clock(scope, receive, send) {
    const room = roomOf(scope);
    const sse = new EventStream(scope, receive, send);
    await sse.start({ headers: { 'cache-control': 'no-store' } });

    // Timer ticks and room events arrive independently; chaining the sends keeps them in order
    // and never has two in flight. A send failing because the client left ends the chain's use.
    let queue = Promise.resolve();
    const push = (message) => {
      queue = queue.then(() => (sse.isConnected ? sse.send(message) : undefined)).catch(() => {});
    };
    const tick = () => push({ event: 'tick', data: new Date().toISOString() });
    const unsubscribe = room.subscribe((event) =>
      push({ event: event.type, data: JSON.stringify({ name: event.name, online: event.online }) }),
    );
    const timer = setInterval(tick, tickInterval);
    tick();
    try {
      await sse.disconnected;
    } finally {
      clearInterval(timer);
      unsubscribe();
      await queue;
    }
  };
}
