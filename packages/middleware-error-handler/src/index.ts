import { randomUUID } from 'node:crypto';
import {
  type ConnectionScope,
  getHeader,
  isPagiError,
  type Receive,
  type Middleware,
  PagiValidationError,
  preferredMediaType,
  statusPhrase,
} from '@pagi/spec';
import { defineMiddleware, HttpError, respond } from '@pagi/spec/middleware';
import { type ErrorFormat, MEDIA_TYPES, renderError } from './render.js';

export type { ErrorFormat };

/** What `onError` and the logger learn about one caught error. */
export interface ErrorReport {
  error: unknown;
  scope: ConnectionScope;
  /** Random id, also shown on the error page, to find the log line from a user's report. */
  id: string;
  /** The status answered; `undefined` when the response had started and was aborted instead. */
  status: number | undefined;
  /** true when the response (or WebSocket / SSE stream) had already started. */
  started: boolean;
}

export interface ErrorHandlerOptions {
  /** Show the error's message and stack on the page. Default `false`: never in production. */
  development?: boolean;
  /** Status for an error that is not an `HttpError`. Default `500`. */
  status?: number;
  /** Formats offered to `Accept`, in order of preference; the first is the fallback. Default `['json', 'html', 'text']`. */
  formats?: ErrorFormat[];
  /** Called for every caught error, after logging; its own exceptions are ignored. */
  onError?: (report: ErrorReport) => void | Promise<void>;
  /** Where server errors (5xx and aborts) are logged. Default `console.error`. `false`: not logged. */
  logger?: ((message: string, report: ErrorReport) => void) | false;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['development', 'status', 'formats', 'onError', 'logger']);
const FORMATS: ReadonlySet<string> = new Set(['json', 'html', 'text']);

/** An `HttpError`, from this or another installed copy of `@pagi/spec` (brand check, not instanceof). */
function asHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (
    isPagiError(error) &&
    error.code === 'PAGI_ERR_HTTP' &&
    typeof (error as HttpError).status === 'number'
  ) {
    return error as HttpError;
  }
  return undefined;
}

/**
 * Catches what the inner app throws. Before the response started, it answers with an error page
 * in the format the request's `Accept` prefers (JSON, HTML or plain text): an `HttpError`'s
 * status, headers and detail; any other error as `status` (500) with a generic message and an
 * error id in production, or its message and stack in development. After the response started,
 * it logs and re-throws, so the server aborts the response (protocol D-12). A WebSocket not yet
 * accepted is declined with 500, an accepted one closed with 1011; an SSE request not yet
 * started is declined with 500.
 *
 * @throws PagiValidationError for an unknown or invalid option (when applied).
 * @example
 * const app = compose(errorHandler({ development: process.env.NODE_ENV === 'development' }))(router.app);
 */
