import {
  type App,
  type HeaderList,
  type HttpScope,
  type Receive,
  type Send,
  UnsupportedScopeError,
} from '@pagi/spec';
import { WrapLegacyError } from './errors.js';
import { installFastResponseByDefault } from './install-fast-response.js';
import { FastResponse, type FastResponseState } from './internal/fast-response.js';
import { requestUrl } from './internal/fetch-url.js';
import { isHopByHop } from './internal/hop-by-hop.js';
import { isNullBodyStatus } from './internal/null-body-status.js';
import { lazyRequest } from './internal/lazy-request.js';
import { goneError, readWholeBody, requestBodyStream } from './internal/request-body.js';
import { sendPlain } from './internal/plain-response.js';
import { requestMethod } from './internal/request-method.js';
import { originOf } from './internal/request-target.js';
import { type LegacyLogger, consoleLogger } from './logger.js';

/** A fetch-style handler: Hono's `app.fetch`, itty-router, or any `(Request) => Response`. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** Options of {@link fromFetchHandler}. */
export interface FromFetchHandlerOptions {
  /** Where handler errors are reported. Default `console.error`. */
  logger?: LegacyLogger;
  /**
   * Replace `globalThis.Response` with the lightweight one ({@link installFastResponse}) when this
   * app is built, so that string and byte bodies are sent without web streams. Default `true`, as
   * `@hono/node-server`'s `overrideGlobalObjects`; left alone anyway when the global is not the
   * runtime's own (another adapter or polyfill installed theirs) or was put back by the function
   * `installFastResponse()` returned. `false`: the real `Response`, read as a stream.
   */
  overrideGlobalResponse?: boolean;
}

/**
 * Runs a fetch-style handler as a PAGI `http` app. The `Request` body is a stream pulled from
 * `receive()` only as the handler reads it; the `Response` body is read one chunk per `send()`,
 * so a slow client slows the reads (backpressure both ways). `request.signal` aborts when the
 * client goes away, and the response body stream is cancelled then.
 *
 * The request URL is `scheme://host` + `raw_path` + `?query_string` (the full path: fetch
 * handlers route on the whole URL; mount them with their own base path).
 *
 * @throws UnsupportedScopeError for scopes other than `http`.
 * @example
 * import { Hono } from 'hono';
 * const hono = new Hono().get('/', (c) => c.text('hello'));
 * export default fromFetchHandler(hono.fetch);
 */
export function fromFetchHandler(handler: FetchHandler, options?: FromFetchHandlerOptions): App {
  if (typeof handler !== 'function')
    throw new TypeError(`fromFetchHandler: expected a (Request) => Response function, got ${typeof handler}`);
  const logger = options?.logger ?? consoleLogger;
  if (options?.overrideGlobalResponse !== false) installFastResponseByDefault();
  // Not async itself: runFetch's promise is returned as is (one promise per request, not two).
  return function fetchHandlerApp(scope, receive, send) {
    if (scope.type !== 'http') return Promise.reject(new UnsupportedScopeError(scope.type));
    return runFetch(handler, scope, receive as Receive<'http'>, send as Send<'http'>, logger);
  };
}

/**
 * What the lazy `Request` needs: method and signal at once, headers and body on first use. The
 * `AbortController` is only created when someone reads `request.signal`, and the disconnect
 * callback only registered when something could hear of it (`watch()`): a signal, a body stream,
 * an async handler, a streamed response. A synchronous handler answering with a lightweight
 * Response (Hono's hello world) needs neither.
 */
class FetchCall {
  readonly method: string;
  gone = false;
  reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #abort: AbortController | undefined;
  #watching = false;
  readonly #scope: HttpScope;
  readonly #receive: Receive<'http'>;

  constructor(scope: HttpScope, receive: Receive<'http'>, method: string) {
    this.method = method;
    this.#scope = scope;
    this.#receive = receive;
  }

