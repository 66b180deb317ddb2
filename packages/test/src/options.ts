/** Option and input types of the test client. */
import type { Extensions } from '@pagi/spec';

/** Request headers: a record (an array value repeats the header) or `[name, value]` pairs. */
export type HeaderInit = Record<string, string | string[]> | [string, string][];

/** A query: a ready-made string (with or without `?`) or a record encoded as a form query. */
export type QueryInit = Record<string, string | number | (string | number)[]> | string;

/** A request body; an iterable is sent chunk by chunk, one `http.request` event per chunk. */
export type BodyInit =
  | Uint8Array
  | string
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>;

/** Where the test client drops the connection, to exercise an app's disconnect handling. */
export type DisconnectPoint = 'before-body' | 'after-body' | 'after-response-start' | { afterChunks: number };

export interface TestClientOptions {
  /** An app exception rejects the client call. Default `true`; `false` mirrors the server (500). */
  raiseAppErrors?: boolean;
  /** Milliseconds any single wait for the app may take. Default `3000`. */
  timeout?: number;
  /** `scope.root_path`, also prefixed to every request path. Default `''`. */
  rootPath?: string;
  /** Default `'http'`; WebSocket scopes use `ws`/`wss` to match. */
  scheme?: 'http' | 'https';
  /** `scope.client`. Default `['127.0.0.1', 50000]`. */
  client?: [string, number];
  /** `scope.server`. Default `['testserver', 80]`. */
  server?: [string, number];
  /** Headers sent with every request; a request's own header of the same name wins. */
  headers?: HeaderInit;
  /** Initial lifespan state; normally filled by the app during `startup()`. */
  state?: Record<string, unknown>;
  /** Extensions advertised on every scope, in addition to the built-in ones. */
  extensions?: Extensions;
  /** Keep a cookie jar (`client.cookies`) and send its cookies back. Default `true`. */
  cookies?: boolean;
  /** Follow 3xx responses with a `Location` for every request. Default `false`. */
  followRedirects?: boolean;
  /** How many redirects one request may follow before `TooManyRedirectsError`. Default `10`. */
  maxRedirects?: number;
}

/** One file of a multipart upload (`files`). */
export interface FileField {
  filename: string;
  content: Uint8Array | string;
  /** Default `'application/octet-stream'`. */
  contentType?: string;
}

export interface RequestOptions {
  headers?: HeaderInit;
  query?: QueryInit;
  body?: BodyInit;
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown;
  /** Sent URL-encoded with `content-type: application/x-www-form-urlencoded`. */
  form?: Record<string, string | string[]>;
  /** `scope.http_version`. Default `'1.1'`. */
  httpVersion?: '1.0' | '1.1' | '2';
  /** Inject a client disconnect at this point. */
  disconnect?: DisconnectPoint;
  /** Files sent as `multipart/form-data` (RFC 7578), with the `data` fields. */
  files?: Record<string, FileField | FileField[]>;
  /** Plain form fields of a multipart body (only with `files`). */
  data?: Record<string, string | string[]>;
  /** Milliseconds any single wait for the app may take on this call; overrides the client's. */
  timeout?: number;
  /** Follow redirects on this call; overrides the client's `followRedirects`. */
  followRedirects?: boolean;
  /**
   * Emulates a reader with this many bytes of buffer: the app's `await send()` of a body event
   * stays pending while more than `highWaterMark` sent bytes are unread by the test. Off by default.
   */
  highWaterMark?: number;
  /** Milliseconds the client waits before reading each body chunk (a slow reader). Default `0`. */
  readDelay?: number;
}

export interface WebSocketOptions {
  /** Milliseconds any single wait for the app may take on this socket; overrides the client's. */
  timeout?: number;
  /** Offered in `Sec-WebSocket-Protocol`; the app sees them in `scope.subprotocols`. */
  subprotocols?: string[];
  headers?: HeaderInit;
  query?: QueryInit;
}

export interface SseOptions {
  headers?: HeaderInit;
  query?: QueryInit;
  /** Default `'GET'`. */
  method?: string;
  body?: BodyInit;
  /** Milliseconds any single wait for the app may take on this stream; overrides the client's. */
  timeout?: number;
}
