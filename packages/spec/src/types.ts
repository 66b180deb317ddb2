/**
 * The PAGI protocol's data model as TypeScript types (protocol.md §3, §4, §12 amended by §0).
 *
 * Field names keep the spec's spelling (snake_case included, D-4) so a reader of the upstream
 * spec or of ASGI finds the same words. Flags are booleans (D-3); inbound payloads are
 * `Uint8Array` and outbound payloads accept `Uint8Array | string` (D-1).
 */
import type { FileHandle } from 'node:fs/promises';

/** A string whose every code unit is ≤ 0xFF: one character per byte, latin1 semantics (D-2). */
export type ByteString = string;
/** Opaque octets. A Node `Buffer` is a `Uint8Array`. */
export type Bytes = Uint8Array;
/** An outbound payload: bytes, or a string the server encodes as UTF-8 (D-1). */
export type BodyInput = Uint8Array | string;

/** One header field: `[lowercase name, value]`, both byte strings. */
export type Header = [name: ByteString, value: ByteString];
/** Ordered header fields; duplicates are kept (`set-cookie`). */
export type HeaderList = Header[];

/** `scope.pagi.version`; `'0.3'` until the spec moves (D-16). */
export type PagiVersion = '0.3' | (string & {});

/** The standard abnormal-end tokens (protocol.md §3.10); server-specific extras use `x-`. */
export type DisconnectReason =
  | 'client_closed'
  | 'client_timeout'
  | 'idle_timeout'
  | 'keepalive_timeout'
  | 'write_timeout'
  | 'write_error'
  | 'read_error'
  | 'protocol_error'
  | 'server_shutdown'
  | 'server_error'
  | 'body_too_large'
  | 'queue_overflow'
  | `x-${string}`;

// ---------------------------------------------------------------------------------------------
// Scope objects
// ---------------------------------------------------------------------------------------------

export interface PagiInfo {
  version: PagiVersion;
  spec_version?: string;
}

export interface LifespanPagiInfo extends PagiInfo {
  /** true when this process is one worker of several (D-3: a boolean). */
  is_worker?: boolean;
  /** 1, 2, 3, … in multi-worker mode; `null` in single-process mode (D-5). */
  worker_num?: number | null;
}

/** `scope.extensions.tls` (protocol.md §6.3). Present only on TLS connections. */
export interface TlsInfo {
  server_cert: string | null;
  client_cert_chain: string[];
  client_cert_name: string | null;
  client_cert_error: string | null;
  tls_version: number | null;
  cipher_suite: number | null;
}

/** Capabilities the server advertises for one connection (protocol.md §6). */
export interface Extensions {
  tls?: TlsInfo;
  fullflush?: Record<string, never>;
  'websocket.http.response'?: Record<string, never>;
  [name: string]: object | undefined;
}

/** `scope['pagi.connection']`: per-request connection state, HTTP only (protocol.md §3.8). */
export interface ConnectionState {
  /** One-way: true while open, false once closed for any reason. */
  is_connected(): boolean;
  /** The abnormal reason; `undefined` while open and after a normal completion. */
  disconnect_reason(): DisconnectReason | undefined;
  /** Runs only on an abnormal end; immediately if that already happened. */
  on_disconnect(cb: (reason: DisconnectReason) => void): void;
  /** true once `http.response.start` was processed, whoever produced it. */
  response_started(): boolean;
  /** Runs only when the response was fully delivered; immediately if it already was. */
  on_complete?(cb: () => void): void;
  /** true once the body is fully sent; `undefined` when the server does not track it. */
  response_complete?(): boolean | undefined;
  /** Resolves with the reason on an abnormal disconnect; never settles on success. */
  disconnect_future?(): Promise<DisconnectReason> | undefined;
}

/** `scope['pagi.transport']`: a read-only view of the outbound buffer (protocol.md §3.9). */
export interface TransportState {
  buffered_amount(): number;
  high_water_mark?(): number | undefined;
  low_water_mark?(): number | undefined;
  /** Edge-triggered; fires at once if the buffer is already at or above the high mark. */
  on_high_water?(cb: () => void): void;
  /** Edge-triggered; fires only after a high → low transition. */
  on_drain?(cb: () => void): void;
}

/** Keys shared by `http`, `websocket` and `sse` scopes (protocol.md §3.1). */
export interface ConnectionScopeBase {
  pagi: PagiInfo;
  /** `'1.0'`, `'1.1'` or `'2'`. */
  http_version: '1.0' | '1.1' | '2' | (string & {});
  /** `http`/`https`, or `ws`/`wss`. */
  scheme: string;
  /** Percent-decoded path, UTF-8 (latin1 fallback, D-8); includes `root_path`. */
  path: string;
  /** The path bytes exactly as received, without the query. */
  raw_path?: ByteString;
  /** Bytes after `?`, still percent-encoded; `''` when there is none. */
  query_string: ByteString;
  /** Mount point of the app; `''` at the root. */
  root_path: string;
  /** Lowercase names, wire order, one joined `cookie` entry. */
  headers: HeaderList;
  client?: [host: string, port: number];
  server?: [host: string, port: number] | [path: string, port: null];
  /** Shallow copy of the lifespan state. */
  state?: Record<string, unknown>;
  extensions: Extensions;
  'pagi.transport'?: TransportState;
  /** Keys added by middleware (`pagi.*`, `myapp.*`). */
  [key: string]: unknown;
}

