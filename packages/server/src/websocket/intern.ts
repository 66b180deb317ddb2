import type { HeaderList } from '@pagi/spec';

/**
 * One shared copy of the header names and values every handshake repeats. A scope keeps its
 * header list for the life of the connection, so at ten thousand idle WebSockets the duplicate
 * `sec-websocket-version: 13` strings alone are a measurable part of the memory per connection.
 */
const SHARED = new Map<string, string>(
  [
    'host',
    'upgrade',
    'connection',
    'sec-websocket-key',
    'sec-websocket-version',
    'sec-websocket-protocol',
    'sec-websocket-extensions',
    'origin',
    'user-agent',
    'cookie',
    'accept-encoding',
    'accept-language',
    'cache-control',
    'pragma',
    'websocket',
    'Upgrade',
    'upgrade',
    'keep-alive, Upgrade',
    '13',
    'permessage-deflate; client_max_window_bits',
    'no-cache',
  ].map((value) => [value, value]),
);

/**
 * Replaces, in place, header names and values equal to a common one with the shared copy.
 *
 * @example
 * internHandshakeHeaders(scope.headers);
 */
export function internHandshakeHeaders(headers: HeaderList): void {
  for (const header of headers) {
    const name = SHARED.get(header[0]);
    if (name !== undefined) header[0] = name;
    const value = SHARED.get(header[1]);
    if (value !== undefined) header[1] = value;
  }
}
