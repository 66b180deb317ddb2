import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { headRefusal } from '../http/request-line-checks.js';
import type { ServerContext } from '../internal/context.js';
import { headerListFrom } from '../internal/scope-base.js';
import { checkHandshake, subprotocolsOf } from './handshake-check.js';
import { checkH2Handshake, h2WebSocketHandshake } from './h2-handshake.js';
import { writeRawResponse, writeTextResponse } from './raw-response.js';
import { kAcceptRequest, type UpgradeRequest, type WebSocketHandshake, WebSocketSession } from './session.js';

/** The upgrade side of the server: one `ws` server in `noServer` mode per handler. */
export interface WebSocketHandler {
  /** Takes over an HTTP upgrade request; the handshake completes only if the app accepts. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Takes over an RFC 8441 extended CONNECT (`:protocol websocket`) on an HTTP/2 stream. `req`
   * is prepared like an HTTP/1.1 request (src/http2/session-request.ts: header list, socket view).
   */
  handleExtendedConnect(req: IncomingMessage, stream: Duplex): void;
  /** Stops the handler: new upgrades get 503; open connections are closed with 1001. */
  close(): void;
  /** Sessions not yet ended (connecting or open). */
  readonly size: number;
}

/**
 * Creates the WebSocket side of a server. The server calls `handleUpgrade` from node:http's
 * `'upgrade'` event. The request is checked (RFC 6455 §4.2.1; bad ones get 400/426 and never
 * reach the app), a `websocket` scope is built and the app called with `websocket.connect`; the
 * 101 is written only when the app sends `websocket.accept`.
 *
 * @example
 * const ws = createWebSocketHandler(ctx);
 * httpServer.on('upgrade', (req, socket, head) => ws.handleUpgrade(req, socket, head));
 */
export function createWebSocketHandler(ctx: ServerContext): WebSocketHandler {
  const options = ctx.options;
  const sessions = new Set<WebSocketSession>();
  let closed = false;
  // One ws server for every connection (several would each try to own the upgrade, ws#885),
  // made on the first handshake: a server that never sees one never builds it. Building it at
  // start-up also made it one more EventEmitter type seen by node's EventEmitter.init before the
  // first request, which tipped init's stores (run for every response) into V8's megamorphic
  // path (bench README, session 7).
  let wss: WebSocketServer | undefined;
  const server = (): WebSocketServer => {
    if (wss === undefined) wss = createWsServer(options);
    return wss;
  };
  const http1: WebSocketHandshake = {
    handleUpgrade: (req, socket, head, cb) => server().handleUpgrade(req, socket, head, cb),
    respond: writeRawResponse,
  };
  const http2 = h2WebSocketHandshake(server);
  const text = (
    handshake: WebSocketHandshake,
    socket: Duplex,
    status: number,
    message: string,
    extra: [string, string][] = [],
  ) =>
    handshake.respond(
      socket,
      status,
      [['content-type', 'text/plain; charset=utf-8'], ...extra],
      Buffer.from(message),
    );

  return {
    get size() {
      return sessions.size;
    },
    handleUpgrade(req, socket, head) {
      try {
        if (closed || ctx.stopping) {
          socket.on('error', () => {});
          writeTextResponse(socket, 503, 'server shutting down\n');
          return;
        }
        // The RFC 9112 head rules (Host, version) hold for a handshake as for any request.
        const badHead = headRefusal(req, headerListFrom(req.rawHeaders));
        if (badHead !== undefined) {
          socket.on('error', () => {});
          writeTextResponse(socket, badHead[0], `${badHead[1]}\n`);
          return;
        }
        const refusal = checkHandshake(req);
        if (refusal !== undefined) {
          socket.on('error', () => {});
          writeTextResponse(socket, refusal.status, `${refusal.message}\n`, refusal.headers);
          return;
        }
        const session = new WebSocketSession(
          ctx,
          http1,
          sessions,
          req,
          socket,
          head,
          subprotocolsOf(req) ?? [],
        );
        session.run();
      } catch (error) {
        // A bug here must cost one connection, never the process.
        ctx.logger.error('websocket upgrade failed', error);
        socket.destroy();
      }
    },
    handleExtendedConnect(req, stream) {
      try {
        stream.on('error', () => {});
        if (closed || ctx.stopping) {
          text(http2, stream, 503, 'server shutting down\n');
          return;
        }
        const refusal = checkH2Handshake(req);
        if (refusal !== undefined) {
          text(http2, stream, refusal.status, `${refusal.message}\n`, refusal.headers as [string, string][]);
          return;
        }
        new WebSocketSession(
          ctx,
          http2,
          sessions,
          req,
          stream,
          Buffer.alloc(0),
          subprotocolsOf(req) ?? [],
        ).run();
      } catch (error) {
        ctx.logger.error('websocket over HTTP/2 failed', error);
        stream.destroy();
      }
    },
    close() {
      closed = true;
      for (const session of sessions) session.shutdown();
      wss?.close();
    },
  };
}

/** The `ws` server of a handler, in `noServer` mode: ws does the handshake and the framing. */
function createWsServer(options: ServerContext['options']): WebSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // 0 means no limit, for ws as for the option.
    maxPayload: options.wsMaxMessageSize,
    // Frames per message (ws closes 1008 above; 0 = no limit). Each fragment is kept as its own
    // Buffer until the message completes, so this bounds the bookkeeping that maxPayload doesn't.
    maxFragments: options.wsMaxFragments,
    perMessageDeflate: options.wsPerMessageDeflate,
    // The app's choice was validated against the offered list; `false` sends no header.
    handleProtocols: (_offered, req) => (req as UpgradeRequest)[kAcceptRequest]?.subprotocol ?? false,
  });
  wss.on('headers', (lines, req) => {
    const extra = (req as UpgradeRequest)[kAcceptRequest]?.headers;
    if (extra === undefined) return;
    // Validated by the send validator: no CR/LF/NUL, no framing headers (D-2).
    for (const [name, value] of extra) lines.push(`${name}: ${value}`);
  });
  return wss;
}