export interface HttpScope extends ConnectionScopeBase {
  type: 'http';
  /** Uppercase request method. */
  method: string;
  'pagi.connection': ConnectionState;
}

export interface WebSocketScope extends ConnectionScopeBase {
  type: 'websocket';
  /** From `Sec-WebSocket-Protocol`, split on commas and trimmed; `[]` when absent. */
  subprotocols: string[];
}

export interface SseScope extends ConnectionScopeBase {
  type: 'sse';
  method: string;
}

export interface LifespanScope {
  type: 'lifespan';
  pagi: LifespanPagiInfo;
  /** The namespace the app fills in at startup; copied shallowly into every later scope. */
  state?: Record<string, unknown>;
  extensions?: Extensions;
  [key: string]: unknown;
}

export type Scope = HttpScope | WebSocketScope | SseScope | LifespanScope;
export type ConnectionScope = HttpScope | WebSocketScope | SseScope;

// ---------------------------------------------------------------------------------------------
// Inbound events (what receive() resolves with)
// ---------------------------------------------------------------------------------------------

export interface HttpRequestEvent {
  type: 'http.request';
  body: Bytes;
  more: boolean;
}
export interface HttpDisconnectEvent {
  type: 'http.disconnect';
}
export interface WebSocketConnectEvent {
  type: 'websocket.connect';
}
export type WebSocketReceiveEvent =
  | { type: 'websocket.receive'; bytes: Bytes; text?: undefined }
  | { type: 'websocket.receive'; text: string; bytes?: undefined };
export interface WebSocketDisconnectEvent {
  type: 'websocket.disconnect';
  code: number;
  reason: string;
}
export interface SseRequestEvent {
  type: 'sse.request';
  body: Bytes;
  more: boolean;
}
export interface SseDisconnectEvent {
  type: 'sse.disconnect';
  reason: DisconnectReason | (string & {});
}
export interface LifespanStartupEvent {
  type: 'lifespan.startup';
}
export interface LifespanShutdownEvent {
  type: 'lifespan.shutdown';
}

// ---------------------------------------------------------------------------------------------
// Outbound events (what send() takes)
// ---------------------------------------------------------------------------------------------

export interface HttpResponseStartEvent {
  type: 'http.response.start';
  status: number;
  headers?: HeaderList;
  /** The app promises an `http.response.trailers` event after the body. */
  trailers?: boolean;
}

interface FileRange {
  /** Byte position to start from; default 0. */
  offset?: number;
  /** Number of bytes; default to end of file. */
  length?: number;
}

/** `body`, `file` and `fh` are mutually exclusive; none means an empty chunk. */
export type HttpResponseBodyEvent = { type: 'http.response.body'; more?: boolean } & (
  | { body?: BodyInput; file?: undefined; fh?: undefined }
  | ({ file: string; body?: undefined; fh?: undefined } & FileRange)
  | ({ fh: FileHandle | number; body?: undefined; file?: undefined } & FileRange)
);

export interface HttpResponseTrailersEvent {
  type: 'http.response.trailers';
  headers?: HeaderList;
}
/** Extension `fullflush` (D-10: http scopes only). */
export interface HttpFullFlushEvent {
  type: 'http.fullflush';
}

export interface WebSocketAcceptEvent {
  type: 'websocket.accept';
  /** Must be one of `scope.subprotocols`. */
  subprotocol?: string;
  headers?: HeaderList;
}
export type WebSocketSendEvent =
  | { type: 'websocket.send'; bytes: BodyInput; text?: undefined }
  | { type: 'websocket.send'; text: string; bytes?: undefined };
export interface WebSocketCloseEvent {
  type: 'websocket.close';
  /** Default 1000. */
  code?: number;
  /** At most 123 UTF-8 bytes. */
  reason?: string;
}
export interface WebSocketKeepaliveEvent {
  type: 'websocket.keepalive';
  /** Seconds between pings; 0 stops them. */
  interval: number;
  /** Seconds to wait for a pong before dropping the connection. */
  timeout?: number;
}
/** Extension `websocket.http.response`. */
export interface WebSocketHttpResponseStartEvent {
  type: 'websocket.http.response.start';
  status: number;
  headers?: HeaderList;
}
export interface WebSocketHttpResponseBodyEvent {
  type: 'websocket.http.response.body';
  body?: BodyInput;
  more?: boolean;
}

