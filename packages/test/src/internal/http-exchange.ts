import {
  type App,
  type HeaderList,
  type HttpScope,
  PagiValidationError,
  type ReceiveEvent,
  type SendValidator,
  SETTLED,
  createSendValidator,
  toBytes,
} from '@pagi/spec';
import type { DisconnectPoint, RequestOptions } from '../options.js';
import { AsyncQueue } from './async-queue.js';
import type { BodySource } from './body-source.js';
import { prepareBody } from './body-source.js';
import type { ClientConfig } from './config.js';
import { TestConnectionState, createTransportState } from './connection-state.js';
import { type Deferred, createDeferred } from './deferred.js';
import { readFileBody } from './file-body.js';
import { checkContentLength, clientHead } from './response-framing.js';
import { sharedReceive } from './shared-receive.js';
import { baseScope } from './scope.js';

/** What the client got as the response head; `undefined` when the client left before it came. */
export type ResponseHead = { status: number; headers: HeaderList } | undefined;

const BACKSTOP_BODY = Buffer.from('Internal Server Error\n', 'utf8');

/** Reads the bytes a `file`/`fh` body event names, within its `offset`/`length`. */
function readFile(ev: Record<string, unknown>): Promise<Buffer> {
  const range = { offset: ev.offset as number | undefined, length: ev.length as number | undefined };
  return readFileBody(typeof ev.file === 'string' ? { file: ev.file } : { fh: ev.fh as number }, range);
}

/** Copies an event so later mutation by the app (or middleware) cannot change the record. */
function snapshot(event: object): object {
  return { ...event };
}

function copyHeaders(headers: HeaderList | undefined): HeaderList {
  return (headers ?? []).map(([n, v]) => [n, v]);
}

/**
 * One in-process HTTP request: plays the server's part for `app(scope, receive, send)` and feeds
 * what the app sends to the client side (`head`, `chunks`, `trailers`).
 *
 * Timeline kept faithful to the server: body events with lookahead `more` flags; after the body,
 * `receive()` parks until the response is complete or the client is gone, then yields
 * `http.disconnect` forever (D-7, D-15); every `send()` goes through the spec validator first,
 * except after the client has gone, when it is a no-op (D-6).
 */
export class HttpExchange {
  readonly scope: HttpScope;
  readonly connection = new TestConnectionState();
  /** Every event the app sent (and the server accepted), copied, in order. */
  readonly events: object[] = [];
  readonly head: Deferred<ResponseHead> = createDeferred<ResponseHead>();
  readonly chunks = new AsyncQueue<Buffer>();
  trailers: HeaderList | undefined;
  /** The client went away before the response was complete. */
  disconnected = false;
  /**
   * The response started but was cut before its body was complete: the app returned (or threw)
   * before the final body event, or its body did not match its `content-length`. The server
   * aborts such a response (closes the connection without ending the body, D-12), so an HTTP
   * client sees an error; in-process the body received so far is kept and this flag is set.
   */
  aborted = false;
  /** The app's exception, if it threw. */
  appError: { error: unknown } | undefined;
  /** Settles (never rejects) once the app's promise has settled and the outcome is recorded. */
  readonly appDone: Promise<void>;

  private readonly validator: SendValidator;
  private readonly body: BodySource;
  private readonly disconnectAt: DisconnectPoint | undefined;
  private readonly isHead: boolean;
  /** HEAD, 1xx, 204 and 304 responses carry no body (RFC 9110 §6.4.1): the bytes are dropped. */
  private dropBody = false;
  /** The app's `content-length`, which the body must match exactly (Node's strictContentLength). */
  private declaredLength: number | undefined;
  private bodyBytes = 0;
  private readonly raiseAppErrors: boolean;
  /** Resolves when the client is gone or the request ended abnormally. */
  private readonly gone = createDeferred<void>();
  /** Resolves when the final body event (or the trailers) was processed. */
  private readonly complete = createDeferred<void>();
  private bodyRead = false;
  private started = false;
  private trailersDeclared = false;
  /** Whether declared trailers can reach the client (see `http.response.start` below). */
  private trailersFramed = true;
  private readonly httpVersion: string;
  private bodyDone = false;
  private bodyEvents = 0;
  private sourceError: { error: unknown } | undefined;

  constructor(
    app: App,
    config: ClientConfig,
    state: Record<string, unknown>,
    method: string,
    path: string,
    opts: RequestOptions,
  ) {
    const httpVersion = opts.httpVersion ?? '1.1';
    this.httpVersion = httpVersion;
    const prepared = prepareBody(opts, httpVersion);
    this.body = prepared.source;
    this.disconnectAt = opts.disconnect;
    this.raiseAppErrors = config.raiseAppErrors;
    this.isHead = method.toUpperCase() === 'HEAD';
    this.scope = {
      type: 'http',
      ...baseScope(config, state, {
        path,
        query: opts.query,
        headers: opts.headers,
        httpVersion,
        scheme: config.scheme,
        extra: prepared.headers,
      }),
      method: method.toUpperCase(),
      extensions: { fullflush: {}, ...config.extensions },
      'pagi.connection': this.connection,
      'pagi.transport': createTransportState(),
    };
    this.validator = createSendValidator(this.scope);
    const receive = sharedReceive(() => this.produce());
    const send = (event: unknown) => this.send(event);
    // A rejected head is always read by the client call that created this exchange.
    this.head.promise.catch(() => {});

    // 'before-body': the client is gone before the app even runs its first line.
    if (this.disconnectAt === 'before-body') this.clientDisconnect();
    this.appDone = Promise.resolve()
      .then(() => app(this.scope, receive, send))
      .then(
        () => this.onAppSettled(undefined),
        (error: unknown) => this.onAppSettled({ error }),
      );
  }

