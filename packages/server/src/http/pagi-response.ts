import { type IncomingMessage, ServerResponse } from 'node:http';

/** Where a response reports its `'finish'` (set by the exchange that owns it). */
export const kFinishHook: unique symbol = Symbol('pagi.finish-hook');

/** What the response calls back once node has handed its last byte to the socket. */
export interface FinishHook {
  onFinish(): void;
}

/**
 * The `ServerResponse` class the server gives node:http (`createServer({ ServerResponse })`).
 * It tells its exchange about `'finish'` without a listener per request: adding one listener to
 * every response (next to node's own) turned the event's listener slot into an array and cost a
 * measurable share of the hello-world CPU. The hook runs after every `'finish'` listener, in the
 * same place an `on('finish')` added by the exchange would have run.
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

  override emit(event: string | symbol, ...args: unknown[]): boolean;
  // `arguments` rather than a rest parameter: node emits 'prefinish', 'finish' and 'close' on
  // every response, and a rest array (plus its spread into super.emit) would be built each time.
  override emit(event: string | symbol): boolean {
    if (event !== 'finish') {
      // biome-ignore lint/complexity/noArguments: forwarding every argument without allocating
      return arguments.length === 1 ? super.emit(event) : super.emit.apply(this, arguments as never);
    }
    // node emits 'finish' without arguments (_http_outgoing.js onFinish).
    const handled = super.emit(event);
    this[kFinishHook]?.onFinish();
    return handled;
  }
}
