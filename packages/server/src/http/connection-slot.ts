import type { Socket } from 'node:net';
import type { MeasuredWritable } from '../internal/transport-state.js';

/** What a connection slot needs from the request running on it (implemented by HttpExchange). */
export interface SlotExchange {
  appSettledWith(error: unknown, threw: boolean): void;
}

/**
 * The bookkeeping an exchange reports back to: per connection for HTTP/1.x (request-handler.ts),
 * per stream for HTTP/2 (http2/stream-slot.ts).
 */
export interface ConnectionSlot {
  /** The TCP/TLS socket the request came over (addresses, TLS details, Nagle). */
  readonly socket: Socket;
  /** The writable whose queue is the request's backpressure (HTTP/1.x: the socket; HTTP/2: the stream). */
  readonly writable: MeasuredWritable;
  current: SlotExchange | undefined;
  /** Set once the connection must not serve another request (backstop, limit, shutdown). */
  closeAfter: boolean;
  client: [string, number] | undefined;
  server: [string, number] | [string, null] | undefined;
  done(exchange: SlotExchange): void;
  /** Drops the request's carrier now (HTTP/1.x: destroys the socket; HTTP/2: resets the stream). */
  cut(): void;
  /**
   * Cuts a started response short so the client sees it incomplete: HTTP/1.x flushes what was
   * written and closes the connection without framing an end; HTTP/2 resets the stream with
   * INTERNAL_ERROR.
   */
  cutStarted(): void;
  /**
   * Settlement handlers for the running app's promise, made once per connection: while an app
   * runs, its exchange is `current` (the slot moves on only after the app settled), so they
   * reach the right exchange without two closures per request.
   */
  readonly appFulfilled: () => void;
  readonly appRejected: (error: unknown) => void;
}