  /** The error a client call should reject with, if any: the app's, the body's, a callback's. */
  failure(): { error: unknown } | undefined {
    if (this.sourceError) return this.sourceError;
    if (!this.raiseAppErrors) return undefined;
    if (this.appError) return this.appError;
    const cbError = this.connection.callbackErrors[0];
    return cbError === undefined ? undefined : { error: cbError };
  }

  /**
   * The client drops the connection (protocol.md §3.8 abnormal path). A no-op once the response
   * was fully delivered: a late close does not turn a delivered response into a failure.
   */
  clientDisconnect(reason: 'client_closed' | 'read_error' = 'client_closed'): void {
    if (this.complete.settled || this.disconnected) return;
    if (!this.connection.abort(reason)) return;
    this.disconnected = true;
    this.gone.resolve();
    this.head.resolve(undefined);
    this.chunks.end();
  }

  private async produce(): Promise<ReceiveEvent<'http'>> {
    if (!this.bodyRead && !this.gone.settled) {
      let chunk: Awaited<ReturnType<BodySource['next']>> | undefined;
      const next = this.body.next();
      // If the disconnect wins the race, a later failure of the body source has no reader left.
      next.catch(() => {});
      try {
        chunk = await Promise.race([next, this.gone.promise.then(() => undefined)]);
      } catch (error) {
        // The test's own body iterable failed: to the app this is a read error on the socket.
        this.sourceError = { error };
        this.clientDisconnect('read_error');
      }
      if (chunk !== undefined && !this.gone.settled) {
        if (!chunk.more) {
          this.bodyRead = true;
          if (this.disconnectAt === 'after-body') this.clientDisconnect();
        }
        return { type: 'http.request', body: chunk.body, more: chunk.more };
      }
    }
    await Promise.race([this.gone.promise, this.complete.promise]);
    return { type: 'http.disconnect' };
  }

