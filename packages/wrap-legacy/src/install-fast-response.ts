import { FastResponse } from './internal/fast-response.js';

let installed: typeof Response | undefined;

/**
 * Replaces `globalThis.Response` with a lightweight subclass (as @hono/node-server does) so that
 * fetch handlers behind {@link fromFetchHandler} answer without building web streams: a
 * `new Response('text')` with a string, `Uint8Array` or null body is sent as one
 * `http.response.body` event; anything else behaves as the real Response, built on first use.
 *
 * Opt-in because it changes a global for the whole process: every `new Response(...)` anywhere
 * gets the lightweight kind (`instanceof Response`, status, headers, body and the body methods
 * behave the same; `Object.getPrototypeOf(r)` and `r.constructor` differ). Call it once at start-up,
 * before the handlers run. Returns a function that puts the original back.
 */
export function installFastResponse(): () => void {
  if (installed === undefined) {
    installed = globalThis.Response;
    globalThis.Response = FastResponse as unknown as typeof Response;
  }
  return uninstallFastResponse;
}

function uninstallFastResponse(): void {
  if (installed === undefined) return;
  globalThis.Response = installed;
  installed = undefined;
}
