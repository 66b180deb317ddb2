/**
 * The contract a transport fulfils so the same conformance cases can run over it. A transport
 * hosts one app at a time (cases run one after another in a file) and offers a client that
 * speaks to it: in-process through `@pagi/test`, or over real sockets through `@pagi/server`.
 *
 * Everything is expressed as what a client observes on the wire (status, header values, body
 * bytes, close codes, dispatched SSE events), never as transport internals, so both transports
 * can be held to one set of assertions.
 */
import type { App, HeaderList } from '@pagi/spec';

/** Request options shared by every transport. Header names are sent as given. */
export interface ConformanceRequestOptions {
  /** Default '1.1'. A 1.0 request carries no chunked body. */
  httpVersion?: '1.0' | '1.1';
  /** Sent in order; a name given twice is sent as two header lines. */
  headers?: [string, string][];
  /**
   * A string or bytes is sent at once with a length; an array or async iterable is sent chunked,
   * one chunk per element (an async iterable lets a case hold the body back).
   */
  body?: string | Uint8Array | (string | Uint8Array)[] | AsyncIterable<string | Uint8Array>;
}

/** A complete HTTP response as the client saw it. */
export interface ConformanceResponse {
  status: number;
  /** Lowercase names; the order of distinct names is not significant. */
  headers: HeaderList;
  body: Buffer;
  /** Trailer fields, lowercase names, when the response carried any. */
  trailers: HeaderList;
}

/** A response whose body is read chunk by chunk, and which the client may abandon. */
export interface ConformanceStream {
  status: number;
  headers: HeaderList;
  /** The next body bytes the client got, or undefined at the end of the body; rejects at the cut of an aborted response. */
  next(): Promise<Buffer | undefined>;
  /** The client drops the connection now. */
  disconnect(): Promise<void>;
}

/** One WebSocket message. */
export type ConformanceMessage = { text: string } | { bytes: Buffer };

/** A WebSocket as the client saw the handshake and what followed. */
export interface ConformanceWebSocket {
  accepted: boolean;
  /** The subprotocol the server confirmed, or undefined. */
  subprotocol: string | undefined;
  /** The extra headers of `websocket.accept` as the client got them (others may be mixed in). */
  acceptHeaders: HeaderList;
  /** The HTTP response that refused the handshake, when it was refused. */
  denial: { status: number; headers: HeaderList; body: Buffer } | undefined;
  sendText(text: string): Promise<void>;
  sendBytes(bytes: Uint8Array): Promise<void>;
  /** The next message from the app. */
  receive(): Promise<ConformanceMessage>;
  /** A client-initiated close with this code and reason. */
  close(code: number, reason: string): Promise<void>;
  /** The connection is lost without a Close frame. */
  drop(): Promise<void>;
  /** How the connection closed, as the client saw it. */
  closed: Promise<{ code: number; reason: string }>;
}

/** One dispatched SSE event, as an `EventSource`-style parser reports it. */
export interface ConformanceSseEvent {
  event?: string;
  data: string;
  id?: string;
  retry?: number;
}

/** An SSE request: a stream, or the ordinary HTTP response that declined it. */
export interface ConformanceSse {
  status: number;
  headers: HeaderList;
  /** true when the answer was an ordinary response rather than an event stream. */
  declined: boolean;
  /** The body of a decline (empty for a stream). */
  body: Buffer;
  /** The next dispatched event, or undefined once the stream ended. */
  next(): Promise<ConformanceSseEvent | undefined>;
  /** Comment lines seen so far, without their leading colon. */
  readonly comments: string[];
  /** The client goes away now. */
  disconnect(): Promise<void>;
}

/** The client side of a transport, talking to the app most recently given to `serve()`. */
export interface ConformanceClient {
  /**
   * Rejects when the response was aborted, i.e. cut before its body was complete (D-12): a
   * socket client sees the connection close mid-body, the in-process client reports `aborted`.
   */
  request(method: string, path: string, options?: ConformanceRequestOptions): Promise<ConformanceResponse>;
  stream(method: string, path: string, options?: ConformanceRequestOptions): Promise<ConformanceStream>;
  websocket(path: string, options?: { subprotocols?: string[] }): Promise<ConformanceWebSocket>;
  /** `method` defaults to GET; the request carries `Accept: text/event-stream`. */
  sse(path: string, options?: { headers?: [string, string][]; method?: string }): Promise<ConformanceSse>;
}

/**
 * A way of running apps. `start()` runs once per test file (lifespan included), `serve()` once
 * per case, `stop()` once at the end.
 */
export interface Transport {
  /** Starts hosting; lifespan startup runs here and fills `scope.state` for later requests. */
  start(): Promise<void>;
  /** Makes `app` the one every later client call reaches. */
  serve(app: App): ConformanceClient;
  stop(): Promise<void>;
  /**
   * The `http_version` this transport's scopes carry (protocol.md §3.2): '1.1' unless it says
   * otherwise ('2' over HTTP/2). The scope cases assert it instead of a fixed '1.1'.
   */
  readonly httpVersion?: string;
}
