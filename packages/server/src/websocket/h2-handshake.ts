import type { IncomingMessage } from 'node:http';
import { constants, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { HeaderList } from '@pagi/spec';
import { WebSocket, type WebSocketServer } from 'ws';
import { rawHeaderValues } from './handshake-check.js';
import { negotiateH2Extensions } from './h2-extensions.js';
import { kAcceptRequest, type UpgradeRequest, type WebSocketHandshake } from './session.js';

/**
 * RFC 8441 on an HTTP/2 stream. ws's server handshake is HTTP/1.1's (Upgrade, Sec-WebSocket-Key,
 * a 101), which extended CONNECT replaces: the request is `:method CONNECT` with `:protocol
 * websocket`, there is no key, and the answer is a 200 on the stream, after which the stream's
 * DATA frames carry WebSocket frames. So the server answers the 200 itself and then gives the
 * stream to ws exactly as ws's own server gives it a socket: `new WebSocket(null, undefined,
 * serverOptions)` + `setSocket(stream, head, …)` (websocket-server.js completeUpgrade; ws
 * documents that the socket may be any Duplex). From there framing, validation, close codes,
 * maxPayload and maxFragments are ws's Receiver and Sender, as on HTTP/1.1.
 *
 * permessage-deflate is negotiated on the extended CONNECT as on the Upgrade (h2-extensions.ts).
 */
export function h2WebSocketHandshake(server: () => WebSocketServer): WebSocketHandshake {
  return {
    handleUpgrade(req, socket, head, cb) {
      const wss = server();
      const options = wss.options as WebSocketServer['options'] & {
        allowSynchronousEvents?: boolean;
        maxBufferedChunks?: number;
        maxFragments?: number;
      };
      const stream = socket as unknown as ServerHttp2Stream;
      if (stream.destroyed || stream.closed) return; // the session reports client_closed
      const accept = (req as UpgradeRequest)[kAcceptRequest];
      const headers: OutgoingHttpHeaders = { ':status': 200 };
      if (accept?.subprotocol !== undefined) headers['sec-websocket-protocol'] = accept.subprotocol;
      const agreed = negotiateH2Extensions(wss, req);
      if (agreed === 'invalid') {
        // ws's server answers the same offer on HTTP/1.1 with this 400 (and no WebSocket).
        this.respond(
          socket,
          400,
          [['content-type', 'text/plain; charset=utf-8']],
          Buffer.from('Invalid or unacceptable Sec-WebSocket-Extensions header\n'),
        );
        return;
      }
      if (agreed !== undefined) headers['sec-websocket-extensions'] = agreed.header;
      appendHeaders(headers, accept?.headers);
      stream.respond(headers);
      // Once ws has ended its side (after the closing handshake), the stream is released with
      // RST_STREAM NO_ERROR (RFC 9113 §8.1) instead of waiting for the client's END_STREAM.
      stream.once('finish', releaseStream);
      // ws's server-side constructor form (address null), as its own server calls it.
      const ServerSide = WebSocket as unknown as new (
        address: null,
        protocols: undefined,
        o: object,
      ) => WebSocket;
      const ws = new ServerSide(null, undefined, options);
      if (accept?.subprotocol !== undefined)
        (ws as unknown as { _protocol: string })._protocol = accept.subprotocol;
      // As ws's completeUpgrade: the Receiver and Sender that setSocket builds take them from here.
      if (agreed !== undefined) (ws as unknown as { _extensions: object })._extensions = agreed.extensions;
      (ws as unknown as { setSocket(s: Duplex, h: Buffer, o: object): void }).setSocket(stream, head, {
        allowSynchronousEvents: options.allowSynchronousEvents,
        maxBufferedChunks: options.maxBufferedChunks,
        maxFragments: options.maxFragments,
        maxPayload: options.maxPayload,
        skipUTF8Validation: options.skipUTF8Validation,
      });
      cb(ws);
    },
    respond(socket, status, headers, body) {
      const stream = socket as unknown as ServerHttp2Stream;
      if (stream.destroyed || stream.closed) return;
      const out: OutgoingHttpHeaders = { ':status': status };
      appendHeaders(out, headers);
      out['content-length'] = body.byteLength;
      stream.respond(out);
      stream.end(body);
      // The client's side of a CONNECT stream stays open: release it once the answer is out.
      stream.close(constants.NGHTTP2_NO_ERROR);
    },
  };
}

function releaseStream(this: ServerHttp2Stream): void {
  if (!this.closed) this.close(constants.NGHTTP2_NO_ERROR);
}

/** Adds app headers (validated by the send validator) to an HTTP/2 header object; repeats become lists. */
function appendHeaders(out: OutgoingHttpHeaders, headers: HeaderList | undefined): void {
  if (headers === undefined) return;
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    // Connection-specific fields do not exist in HTTP/2 (RFC 9113 §8.2.2); node would refuse them.
    if (key === 'connection' || key === 'upgrade' || key === 'keep-alive' || key === 'transfer-encoding')
      continue;
    const prior = out[key];
    if (prior === undefined) out[key] = value;
    else out[key] = Array.isArray(prior) ? [...prior, value] : [String(prior), value];
  }
}

/**
 * RFC 8441 §5 + RFC 6455 §4.2.1 for an extended CONNECT: `:protocol websocket` and version 13.
 * (No key, no Upgrade/Connection: they do not exist in HTTP/2.)
 */
export function checkH2Handshake(
  req: IncomingMessage,
): { status: number; message: string; headers: HeaderList } | undefined {
  const versions = rawHeaderValues(req, 'sec-websocket-version');
  if (versions.length !== 1 || versions[0]!.trim() !== '13') {
    return {
      status: 426,
      message: `expected Sec-WebSocket-Version 13, got ${JSON.stringify(versions.join(', '))}`,
      headers: [['sec-websocket-version', '13']],
    };
  }
  return undefined;
}
