import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DisconnectReason, HttpScope } from '@pagi/spec';
import type { ServerContext } from '../internal/context.js';
import type { ServerTransportState } from '../internal/transport-state.js';
import type { BodyReadState, ReceiveEvent } from './body-read-state.js';
import type { ConnectionSlot } from './connection-slot.js';

export type { ReceiveEvent };

/**
 * The state of one HTTP exchange that its parts share: the body reader (body-reader.ts) and the
 * response writer (response-writer.ts) are plain functions over it, the lifecycle
 * (exchange.ts `HttpExchange`) owns and implements it. An interface so the parts do not import
 * the class that calls them.
 */
export interface ExchangeState {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly ctx: ServerContext;
  readonly slot: ConnectionSlot;
  readonly scope: HttpScope;
  readonly startTime: number;
  readonly expectContinue: boolean;
  readonly bodyless: boolean;
  /** The declared Content-Length, or -1 for a chunked body (or none). */
  readonly declaredLength: number;
  /** A HEAD request: the response carries no body. */
  readonly head: boolean;
  /** The response has not begun on the wire: a server-generated answer can still replace it. */
  readonly untouched: boolean;

  // Response (response-writer.ts).
  /** Outbound wire state (response-writer.ts INIT … ENDED). */
  out: number;
  status: number;
  /** The response head as `writeHead` takes it (filled by flattenInto). */
  flat: string[] | undefined;
  /** The app's `content-length` value, if it set one. */
  contentLength: string | undefined;
  trailers: boolean;
  bytesSent: number;
  started: boolean;
  bodyComplete: boolean;
  transportState: ServerTransportState | undefined;

  // Request body (body-reader.ts): made on the app's first receive().
  body: BodyReadState | undefined;

  // Lifecycle (exchange.ts).
  readonly connected: boolean;
  readonly reason: DisconnectReason | undefined;
  readonly completed: boolean;
  readonly finished: boolean;
  aborted: boolean;
  transport(): ServerTransportState;
  abort(reason: DisconnectReason): void;
  disconnect(reason: DisconnectReason): void;
}
