/**
 * Answering a request directly (a preflight, a 401, a 429) in the event vocabulary of its scope
 * type: `http.response.*` for HTTP, `sse.http.response.*` to decline an SSE request
 * (protocol.md §4.4.3), and for a WebSocket the denial extension when the server advertises it
 * (§4.3), else a `websocket.close` before accept, which servers answer with a bare 403 (§4.2.6).
 */
import { toBytes } from '../bytes.js';
import { PagiValidationError } from '../errors.js';
import { hasHeader } from '../header-list.js';
import { type HeaderInit, toHeaderList } from '../headers-validate.js';
import { HttpError } from '../http-error.js';
import type { BodyInput, ConnectionScope, HeaderList, SendEvent } from '../types.js';

/** The scope types a response can be given to. */
export type ConnectionType = 'http' | 'websocket' | 'sse';

export interface RespondOptions {
  /** Extra headers; names in any case (validated, lowercased). */
  headers?: HeaderInit;
  /** The body; a string is sent as UTF-8. Default: none. */
  body?: BodyInput;
  /** `content-type` when there is a body and `headers` has none; default `text/plain; charset=utf-8`. */
  contentType?: string;
}

/**
 * Sends one complete response with `status`, `headers` and `body`, or the response an
 * {@link HttpError} describes (its status, its headers, its `detail` as plain text).
 * `content-length` is set from the body (not for 204 and 304, which have none).
 *
 * @throws PagiValidationError for a `lifespan` scope, or a bad header in `options.headers`.
 * @example
 * if (!token) return respond(scope, send, 401, { headers: { 'www-authenticate': 'Bearer' }, body: 'Unauthorized' });
 * return respond(scope, send, new HttpError(429, { headers: { 'retry-after': '10' } }));
 */
export async function respond(
  scope: ConnectionScope,
  // Any protocol's `send`: the event vocabulary is picked from `scope.type`.
  send: (event: never) => Promise<void>,
  answer: number | HttpError,
  options: RespondOptions = {},
): Promise<void> {
  let status: number;
  let headers: HeaderList;
  let body: Uint8Array;
  if (typeof answer === 'number') {
    status = answer;
    headers = toHeaderList(options.headers);
    body = toBytes(options.body);
  } else if (answer instanceof HttpError || typeof (answer as HttpError)?.status === 'number') {
    status = answer.status;
    headers = toHeaderList(answer.headers);
    body = toBytes(answer.detail);
  } else {
    throw new PagiValidationError(`respond() expected a status number or an HttpError, got ${typeof answer}`);
  }
  if (body.byteLength > 0 && !hasHeader(headers, 'content-type')) {
    headers.push(['content-type', options.contentType ?? 'text/plain; charset=utf-8']);
  }
  if (status !== 204 && status !== 304 && !hasHeader(headers, 'content-length')) {
    headers.push(['content-length', String(body.byteLength)]);
  }
  const out = send as unknown as (event: SendEvent) => Promise<void>;
  switch (scope.type) {
    case 'http':
      await out({ type: 'http.response.start', status, headers });
      await out({ type: 'http.response.body', body });
      return;
    case 'sse':
      await out({ type: 'sse.http.response.start', status, headers });
      await out({ type: 'sse.http.response.body', body });
      return;
    case 'websocket':
      if (scope.extensions['websocket.http.response'] !== undefined) {
        await out({ type: 'websocket.http.response.start', status, headers });
        await out({ type: 'websocket.http.response.body', body });
      } else {
        await out({ type: 'websocket.close' });
      }
      return;
    default:
      throw new PagiValidationError(
        `respond() expected an http, websocket or sse scope, got '${(scope as { type: string }).type}'`,
      );
  }
}