  /**
   * Registers for the client's disconnect (once). A client already gone is reported at once
   * (on_disconnect calls back synchronously then), so `gone` is current right after this call.
   */
  watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    this.#scope['pagi.connection']?.on_disconnect(() => this.disconnected());
  }

  get signal(): AbortSignal {
    this.watch();
    this.#abort ??= new AbortController();
    if (this.gone && !this.#abort.signal.aborted) this.#abort.abort(goneError());
    return this.#abort.signal;
  }

  headers(): Headers {
    const headers = new Headers();
    for (const [name, value] of this.#scope.headers) headers.append(name, value);
    return headers;
  }

  bodyStream(): ReadableStream<Uint8Array> {
    return requestBodyStream(this.#receive);
  }

  readBody(): Promise<Uint8Array[]> {
    return readWholeBody(this.#receive);
  }

  /** The client went away: abort the signal, and cancel a pending body read. */
  disconnected(): void {
    this.gone = true;
    this.#abort?.abort(goneError());
    // A read pending on a body that never ends would keep the app alive forever.
    void this.reader?.cancel().catch(ignore);
  }
}

async function runFetch(
  handler: FetchHandler,
  scope: HttpScope,
  receive: Receive<'http'>,
  send: Send<'http'>,
  logger: LegacyLogger,
): Promise<void> {
  // What `new Request()` would refuse never reaches the handler (request-method.ts, fetch-url.ts).
  const requested = requestMethod(scope.method);
  const path = scope.raw_path ?? encodeURI(scope.path);
  const origin = originOf(scope, scope.headers);
  const url = origin === undefined ? undefined : requestUrl(origin, path, scope.query_string);
  if (typeof requested !== 'string' || url === undefined) {
    if (requested === 501) await sendPlain(send, 501, 'Not Implemented');
    else await sendPlain(send, 400, 'Bad Request');
    return;
  }
  const call = new FetchCall(scope, receive, requested);
  // The response is framed for the method the server saw (a lowercase `head` is not HEAD to it).
  const method = scope.method;

  let response: Response;
  let fast: FastResponseState | undefined;
  try {
    const result = handler(lazyRequest(url, call));
    // A synchronous handler (Hono's hello world) costs no extra microtask turn.
    if (typeof (result as Promise<Response>).then === 'function') {
      call.watch();
      response = await result;
    } else {
      response = result as Response;
    }
    // The lightweight Response is looked for first: `instanceof` against the swapped-in global
    // runs its Symbol.hasInstance (a call and a prototype walk) on every request.
    fast = typeof response === 'object' && response !== null ? FastResponse.stateOf(response) : undefined;
    if (
      fast === undefined &&
      !(response instanceof Response) &&
      typeof (response as Response | undefined)?.status !== 'number'
    )
      throw new TypeError(`expected the handler to return a Response, got ${typeof response}`);
  } catch (cause) {
    call.watch();
    if (call.gone) return;
    const error = new WrapLegacyError(
      'PAGI_ERR_LEGACY_HANDLER',
      `the fetch handler failed: ${messageOf(cause)}`,
      {
        cause,
      },
    );
    logger(error.message, error);
    await sendPlain(send, 500, 'Internal Server Error');
    return;
  }

  if (fast !== undefined) {
    // A lightweight Response (installFastResponse()): no web stream, one body event.
    await send({ type: 'http.response.start', status: fast.status, headers: fastHeaders(fast) });
    const noBody = fast.body === null || method === 'HEAD';
    // Awaited, not returned: returning a promise from an async function costs a thenable job and
    // two more microtask turns per request.
    await send(
      noBody
        ? { type: 'http.response.body', more: false }
        : { type: 'http.response.body', body: fast.body as string | Uint8Array, more: false },
    );
    return;
  }
  await send({ type: 'http.response.start', status: response.status, headers: headerList(response.headers) });
  const body = response.body;
  if (body === null || isNullBodyStatus(response.status) || method === 'HEAD') {
    if (body !== null) void body.cancel().catch(ignore);
    await send({ type: 'http.response.body', more: false });
    return;
  }
  const reader = body.getReader();
  call.reader = reader;
  call.watch();
  if (call.gone) {
    void reader.cancel().catch(ignore);
    return;
  }
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (call.gone) return;
      if (done) break;
      // One chunk per send(): the next read waits until the server took this one.
      if (value.byteLength > 0) await send({ type: 'http.response.body', body: value, more: true });
    }
  } catch (cause) {
    if (call.gone) return;
    const error = new WrapLegacyError(
      'PAGI_ERR_LEGACY_HANDLER',
      `the fetch handler's response body failed: ${messageOf(cause)}`,
      { cause },
    );
    logger(error.message, error);
    // Started but not finished: rejecting makes the server abort the response (D-12).
    throw error;
  }
  await send({ type: 'http.response.body', more: false });
}

const TEXT_PLAIN: [string, string] = ['content-type', 'text/plain;charset=UTF-8'];

function fastHeaders(fast: FastResponseState): HeaderList {
  if (fast.headers !== undefined) return headerList(fast.headers);
  // The headers the real Response would have: a content type for a string body, none otherwise.
  // A fresh list each time (a middleware may add to it); the pair itself is never changed.
  return typeof fast.body === 'string' ? [TEXT_PLAIN] : [];
}

/**
 * The response headers as a PAGI header list, in one pass: names come lowercase from `Headers`,
 * and its iterator yields each `set-cookie` on its own (never comma-joined, RFC 6265 §3).
 */
function headerList(headers: Headers): HeaderList {
  const out: HeaderList = [];
  for (const [name, value] of headers) if (!isHopByHop(name)) out.push([name, value]);
  return out;
}

function ignore(): void {}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
