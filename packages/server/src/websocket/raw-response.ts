import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HeaderList } from '@pagi/spec';
import { destroyAfterFlush } from '../internal/destroy-after-flush.js';

/** Headers the server frames itself on a refused handshake; an app's copies are dropped. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection']);

/**
 * Writes a complete HTTP/1.1 response on a socket that never became a WebSocket, then closes it
 * (a denial or a bad handshake: the connection is not reused, protocol.md §4.3). The body is
 * sent in one piece with `content-length` and `date`. Header names and values were validated
 * before (no CR/LF/NUL can reach this point) and are written as latin1 byte strings (D-2).
 *
 * @example
 * writeRawResponse(socket, 403, [['content-type', 'text/plain']], Buffer.from('Forbidden'));
 */
export function writeRawResponse(
  socket: Duplex,
  status: number,
  headers: HeaderList,
  body: Uint8Array,
): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  let hasDate = false;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (FRAMING.has(lower)) continue;
    if (lower === 'date') hasDate = true;
    head += `${name}: ${value}\r\n`;
  }
  if (!hasDate) head += `date: ${new Date().toUTCString()}\r\n`;
  // RFC 9110 §8.6: no Content-Length on 1xx/204/304, which carry no body anyway.
  const bodyless = status < 200 || status === 204 || status === 304;
  if (!bodyless) head += `content-length: ${body.byteLength}\r\n`;
  head += 'connection: close\r\n\r\n';
  socket.write(Buffer.from(head, 'latin1'));
  if (!bodyless && body.byteLength > 0) socket.write(body);
  socket.end();
  // A peer that never reads must not pin the socket open after the response.
  destroyAfterFlush(socket);
}

/**
 * A short text/plain response for handshakes refused before the app ran.
 *
 * @example
 * writeTextResponse(socket, 426, 'expected version 13\n', [['sec-websocket-version', '13']]);
 */
export function writeTextResponse(
  socket: Duplex,
  status: number,
  message: string,
  extra: HeaderList = [],
): void {
  writeRawResponse(
    socket,
    status,
    [['content-type', 'text/plain; charset=utf-8'], ...extra],
    Buffer.from(message),
  );
}
