import {
  type App,
  isPagiError,
  type Receive,
  type Send,
  UnsupportedScopeError,
  type WebSocketScope,
} from '@pagi/spec';
import { WebSocketError } from '../errors.js';
import { parseJsonMessage, WebSocket, type WebSocketMessage } from '../websocket/websocket.js';

/** How {@link WebSocketEndpoint} decodes incoming messages before `onReceive`. */
export type WebSocketEncoding = 'text' | 'bytes' | 'json';

/**
 * Starlette-style WebSocket endpoint, one instance per connection. `onConnect` accepts by
 * default; each message is decoded per `encoding` (a message of the wrong kind closes with
 * 1003, bad JSON with 1007) and passed to `onReceive`; `onDisconnect` runs at the end with the
 * close code. A {@link WebSocketError} thrown by a hook closes with its code; any other error
 * closes with 1011 and is rethrown.
 *
 * @example
 * class Echo extends WebSocketEndpoint {
 *   static override encoding = 'json' as const;
 *   override async onReceive(ws: WebSocket, data: unknown) { await ws.sendJson({ echo: data }); }
 * }
 * const app = Echo.asApp();
 */
export abstract class WebSocketEndpoint {
  /** `'text'` (default), `'bytes'` or `'json'`. */
  static encoding: WebSocketEncoding = 'text';
  readonly scope: WebSocketScope;

  constructor(scope: WebSocketScope) {
    this.scope = scope;
  }

  /** Called first; the default accepts. Override to pick a subprotocol or to deny. */
  async onConnect(ws: WebSocket): Promise<void> {
    await ws.accept();
  }

  /** Called for each decoded message. */
  async onReceive(_ws: WebSocket, _data: unknown): Promise<void> {}

  /** Called once when the connection ended. */
  async onDisconnect(_ws: WebSocket, _code: number | undefined, _reason: string | undefined): Promise<void> {}

  /** The endpoint class as a PAGI app. */
  static asApp<T extends WebSocketEndpoint>(
    this: (new (scope: WebSocketScope) => T) & { encoding: WebSocketEncoding },
  ): App {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass being turned into an app.
    const Endpoint = this;
    return async function websocketEndpoint(scope, receive, send) {
      if (scope.type !== 'websocket') throw new UnsupportedScopeError(scope.type);
      const endpoint = new Endpoint(scope);
      const ws = new WebSocket(scope, receive as Receive<'websocket'>, send as Send<'websocket'>);
      try {
        await endpoint.onConnect(ws);
        if (ws.state !== 'connected') return;
        for await (const msg of ws) await endpoint.onReceive(ws, decode(msg, Endpoint.encoding));
      } catch (error) {
        if (isPagiError(error) && error.code === 'PAGI_ERR_DISCONNECTED') return;
        if (error instanceof WebSocketError || (isPagiError(error) && error.code === 'PAGI_ERR_WEBSOCKET')) {
          const e = error as WebSocketError;
          await closeQuietly(ws, e.closeCode, e.reason);
          await drain(ws);
          return;
        }
        await closeQuietly(ws, 1011, '');
        throw error;
      } finally {
        if (ws.state === 'closed' || ws.closeCode !== undefined)
          await endpoint.onDisconnect(ws, ws.closeCode, ws.closeReason);
      }
    };
  }
}

function decode(msg: WebSocketMessage, encoding: WebSocketEncoding): unknown {
  if (encoding === 'json') return parseJsonMessage(msg);
  if (encoding === 'text' && typeof msg !== 'string')
    throw new WebSocketError(1003, 'expected a text message, got binary');
  if (encoding === 'bytes' && typeof msg === 'string')
    throw new WebSocketError(1003, 'expected a binary message, got text');
  return msg;
}

async function closeQuietly(ws: WebSocket, code: number, reason: string): Promise<void> {
  try {
    await ws.close(code, reason);
  } catch {
    // A close that cannot be sent (client already gone) has nothing left to do.
  }
}

// After our close, read until the server reports the end of the closing handshake.
async function drain(ws: WebSocket): Promise<void> {
  try {
    while ((await ws.receive()) !== undefined) {}
  } catch {}
}
