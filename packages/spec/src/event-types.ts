/** Event-name constants, so a typo is a compile error rather than a silent mismatch. */

export const HttpEvents = {
  request: 'http.request',
  disconnect: 'http.disconnect',
  responseStart: 'http.response.start',
  responseBody: 'http.response.body',
  responseTrailers: 'http.response.trailers',
  fullflush: 'http.fullflush',
} as const;

export const WebSocketEvents = {
  connect: 'websocket.connect',
  accept: 'websocket.accept',
  receive: 'websocket.receive',
  send: 'websocket.send',
  keepalive: 'websocket.keepalive',
  close: 'websocket.close',
  disconnect: 'websocket.disconnect',
  httpResponseStart: 'websocket.http.response.start',
  httpResponseBody: 'websocket.http.response.body',
} as const;

export const SseEvents = {
  request: 'sse.request',
  start: 'sse.start',
  send: 'sse.send',
  comment: 'sse.comment',
  keepalive: 'sse.keepalive',
  close: 'sse.close',
  disconnect: 'sse.disconnect',
  httpResponseStart: 'sse.http.response.start',
  httpResponseBody: 'sse.http.response.body',
} as const;

export const LifespanEvents = {
  startup: 'lifespan.startup',
  startupComplete: 'lifespan.startup.complete',
  startupFailed: 'lifespan.startup.failed',
  shutdown: 'lifespan.shutdown',
  shutdownComplete: 'lifespan.shutdown.complete',
  shutdownFailed: 'lifespan.shutdown.failed',
} as const;

/** Extension keys of `scope.extensions` defined by the spec (protocol.md §6.2). */
export const ExtensionKeys = {
  fullflush: 'fullflush',
  tls: 'tls',
  websocketHttpResponse: 'websocket.http.response',
} as const;

/** `scope.pagi` for every scope this implementation creates (D-16). */
export const PAGI_VERSION = '0.3';
export const PAGI_SPEC_VERSION = '0.3';