export function errorHandler(options: ErrorHandlerOptions = {}): Middleware {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`errorHandler(): unknown option '${key}'`);
  }
  const development = options.development === true;
  const fallbackStatus = options.status ?? 500;
  if (!Number.isInteger(fallbackStatus) || fallbackStatus < 400 || fallbackStatus > 599) {
    throw new PagiValidationError(`errorHandler(): expected status 400–599, got ${String(fallbackStatus)}`);
  }
  const formats = options.formats ?? ['json', 'html', 'text'];
  if (formats.length === 0 || formats.some((f) => !FORMATS.has(f))) {
    throw new PagiValidationError(
      `errorHandler(): expected formats from 'json', 'html', 'text', got ${JSON.stringify(formats)}`,
    );
  }
  const offered = formats.map((f) => MEDIA_TYPES[f]);
  const onError = options.onError;
  const logger =
    options.logger === false
      ? undefined
      : (options.logger ?? ((message: string, report: ErrorReport) => console.error(message, report.error)));

  async function report(r: ErrorReport): Promise<void> {
    const server = r.status === undefined || r.status >= 500;
    if (logger !== undefined && server) {
      const where = `${r.scope.type} ${(r.scope as { method?: string }).method ?? 'GET'} ${r.scope.path}`;
      try {
        logger(
          `[errorHandler] error ${r.id} in ${where}${r.started ? ' after the response started (aborted)' : ''}`,
          r,
        );
      } catch {
        // A failing logger must not hide the error page.
      }
    }
    if (onError !== undefined) {
      try {
        await onError(r);
      } catch {
        // The hook is advisory: its failure must not replace the response.
      }
    }
  }

  /** Answers `error` on a connection where nothing was sent yet. */
  async function answer(
    scope: ConnectionScope,
    send: (event: never) => Promise<void>,
    error: unknown,
  ): Promise<void> {
    const id = randomUUID();
    const httpError = asHttpError(error);
    const status = httpError?.status ?? fallbackStatus;
    await report({ error, scope, id, status, started: false });
    if (scope.type === 'websocket') {
      // A handshake gets a 500 denial (or a bare close → 403): no page is read by a WebSocket client.
      await respond(scope, send, status).catch(() => undefined);
      return;
    }
    const mediaType = preferredMediaType(getHeader(scope.headers, 'accept'), offered) ?? offered[0]!;
    const format = formats[offered.indexOf(mediaType)]!;
    let message: string;
    let stack: string | undefined;
    if (httpError !== undefined) {
      // An HttpError's detail is written for the client (it defaults to the status phrase).
      message = httpError.detail;
      if (development) stack = httpError.stack;
    } else if (development) {
      message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      stack = error instanceof Error ? error.stack : undefined;
    } else {
      message = statusPhrase(status);
    }
    const body = renderError(format, { status, message, id, stack });
    await respond(scope, send, status, {
      headers: httpError?.headers,
      body,
      contentType: `${mediaType}; charset=utf-8`,
    }).catch(() => undefined); // the client may be gone: the error is already reported
  }

  /** Reports an error that struck after the response started, then re-throws it (D-12: abort). */
  async function afterStart(scope: ConnectionScope, error: unknown): Promise<never> {
    await report({ error, scope, id: randomUUID(), status: undefined, started: true });
    throw error;
  }

  /** HTTP and SSE fail alike: before the response starts an error page, after it an abort. */
  async function httpOrSse(
    scope: ConnectionScope,
    receive: Receive,
    send: (event: never) => Promise<void>,
    app: (scope: ConnectionScope, receive: Receive, send: (event: never) => Promise<void>) => Promise<void>,
  ): Promise<void> {
    const tracked = new Tracker(send as never);
    try {
      await app(scope, receive, tracked.send);
    } catch (error) {
      if (tracked.started) return afterStart(scope, error);
      await answer(scope, send, error);
    }
  }

  return defineMiddleware('errorHandler', {
    http: (scope, receive, send, app) => httpOrSse(scope, receive, send, app as never),
    sse: (scope, receive, send, app) => httpOrSse(scope, receive, send, app as never),
    websocket: async (scope, receive, send, app) => {
      const tracked = new Tracker(send as never);
      try {
        await app(scope, receive, tracked.send);
      } catch (error) {
        if (tracked.closed) {
          await report({ error, scope, id: randomUUID(), status: undefined, started: true });
          return;
        }
        if (!tracked.started) return answer(scope, send as never, error);
        if (!tracked.accepted) return afterStart(scope, error); // a denial response was under way
        // Accepted: close with 1011 "internal error" (RFC 6455 §7.4.1) instead of a dropped socket.
        await report({ error, scope, id: randomUUID(), status: undefined, started: true });
        await send({ type: 'websocket.close', code: 1011 }).catch(() => undefined);
      }
    },
  });
}

const STARTS: ReadonlySet<string> = new Set([
  'http.response.start',
  'sse.start',
  'sse.http.response.start',
  'websocket.accept',
  'websocket.http.response.start',
]);

/** Watches the inner app's sends: whether the response (or stream) started, whether a WebSocket closed. */
class Tracker {
  started = false;
  accepted = false;
  closed = false;
  constructor(private readonly inner: (event: { type: string }) => Promise<void>) {
    this.send = this.send.bind(this);
  }
  send(event: { type: string }): Promise<void> {
    // Marked before the send: once handed to the server, the start may be on the wire.
    if (STARTS.has(event.type)) {
      this.started = true;
      if (event.type === 'websocket.accept') this.accepted = true;
    } else if (event.type === 'websocket.close') this.closed = true;
    return this.inner(event);
  }
}
