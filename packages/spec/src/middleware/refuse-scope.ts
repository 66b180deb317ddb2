/**
 * The answer an app that serves one connection type gives to the others: a WebSocket app asked
 * over plain HTTP (or SSE) says `426 Upgrade Required` with `Upgrade: websocket` (RFC 9110
 * §15.5.22), an SSE app asked without `Accept: text/event-stream` says `406 Not Acceptable`,
 * each in the event vocabulary of the scope it got (see {@link respond}).
 */
import type { ConnectionScope } from '../types.js';
import { respond } from './respond.js';

/**
 * Refuses a connection `scope` that is not of the `serves` type. Resolves `true` when it answered
 * (the app is done), `false` when the scope is the served type and the app should carry on.
 * A `lifespan` scope is not a connection: call this only for `http`, `websocket` and `sse`.
 *
 * @example
 * if (scope.type === 'lifespan') return; // declined
 * if (await refuseScope(scope, send, 'websocket')) return;
 */
export async function refuseScope(
  scope: ConnectionScope,
  send: (event: never) => Promise<void>,
  serves: 'websocket' | 'sse',
): Promise<boolean> {
  if (scope.type === serves) return false;
  if (serves === 'websocket') {
    await respond(scope, send, 426, {
      headers: { upgrade: 'websocket' },
      body: 'expected a WebSocket handshake',
    });
  } else {
    await respond(scope, send, 406, { body: 'expected Accept: text/event-stream' });
  }
  return true;
}