export interface SseStartEvent {
  type: 'sse.start';
  /** Default 200. */
  status?: number;
  headers?: HeaderList;
}
export interface SseSendEvent {
  type: 'sse.send';
  data: string;
  event?: string;
  id?: string;
  retry?: number;
}
export interface SseCommentEvent {
  type: 'sse.comment';
  comment: string;
}
export interface SseKeepaliveEvent {
  type: 'sse.keepalive';
  /** Seconds between keepalive comments; 0 stops them. */
  interval: number;
  comment?: string;
}
export interface SseCloseEvent {
  type: 'sse.close';
  /** Server-side only: logs and the disconnect reason; never sent to the client. */
  reason?: string;
}
export interface SseHttpResponseStartEvent {
  type: 'sse.http.response.start';
  status: number;
  headers?: HeaderList;
}
export interface SseHttpResponseBodyEvent {
  type: 'sse.http.response.body';
  body?: BodyInput;
  more?: boolean;
}

export interface LifespanStartupCompleteEvent {
  type: 'lifespan.startup.complete';
}
export interface LifespanStartupFailedEvent {
  type: 'lifespan.startup.failed';
  message?: string;
}
export interface LifespanShutdownCompleteEvent {
  type: 'lifespan.shutdown.complete';
}
export interface LifespanShutdownFailedEvent {
  type: 'lifespan.shutdown.failed';
  message?: string;
}

// ---------------------------------------------------------------------------------------------
// Per-protocol maps and the application signature
// ---------------------------------------------------------------------------------------------

export interface ProtocolMap {
  http: {
    scope: HttpScope;
    receive: HttpRequestEvent | HttpDisconnectEvent;
    send: HttpResponseStartEvent | HttpResponseBodyEvent | HttpResponseTrailersEvent | HttpFullFlushEvent;
  };
  websocket: {
    scope: WebSocketScope;
    receive: WebSocketConnectEvent | WebSocketReceiveEvent | WebSocketDisconnectEvent;
    send:
      | WebSocketAcceptEvent
      | WebSocketSendEvent
      | WebSocketCloseEvent
      | WebSocketKeepaliveEvent
      | WebSocketHttpResponseStartEvent
      | WebSocketHttpResponseBodyEvent;
  };
  sse: {
    scope: SseScope;
    receive: SseRequestEvent | SseDisconnectEvent;
    send:
      | SseStartEvent
      | SseSendEvent
      | SseCommentEvent
      | SseKeepaliveEvent
      | SseCloseEvent
      | SseHttpResponseStartEvent
      | SseHttpResponseBodyEvent;
  };
  lifespan: {
    scope: LifespanScope;
    receive: LifespanStartupEvent | LifespanShutdownEvent;
    send:
      | LifespanStartupCompleteEvent
      | LifespanStartupFailedEvent
      | LifespanShutdownCompleteEvent
      | LifespanShutdownFailedEvent;
  };
}

export type ScopeType = keyof ProtocolMap;
export type ReceiveEvent<T extends ScopeType = ScopeType> = ProtocolMap[T]['receive'];
export type SendEvent<T extends ScopeType = ScopeType> = ProtocolMap[T]['send'];

/** An event of a type the protocol does not define: middleware may fold its own into receive(). */
export interface CustomEvent {
  type: string;
  [key: string]: unknown;
}

export type Receive<T extends ScopeType = ScopeType> = () => Promise<ReceiveEvent<T>>;
export type Send<T extends ScopeType = ScopeType> = (event: SendEvent<T>) => Promise<void>;

/**
 * A PAGI application: called once per HTTP request, WebSocket or SSE connection, and lifespan.
 * The resolved value carries no meaning and is ignored (protocol.md §1.4). `receive` and `send`
 * are typed for every protocol here; check `scope.type` to narrow the scope, or write a
 * {@link ProtocolApp} for one protocol to get events narrowed too.
 *
 * @example
 * const app: App = async (scope, receive, send) => {
 *   if (scope.type !== 'http') throw new UnsupportedScopeError(scope.type);
 *   await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
 *   await send({ type: 'http.response.body', body: 'Hello, world!' });
 * };
 */
export type App = (scope: Scope, receive: Receive, send: Send) => Promise<unknown> | unknown;

/** An app that serves one protocol; narrow a general `App` to it by checking `scope.type`. */
export type ProtocolApp<T extends ScopeType> = (
  scope: ProtocolMap[T]['scope'],
  receive: Receive<T>,
  send: Send<T>,
) => Promise<unknown> | unknown;

/**
 * A middleware turns an app into an app. Every PAGI middleware is made by a factory that resolves
 * its options once: `cors(options)` returns a `Middleware`, stacked with `compose(...)` (see
 * `defineMiddleware` in `@pagi/spec/middleware`).
 */
export type Middleware = (app: App) => App;
