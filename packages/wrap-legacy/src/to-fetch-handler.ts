import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import {
  type App,
  type ConnectionState,
  type DisconnectReason,
  type HeaderList,
  type HttpScope,
  type SendValidator,
  type SseScope,
  acceptsEventStream,
  createSendValidator,
  toBytes,
} from '@pagi/spec';
import { WrapLegacyError } from './errors.js';
import { isHopByHop } from './internal/hop-by-hop.js';
import { isNullBodyStatus } from './internal/null-body-status.js';
import { formatSseComment, formatSseMessage } from '@pagi/spec';
import { type LegacyLogger, consoleLogger } from './logger.js';

/** Options of {@link toFetchHandler}. */
export interface ToFetchHandlerOptions {
  /** Where app errors are reported. Default `console.error`. */
  logger?: LegacyLogger;
  /**
   * The client address for `scope.client`; the fetch interface has none of its own (Deno gives
   * it as `info.remoteAddr`, srvx as `request.ip`). Default: `scope.client` is omitted.
   */
  clientAddress?: (request: Request) => [host: string, port: number] | undefined;
}

const encoder = new TextEncoder();

/**
 * Runs a PAGI app where only the fetch interface exists (Deno, Bun, edge workers, srvx).
 * Each `Request` becomes an `http` scope, or an `sse` scope for a GET that accepts
 * `text/event-stream` (D-14). The returned promise resolves with the `Response` as soon as the
 * app starts its response; the body is a pull stream, so `await send()` waits until the runtime
 * asked for more (backpressure). `request.signal` aborting becomes `http.disconnect` /
 * `sse.disconnect`. Every `send()` is checked by `createSendValidator` first.
 *
 * Not carried by the fetch interface: trailers (dropped), `http.fullflush` (not advertised).
 *
 * @example
 * import { serve } from 'srvx';
 * serve({ port: 3000, fetch: toFetchHandler(app) });
 * // Deno: Deno.serve(toFetchHandler(app));  Bun: Bun.serve({ fetch: toFetchHandler(app) });
 */
export function toFetchHandler(
  app: App,
  options?: ToFetchHandlerOptions,
): (request: Request) => Promise<Response> {
  if (typeof app !== 'function')
    throw new TypeError(`toFetchHandler: expected an app function, got ${typeof app}`);
  const logger = options?.logger ?? consoleLogger;
  const clientAddress = options?.clientAddress;
  return function pagiFetchHandler(request: Request): Promise<Response> {
    return new FetchExchange(request, logger, clientAddress?.(request)).run(app);
  };
}

/** One request/response through the app. */
class FetchExchange {
  readonly #request: Request;
  readonly #logger: LegacyLogger;
  readonly #scope: HttpScope | SseScope;
  readonly #validator: SendValidator;
  readonly #sse: boolean;
  #respond!: (response: Response) => void;
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #bodyDone = false;
  #started = false;
  #complete = false;
  #reason: DisconnectReason | undefined;
  #pendingReceive: Promise<unknown> | undefined;
  #waitEnd: (() => void) | undefined;
  #waitPull: (() => void) | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #disconnectCallbacks: ((reason: DisconnectReason) => void)[] = [];
  #completeCallbacks: (() => void)[] = [];

