import { STATUS_CODES } from 'node:http';
import {
  type App,
  type BodyInput,
  type ConnectionScope,
  escapeHtml,
  PagiValidationError,
  toHeaderList,
} from '@pagi/spec';
import { type RespondOptions, respond } from '@pagi/spec/middleware';

/** A body computed per connection (may be async). */
export type NotFoundBody = (scope: ConnectionScope) => BodyInput | Promise<BodyInput>;

/** Options of {@link notFound}. */
export interface NotFoundOptions {
  /** The status, 400-599. Default 404. */
  status?: number;
  /**
   * The body: a string (where `{path}` is replaced by the request path, HTML-escaped when the
   * content type is HTML), bytes, or a function of the scope (its result is sent as is: escape
   * request data yourself, e.g. with `escapeHtml` of `@pagi/spec`). Default: the status phrase
   * (`Not Found`).
   */
  body?: string | Uint8Array | NotFoundBody;
  /** `content-type` of the body. Default `text/plain; charset=utf-8`. */
  contentType?: string;
  /** Extra response headers (validated: CR/LF refused). Default none. */
  headers?: RespondOptions['headers'];
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['status', 'body', 'contentType', 'headers']);
const PATH = /\{path\}/g;

function fail(message: string): never {
  throw new PagiValidationError(`notFound(): ${message}`);
}

/**
 * An app that answers every connection with the same refusal, in the scope's own vocabulary:
 * HTTP a response, SSE a decline (`sse.http.response.*`), WebSocket a denial with the status when
 * the server offers the `websocket.http.response` extension, else a close before accept (403).
 * `lifespan` is declined (the app returns).
 *
 * @throws PagiValidationError for an unknown option, a status outside 400-599, a bad body or
 * content type, or an unsafe header (at factory time).
 * @example
 * export default urlMap({ '/api': api }, { default: notFound({ body: 'No route for {path}' }) });
 */
export function notFound(options: NotFoundOptions = {}): App {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) fail(`unknown option '${key}'`);
  }
  const status = options.status ?? 404;
  if (!Number.isInteger(status) || status < 400 || status > 599)
    fail(`expected status to be an integer 400-599, got ${JSON.stringify(options.status)}`);
  const contentType = options.contentType ?? 'text/plain; charset=utf-8';
  if (typeof contentType !== 'string' || !/^[\x21-\x7e][\x20-\x7e]*$/.test(contentType))
    fail(
      `expected contentType to be a header value without control characters, got ${JSON.stringify(contentType)}`,
    );
  // Node's reason phrases (RFC 9110 §15) cover every registered status, 410 and 451 included.
  const body = options.body ?? STATUS_CODES[status] ?? 'Error';
  if (typeof body !== 'string' && typeof body !== 'function' && !(body instanceof Uint8Array))
    fail(`expected body to be a string, bytes or a function, got ${typeof body}`);
  // Validated once here (respond() would refuse a bad header on every request instead).
  const reply: RespondOptions = { contentType, headers: respondHeaders(options.headers) };
  const html = /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType);
  const template = typeof body === 'string' && body.includes('{path}') ? body : undefined;

  return async function notFoundApp(scope, _receive, send) {
    if (scope.type === 'lifespan') return;
    let out: BodyInput;
    if (template !== undefined) {
      const path = html ? escapeHtml(scope.path) : scope.path;
      out = template.replace(PATH, () => path);
    } else if (typeof body === 'function') out = await body(scope);
    else out = body;
    await respond(scope, send as never, status, { ...reply, body: out });
  };
}

/** The headers, checked once at factory time with the one rule respond() applies per request. */
function respondHeaders(headers: RespondOptions['headers']): RespondOptions['headers'] {
  if (headers === undefined) return undefined;
  try {
    toHeaderList(headers);
  } catch (error) {
    fail((error as Error).message);
  }
  return headers;
}
