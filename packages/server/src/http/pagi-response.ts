import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Where a response reports its `'finish'` (set by the exchange that owns it). */
export const kFinishHook: unique symbol = Symbol('pagi.finish-hook');

/** What the response calls back once node has handed its last byte to the socket. */
export interface FinishHook {
  onFinish(): void;
}

const parentDetachSocket = ServerResponse.prototype.detachSocket;

/**
 * The `ServerResponse` class the server gives node:http (`createServer({ ServerResponse })`).
 * It tells its exchange about `'finish'` without a listener per request: adding one listener to
 * every response (next to node's own) turned the event's listener slot into an array and cost a
 * measurable share of the hello-world CPU.
 *
 * The hook is node's own `'finish'` listener (`resOnFinish` in `_http_server.js`, added to every
 * response), which lets go of the socket through `res.detachSocket(socket)` once the response is
 * complete: the exchange hears of it right after that call, so before any `'finish'` listener
 * added after node's (the server adds none to its own responses). Overriding `emit` instead funnelled
 * every event of every response through one call site, where node's `emit` was not inlined and
 * read `_events[type]` megamorphically (callgrind: ~700 instructions per request).
 * test/http/pagi-response.test.ts fails loudly if a node version stops calling it there.
 *
 * @example
 * import { createServer } from 'node:http';
 * const server = createServer({ ServerResponse: PagiServerResponse });
 */
export class PagiServerResponse<
  Request extends IncomingMessage = IncomingMessage,
> extends ServerResponse<Request> {
  // Declared, not initialised: a field initialiser would run on every response, hook or not.
  declare [kFinishHook]: FinishHook | undefined;

  override detachSocket(socket: Socket): void {
    parentDetachSocket.call(this, socket);
    this[kFinishHook]?.onFinish();
  }
}
