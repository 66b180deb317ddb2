import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

/**
 * Answers a request the app never sees (limits, overload) with a short text body and
 * `Connection: close`: after a refusal the rest of the connection's bytes can't be trusted.
 *
 * @example
 * refuse(res, 431, 'too many header fields');
 */
export function refuse(res: ServerResponse, status: number, detail: string, extra: string[] = []): void {
  const body = `${REASONS[status] ?? 'Error'}: ${detail}\n`;
  res.shouldKeepAlive = false;
  res.writeHead(status, [
    'content-type',
    'text/plain; charset=utf-8',
    'content-length',
    String(Buffer.byteLength(body)),
    ...extra,
  ]);
  res.end(body);
}

/**
 * Writes a complete response straight onto a socket whose parser failed (the `clientError` path,
 * where there is no `ServerResponse`), then ends it.
 */
export function refuseRaw(socket: Duplex, status: number, detail: string): void {
  const body = `${REASONS[status] ?? 'Error'}: ${detail}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\n` +
      `Date: ${new Date().toUTCString()}\r\n` +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
