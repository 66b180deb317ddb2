import { checkHeader, type HeaderList, type Middleware, PagiValidationError } from '@pagi/spec';
import {
  concatHeader,
  defineMiddleware,
  editHeaders,
  getHeader,
  hasHeader,
  type StartEvent,
  scopeKey,
  withKey,
} from '@pagi/spec/middleware';
import { counterIdGenerator } from './generator.js';

/** Inner apps read the ID with `REQUEST_ID.get(scope)` (or `.require(scope)`). */
export const REQUEST_ID = scopeKey<string>('request_id');

/** The longest incoming ID taken; longer ones are replaced (log lines, header budgets). */
export const MAX_REQUEST_ID_LENGTH = 200;

/**
 * What an ID may contain: letters, digits and `- _ . : + = / @` — enough for UUIDs, ULIDs,
 * base64 and W3C trace IDs; nothing that could break a log line, a header or a shell.
 */
const SAFE_ID = /^[A-Za-z0-9\-_.:+=/@]+$/;

export interface RequestIdOptions {
  /** The request and response header. Default `x-request-id`. */
  header?: string;
  /**
   * Take the ID from the request's header when it is valid (at most 200 characters of
   * `A-Z a-z 0-9 - _ . : + = / @`); otherwise a fresh one is made. Only turn this on behind a
   * proxy that sets or cleans the header. Default `false`.
   */
  trustIncoming?: boolean;
  /**
   * Makes a fresh ID; it must return a valid ID (see `trustIncoming`). Default: UUID-shaped IDs
   * (version 8) from a random per-process prefix and a scrambled counter: unique, cheap, not
   * secret. Pass `crypto.randomUUID` for IDs that must be unpredictable.
   */
  generator?: () => string;
}

const KNOWN: ReadonlySet<string> = new Set(['header', 'trustIncoming', 'generator']);

/** true for an ID this middleware will pass on: non-empty, ≤ 200 characters, the safe charset. */
export function isValidRequestId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_REQUEST_ID_LENGTH && SAFE_ID.test(id);
}

/**
 * Gives every HTTP request, WebSocket and SSE connection an ID: the incoming header's value when
 * `trustIncoming` and valid, else a fresh one from `generator`. Inner apps read it with
 * {@link REQUEST_ID}; the response (`http.response.start`, `sse.start`, `websocket.accept` and
 * refusals) carries it in `header`, unless the app set that header itself.
 *
 * @throws PagiValidationError for an unknown option or a bad header name (when called), and, per
 *   request, when `generator` returns an invalid ID.
 * @example
 * const app = compose(requestId({ trustIncoming: true }))(router.app);
 * // inner app: log.info({ id: REQUEST_ID.get(scope) }, 'hello');
 */
export function requestId(options: RequestIdOptions = {}): Middleware {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new PagiValidationError(`requestId(): unknown option '${key}'`);
  }
  const header = checkHeader(options.header ?? 'x-request-id', 'x');
  if (options.trustIncoming !== undefined && typeof options.trustIncoming !== 'boolean') {
    throw new PagiValidationError(
      `requestId(): expected trustIncoming to be a boolean, got ${typeof options.trustIncoming}`,
    );
  }
  const trust = options.trustIncoming ?? false;
  if (options.generator !== undefined && typeof options.generator !== 'function') {
    throw new PagiValidationError(
      `requestId(): expected generator to be a function, got ${typeof options.generator}`,
    );
  }
  const generate = options.generator ?? counterIdGenerator();
  // The default generator's IDs are always valid; only a caller's generator is checked, per ID.
  const check = options.generator !== undefined;

  const idFor = (headers: HeaderList): string => {
    if (trust) {
      const incoming = getHeader(headers, header);
      if (incoming !== undefined && isValidRequestId(incoming)) return incoming;
    }
    const id = generate();
    if (check && (typeof id !== 'string' || !isValidRequestId(id))) {
      throw new PagiValidationError(
        `requestId(): expected generator to return 1-200 characters of A-Z a-z 0-9 - _ . : + = / @, got ${JSON.stringify(id)}`,
      );
    }
    return id;
  };

  /**
   * The response header edit, built once; the ID comes as `editHeaders`' argument (one closure
   * per request, not two). The app's own header wins. The new list is a shallow copy plus the
   * pair, made at its size: the app's list and pairs are left as they were.
   */
  const stamp = (headers: HeaderList, _start: StartEvent, id: string): HeaderList | undefined =>
    hasHeader(headers, header) ? undefined : concatHeader(headers, [header, id]);

  return defineMiddleware('requestId', {
    http: (scope, receive, send, app) => {
      const id = idFor(scope.headers);
      return app(withKey(scope, REQUEST_ID, id), receive, editHeaders(send, stamp, id));
    },
    websocket: (scope, receive, send, app) => {
      const id = idFor(scope.headers);
      return app(withKey(scope, REQUEST_ID, id), receive, editHeaders(send, stamp, id));
    },
    sse: (scope, receive, send, app) => {
      const id = idFor(scope.headers);
      return app(withKey(scope, REQUEST_ID, id), receive, editHeaders(send, stamp, id));
    },
  });
}