  constructor(request: Request, logger: LegacyLogger, client: [string, number] | undefined) {
    this.#request = request;
    this.#logger = logger;
    const url = new URL(request.url);
    const headers: HeaderList = [];
    for (const [name, value] of request.headers) headers.push([name, value]);
    this.#sse = request.method === 'GET' && acceptsEventStream(request.headers.get('accept') ?? undefined);
    const scheme = url.protocol.slice(0, -1);
    const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
    const base = {
      pagi: { version: '0.3', spec_version: '0.3' },
      http_version: '1.1',
      scheme,
      path: decodePath(url.pathname),
      raw_path: url.pathname,
      query_string: url.search.slice(1),
      root_path: '',
      headers,
      server: [url.hostname, port] as [string, number],
      extensions: {},
      method: request.method,
      ...(client === undefined ? {} : { client }),
    };
    this.#scope = this.#sse
      ? ({ type: 'sse', ...base } as SseScope)
      : ({ type: 'http', ...base, 'pagi.connection': this.#connectionState() } as HttpScope);
    this.#validator = createSendValidator(this.#scope);
    if (request.body !== null) this.#reader = request.body.getReader();
    const signal = request.signal;
    if (signal.aborted) this.#gone('client_closed');
    else signal.addEventListener('abort', () => this.#gone('client_closed'), { once: true });
  }

  run(app: App): Promise<Response> {
    const response = new Promise<Response>((resolve) => {
      this.#respond = resolve;
    });
    Promise.resolve()
      .then(() => app(this.#scope, this.#receive, this.#send))
      .then(
        () => this.#appReturned(undefined),
        (error: unknown) => this.#appReturned(error ?? new Error('the app rejected with no reason')),
      );
    return response;
  }

  readonly #receive = (): Promise<never> => {
    // D-15: a second call while one is pending gets the same promise.
    this.#pendingReceive ??= this.#nextEvent().finally(() => {
      this.#pendingReceive = undefined;
    });
    return this.#pendingReceive as Promise<never>;
  };

  async #nextEvent(): Promise<unknown> {
    const requestType = this.#sse ? 'sse.request' : 'http.request';
    if (this.#reason === undefined && !this.#bodyDone && this.#reader !== undefined) {
      // Still reading the request body.
      try {
        const { done, value } = await this.#reader.read();
        if (done) {
          this.#bodyDone = true;
          return { type: requestType, body: new Uint8Array(0), more: false };
        }
        return { type: requestType, body: value, more: true };
      } catch {
        this.#gone('read_error');
      }
    }
    if (this.#reason === undefined && !this.#bodyDone) {
      this.#bodyDone = true;
      return { type: requestType, body: new Uint8Array(0), more: false };
    }
    // D-7: after the body, wait until the response is complete or the client went away.
    if (this.#reason === undefined && !this.#complete)
      await new Promise<void>((resolve) => {
        this.#waitEnd = resolve;
      });
    return this.#sse
      ? { type: 'sse.disconnect', reason: this.#reason ?? 'client_closed' }
      : { type: 'http.disconnect' };
  }

  readonly #send = async (event: unknown): Promise<void> => {
    // D-6: after the client has gone, send() resolves and does nothing.
    if (this.#reason !== undefined) return;
    if (this.#validator.check(event) === 'ignore') return;
    const e = event as Record<string, unknown> & { type: string };
    switch (e.type) {
      case 'http.response.start':
      case 'sse.http.response.start':
        return this.#start(e.status as number, (e.headers as HeaderList | undefined) ?? [], false);
      case 'sse.start':
        return this.#start(
          (e.status as number | undefined) ?? 200,
          (e.headers as HeaderList | undefined) ?? [],
          true,
        );
      case 'http.response.body':
      case 'sse.http.response.body':
        return this.#body(e);
      case 'http.response.trailers':
        // The fetch interface has no trailers: the event only completes the response.
        return this.#finish();
      case 'sse.send':
        return this.#write(encoder.encode(formatSseMessage(e as never)));
      case 'sse.comment':
        return this.#write(encoder.encode(formatSseComment(e.comment as string)));
      case 'sse.keepalive':
        return this.#setKeepalive(e.interval as number, (e.comment as string | undefined) ?? '');
      case 'sse.close':
        return this.#finish();
    }
  };

  #start(status: number, headers: HeaderList, eventStream: boolean): void {
    const out = new Headers();
    for (const [name, value] of headers) if (!isHopByHop(name)) out.append(name, value);
    if (eventStream) {
      if (!out.has('content-type')) out.set('content-type', 'text/event-stream');
      if (!out.has('cache-control')) out.set('cache-control', 'no-cache');
    }
    this.#started = true;
    const nullBody = isNullBodyStatus(status) || this.#request.method === 'HEAD';
    const body = nullBody
      ? null
      : new ReadableStream<Uint8Array>(
          {
            start: (controller) => {
              this.#controller = controller;
            },
            pull: () => {
              this.#wakeWriter();
            },
            cancel: () => {
              this.#gone('client_closed');
            },
          },
          { highWaterMark: 1 },
        );
    this.#respond(new Response(body, { status, headers: out }));
  }

  async #body(e: Record<string, unknown>): Promise<void> {
    if (e.file !== undefined || e.fh !== undefined) {
      await this.#fileBody(e);
      return this.#finishBody();
    }
    const bytes = toBytes(e.body as Uint8Array | string | undefined);
    if (bytes.byteLength > 0) await this.#write(bytes);
    if (e.more !== true) this.#finishBody();
  }

  async #fileBody(e: Record<string, unknown>): Promise<void> {
    const offset = (e.offset as number | undefined) ?? 0;
    const length = e.length as number | undefined;
    const range = { start: offset, ...(length === undefined ? {} : { end: offset + length - 1 }) };
    if (length === 0) return;
    const fh = e.fh as FileHandle | number | undefined;
    const stream =
      fh === undefined
        ? createReadStream(e.file as string, range)
        : typeof fh === 'number'
          ? createReadStream('', { ...range, fd: fh, autoClose: false })
          : fh.createReadStream({ ...range, autoClose: false });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (this.#reason !== undefined) {
        stream.destroy();
        return;
      }
      await this.#write(chunk);
    }
  }

  /** Hands one chunk to the Response stream; waits while the runtime has not asked for more. */
  async #write(chunk: Uint8Array): Promise<void> {
    const controller = this.#controller;
    if (controller === undefined || this.#reason !== undefined) return;
    controller.enqueue(chunk);
    if ((controller.desiredSize ?? 1) <= 0)
      await new Promise<void>((resolve) => {
        this.#waitPull = resolve;
      });
  }

  #wakeWriter(): void {
    const wake = this.#waitPull;
    this.#waitPull = undefined;
    wake?.();
  }

  #finishBody(): void {
    // Declared trailers complete the response later; fetch drops them anyway.
    if (this.#validator.finished) this.#finish();
  }

  #finish(): void {
    if (this.#complete) return;
    this.#complete = true;
    this.#stopKeepalive();
    try {
      this.#controller?.close();
    } catch {
      // Already closed or errored by a cancel.
    }
    this.#waitEnd?.();
    for (const cb of this.#completeCallbacks) cb();
  }

  #setKeepalive(interval: number, comment: string): void {
    this.#stopKeepalive();
    if (interval <= 0) return;
    const bytes = encoder.encode(formatSseComment(comment));
    this.#keepalive = setInterval(() => {
      // A keepalive never waits: a client too slow to take a comment is left to the runtime.
      if (this.#controller !== undefined && !this.#complete && (this.#controller.desiredSize ?? 1) > 0)
        this.#controller.enqueue(bytes);
    }, interval * 1000);
    this.#keepalive.unref();
  }

  #stopKeepalive(): void {
    if (this.#keepalive !== undefined) clearInterval(this.#keepalive);
    this.#keepalive = undefined;
  }

  #gone(reason: DisconnectReason): void {
    if (this.#reason !== undefined || this.#complete) return;
    this.#reason = reason;
    this.#stopKeepalive();
    this.#wakeWriter();
    this.#waitEnd?.();
    void this.#reader?.cancel().catch(() => {});
    for (const cb of this.#disconnectCallbacks) cb(reason);
  }

  #appReturned(error: unknown): void {
    if (error !== undefined) {
      const wrapped = new WrapLegacyError(
        'PAGI_ERR_LEGACY_HANDLER',
        `the PAGI app threw: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
      this.#logger(wrapped.message, wrapped);
    }
    if (!this.#started) {
      // D-12: nothing started, answer 500 (the app returned or threw without responding).
      if (error === undefined && this.#reason === undefined)
        this.#logger('the PAGI app returned without sending a response');
      this.#respond(
        new Response('Internal Server Error', {
          status: 500,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        }),
      );
      this.#finish();
      return;
    }
    if (this.#complete || this.#reason !== undefined) return;
    if (this.#sse || this.#validator.state === 'body-done') {
      // An SSE stream ends when its app returns; declared-but-unsent trailers are dropped.
      this.#finish();
      return;
    }
    // D-12: started, not finished: error the stream so the client can tell it is incomplete.
    this.#stopKeepalive();
    this.#controller?.error(error ?? new Error('the app returned before finishing its response'));
    this.#complete = true;
    this.#waitEnd?.();
  }

  #connectionState(): ConnectionState {
    return {
      is_connected: () => this.#reason === undefined && !this.#complete,
      disconnect_reason: () => this.#reason,
      on_disconnect: (cb) => {
        if (this.#reason !== undefined) cb(this.#reason);
        else this.#disconnectCallbacks.push(cb);
      },
      response_started: () => this.#started,
      on_complete: (cb) => {
        if (this.#complete && this.#reason === undefined) cb();
        else this.#completeCallbacks.push(cb);
      },
      response_complete: () => this.#complete,
    };
  }
}

/** Percent-decodes a path; a sequence that is not valid UTF-8 is decoded as latin1 (D-8). */
function decodePath(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