  /**
   * The app's `send()`. Not `async`: an event handled synchronously (every event but a file body
   * read from disk) returns @pagi/spec's shared `SETTLED`, as the server's `send()` does, so a
   * caller that checks for it (`Response#send`) takes the same path here as on the server. A
   * refused event returns a rejected promise, never a synchronous throw.
   */
  private send(event: unknown): Promise<void> {
    // D-6: once the client is gone (or the request was ended abnormally), sends do nothing.
    if (this.gone.settled) return SETTLED;
    try {
      if ((event as { type?: unknown } | null)?.type === 'http.response.start') checkContentLength(event);
      if (this.readsFileFirst(event)) return this.sendReadFirst(event as Record<string, unknown>);
      return this.accept(event, undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A file body read before the state machine advances (see {@link HttpExchange.readsFileFirst}). */
  private async sendReadFirst(event: Record<string, unknown>): Promise<void> {
    const fileData = await readFile(event);
    if (this.gone.settled) return;
    await this.accept(event, fileData);
  }

  /**
   * Validates, records and delivers one event: `SETTLED`, or the pending read of a file body
   * that was not read first. Throws what the validator or the framing refuses.
   */
  private accept(event: unknown, fileData: Buffer | undefined): Promise<void> {
    const verdict = this.validator.check(event);
    const ev = event as Record<string, unknown> & { type: string };
    this.events.push(snapshot(ev));
    if (verdict === 'ignore') return SETTLED;
    switch (ev.type) {
      case 'http.response.start': {
        this.started = true;
        this.trailersDeclared = ev.trailers === true;
        // HTTP/1.x carries trailers only in chunked framing (RFC 9112 §7.1.2): with an HTTP/1.0
        // client, or a content-length the app set, the server has nowhere to put them and drops
        // them (protocol.md §4.1.5). HTTP/2 always has a final HEADERS frame for them.
        const headers = (ev.headers as HeaderList | undefined) ?? [];
        const lengthHeader = headers.find(([n]) => n.toLowerCase() === 'content-length');
        const hasLength = lengthHeader !== undefined;
        const status = ev.status as number;
        this.dropBody = this.isHead || status < 200 || status === 204 || status === 304;
        this.declaredLength = lengthHeader === undefined ? undefined : Number(lengthHeader[1]);
        this.trailersFramed = this.httpVersion === '2' || (this.httpVersion !== '1.0' && !hasLength);
        this.connection.markStarted();
        this.head.resolve({ status: ev.status as number, headers: clientHead(ev.headers as HeaderList) });
        const at = this.disconnectAt;
        if (at === 'after-response-start' || (typeof at === 'object' && at.afterChunks === 0)) {
          this.clientDisconnect();
        }
        return SETTLED;
      }
      case 'http.response.body': {
        if (typeof ev.file === 'string' || ev.fh !== undefined) {
          // A file body always ends the response body (protocol.md §4.1.4).
          if (fileData !== undefined) {
            this.deliverBody(fileData, true);
            return SETTLED;
          }
          return this.readThenDeliver(ev);
        }
        const bytes = toBytes(ev.body as Uint8Array | string | undefined);
        this.deliverBody(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), ev.more !== true);
        return SETTLED;
      }
      case 'http.response.trailers':
        this.trailers = this.trailersFramed ? copyHeaders(ev.headers as HeaderList | undefined) : [];
        this.finishResponse();
        return SETTLED;
      default:
        // http.fullflush: nothing is buffered in-process, so there is nothing to flush.
        return SETTLED;
    }
  }

  private async readThenDeliver(ev: Record<string, unknown>): Promise<void> {
    this.deliverBody(await readFile(ev), true);
  }

  /** Hands body bytes to the client side, checked against the declared length. */
  private deliverBody(data: Buffer, final: boolean): void {
    if (this.gone.settled) return;
    this.checkDeclaredLength(data.length, final);
    this.bodyBytes += data.length;
    // HEAD, 204, 304: the server writes the head and drops every body byte.
    if (!this.dropBody && data.length > 0) this.chunks.push(Buffer.from(data));
    this.bodyEvents++;
    if (final) {
      this.bodyDone = true;
      if (!this.trailersDeclared) this.finishResponse();
    }
    const at = this.disconnectAt;
    if (typeof at === 'object' && at.afterChunks === this.bodyEvents) this.clientDisconnect();
  }

  /**
   * A body that overruns the app's `content-length`, or ends short of it, cannot be framed: the
   * server's write fails, the response is cut (`server_error`) and the `send()` rejects. Nothing
   * of the offending chunk reaches the client.
   */
  private checkDeclaredLength(adding: number, final: boolean): void {
    const declared = this.declaredLength;
    if (declared === undefined || this.dropBody) return;
    const total = this.bodyBytes + adding;
    if (total <= declared && !(final && total < declared)) return;
    this.aborted = true;
    this.connection.abort('server_error');
    this.gone.resolve();
    this.chunks.end();
    throw new PagiValidationError(
      total > declared
        ? `http.response.body: expected at most ${declared} bytes (content-length), got ${total}`
        : `http.response.body: expected ${declared} bytes (content-length) before the body ended, got ${total}`,
    );
  }

  /**
   * Whether `send()` reads this file body before the state machine advances, so a file that
   * cannot be read rejects the `send()` and leaves the response open for another body (a 404
   * page, say), as on the server: nothing was written. Field and state errors still come first:
   * the event is tried here on a scratch validator in the same state (which throws them) before
   * the file is touched.
   */
  private readsFileFirst(event: unknown): boolean {
    const ev = event as Record<string, unknown> | null;
    if (ev?.type !== 'http.response.body' || (ev.file === undefined && ev.fh === undefined)) return false;
    if (this.validator.state !== 'started') return false;
    const scratch = createSendValidator(this.scope);
    scratch.check({ type: 'http.response.start', status: 200, trailers: this.trailersDeclared });
    scratch.check(ev);
    return true;
  }

  private finishResponse(): void {
    this.connection.markResponseComplete();
    this.complete.resolve();
    this.chunks.end();
  }

  private onAppSettled(outcome: { error: unknown } | undefined): void {
    this.appError = outcome;
    if (this.disconnected) return;
    if (!this.started) {
      this.backstop(outcome);
      return;
    }
    // Trailers promised but never sent: the server ends the message with an empty trailer
    // section (the body was complete, nothing is lost), and the request ends on the abnormal path.
    if (!this.complete.settled && this.bodyDone && this.trailersDeclared) this.trailers = [];
    if (this.complete.settled) {
      // D-11: delivered and the app has settled; an exception after that is only reported.
      this.connection.complete();
      return;
    }
    // Started but its body unfinished (D-12): the server aborts the response (no end of body on
    // the wire) and the request ends abnormally.
    if (!this.bodyDone) this.aborted = true;
    this.connection.abort('server_error');
    this.gone.resolve();
    if (outcome && this.raiseAppErrors) this.chunks.fail(outcome.error);
    else this.chunks.end();
  }

  /** The server's 500 for an app that threw or returned before `http.response.start` (§1.6). */
  private backstop(outcome: { error: unknown } | undefined): void {
    this.started = true;
    this.connection.markStarted();
    this.connection.abort('server_error');
    this.gone.resolve();
    if (outcome && this.raiseAppErrors) {
      this.head.reject(outcome.error);
      this.chunks.fail(outcome.error);
      return;
    }
    this.head.resolve({
      status: 500,
      headers: [
        ['content-type', 'text/plain; charset=utf-8'],
        ['content-length', String(BACKSTOP_BODY.length)],
      ],
    });
    if (!this.isHead) this.chunks.push(BACKSTOP_BODY);
    this.chunks.end();
  }
}
