import type { Socket } from 'node:net';

/** What a connection slot needs from the request running on it (implemented by HttpExchange). */
export interface SlotExchange {
  appSettledWith(error: unknown, threw: boolean): void;
}

/** The per-socket bookkeeping the exchange reports back to (see request-handler.ts). */
export interface ConnectionSlot {
  readonly socket: Socket;
  current: SlotExchange | undefined;
  /** Set once the connection must not serve another request (backstop, limit, shutdown). */
  closeAfter: boolean;
  client: [string, number] | undefined;
  server: [string, number] | [string, null] | undefined;
  done(exchange: SlotExchange): void;
  /**
   * Settlement handlers for the running app's promise, made once per connection: while an app
   * runs, its exchange is `current` (the slot moves on only after the app settled), so they
   * reach the right exchange without two closures per request.
   */
  readonly appFulfilled: () => void;
  readonly appRejected: (error: unknown) => void;
}
