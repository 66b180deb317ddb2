/**
 * One request to the backend through undici, with the client's body streamed into it: the body
 * is a Readable pulled from `receive()` one event at a time, so a slow backend stops the reading
 * of the client (nothing is buffered beyond the stream's small high-water mark).
 */
import { Readable } from 'node:stream';
import { type ConnectionScope, getHeader } from '@pagi/spec';
import type { Dispatcher } from 'undici';
import type { Backend } from './backend.js';
import type { ProxyContext } from './context.js';
import { flatten, upstreamHeaders } from './request-headers.js';
import { ClientGoneError } from './upstream-errors.js';

function ignore(): void {}

type BodyEvent = { type: string; body?: Uint8Array; more?: boolean };

/** true when the request carries a body: a non-zero Content-Length or any Transfer-Encoding. */
function hasBody(scope: ConnectionScope): boolean {
  const length = getHeader(scope.headers, 'content-length');
  if (length !== undefined) return length.trim() !== '0';
  return getHeader(scope.headers, 'transfer-encoding') !== undefined;
}

/** The client's body events (`http.request` / `sse.request`) as bytes; throws when the client leaves. */
async function* bodyChunks(
  receive: () => Promise<unknown>,
  type: string,
  done: () => void,
): AsyncGenerator<Uint8Array> {
  for (;;) {
    const event = (await receive()) as BodyEvent;
    if (event.type !== type) throw new ClientGoneError();
    if (event.body !== undefined && event.body.byteLength > 0) yield event.body;
    if (event.more !== true) break;
  }
  done();
}

export interface UpstreamCall {
  scope: ConnectionScope;
  receive: () => Promise<unknown>;
  backend: Backend;
  path: string;
  signal: AbortSignal;
  /** Idle limit of the response body, ms (0: none). */
  bodyTimeout: number;
  /** Called once the client's body has been read to its end (at once when there is none). */
  bodyDone: () => void;
}

export function requestUpstream(ctx: ProxyContext, call: UpstreamCall): Promise<Dispatcher.ResponseData> {
  const { scope } = call;
  const withBody = hasBody(scope);
  const headers = upstreamHeaders(scope, call.backend, ctx.options, false);
  const body = withBody
    ? Readable.from(
        bodyChunks(call.receive, `${scope.type === 'sse' ? 'sse' : 'http'}.request`, call.bodyDone),
        {
          objectMode: false,
        },
      )
    : undefined;
  // A body undici stopped reading (the backend answered early) may still fail later when the
  // client leaves; that must not become an uncaught stream error.
  body?.on('error', ignore);
  if (!withBody) call.bodyDone();
  return ctx.dispatcher().request({
    origin: call.backend.origin,
    path: call.path,
    method: (scope as { method?: string }).method ?? 'GET',
    headers: flatten(headers),
    body,
    signal: call.signal,
    headersTimeout: ctx.options.headersTimeout,
    bodyTimeout: call.bodyTimeout,
  });
}
