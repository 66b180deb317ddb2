import type { Receive, Scope, Send } from '@pagi/spec';
import type { ServerContext } from './context.js';

/**
 * Calls the app for one long-lived connection so that nothing it does — a synchronous throw, a
 * rejection, a non-promise return — escapes into the event loop (protocol.md §1.4 [TS]).
 * `settled(error, threw)` runs exactly once, when the app is done.
 */
export function runApp(
  ctx: ServerContext,
  scope: Scope,
  receive: Receive,
  send: Send,
  settled: (error: unknown, threw: boolean) => void,
): void {
  let result: unknown;
  try {
    result = ctx.app(scope, receive, send);
  } catch (error) {
    settled(error, true);
    return;
  }
  Promise.resolve(result).then(
    () => settled(undefined, false),
    (error: unknown) => settled(error, true),
  );
}
