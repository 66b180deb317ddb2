import type { Receive, Scope, Send } from '@pagi/spec';
import type { ServerContext } from './context.js';

/** What {@link runApp} reports to when the app is done. */
export interface AppOwner {
  /** Runs exactly once: `threw` is true for a synchronous throw or a rejection. */
  appSettled(error: unknown, threw: boolean): void;
}

/**
 * Calls the app for one long-lived connection so that nothing it does — a synchronous throw, a
 * rejection, a non-promise return — escapes into the event loop (protocol.md §1.4 [TS]).
 *
 * The app's promise is watched by a tiny async function rather than `.then(onFulfilled,
 * onRejected)`: while an app sits idle in `await receive()` for hours, its watcher is one small
 * suspended frame (two registers), not two settlement closures with their context (memory per
 * idle connection, apps/bench/ws-conn-scale.mjs).
 */
export function runApp(
  ctx: ServerContext,
  scope: Scope,
  receive: Receive,
  send: Send,
  owner: AppOwner,
): void {
  let result: unknown;
  try {
    result = ctx.app(scope, receive, send);
  } catch (error) {
    owner.appSettled(error, true);
    return;
  }
  void watch(result, owner);
}

async function watch(result: unknown, owner: AppOwner): Promise<void> {
  try {
    await result;
  } catch (error) {
    owner.appSettled(error, true);
    return;
  }
  owner.appSettled(undefined, false);
}
