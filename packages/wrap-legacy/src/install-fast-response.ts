import { FastResponse, NativeResponse } from './internal/fast-response.js';

let installed: typeof Response | undefined;
/** The undo function ran: fromFetchHandler's default does not put the lightweight one back. */
let uninstalledByUser = false;

/**
 * Replaces `globalThis.Response` with a lightweight subclass (as @hono/node-server does) so that
 * fetch handlers behind {@link fromFetchHandler} answer without building web streams: a
 * `new Response('text')` with a string, `Uint8Array` or null body is sent as one
 * `http.response.body` event; anything else behaves as the real Response, built on first use.
 *
 * It changes a global for the whole process: every `new Response(...)` anywhere gets the
 * lightweight kind (`instanceof Response`, status, headers, body and the body methods behave the
 * same; `Object.getPrototypeOf(r)` and `r.constructor` differ). `fromFetchHandler` does it by
 * default (as `@hono/node-server` does with its own class; `overrideGlobalResponse: false` opts
 * out); call it yourself to have it before any handler is built. Returns a function that puts the
 * original back.
 */
export function installFastResponse(): () => void {
  uninstalledByUser = false;
  if (installed === undefined) {
    installed = globalThis.Response;
    globalThis.Response = FastResponse as unknown as typeof Response;
  }
  return uninstallFastResponse;
}

function uninstallFastResponse(): void {
  if (installed === undefined) return;
  uninstalledByUser = true;
  globalThis.Response = installed;
  installed = undefined;
}

/**
 * fromFetchHandler's default: {@link installFastResponse} while `globalThis.Response` is still the
 * runtime's own. A Response someone else installed (another adapter's, a polyfill) is left alone,
 * and so is the native one after an explicit uninstall.
 */
export function installFastResponseByDefault(): void {
  if (installed === undefined && !uninstalledByUser && globalThis.Response === NativeResponse)
    installFastResponse();
}
