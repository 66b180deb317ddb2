/**
 * An `http` request relayed to the backend and its response relayed back, both bodies streamed:
 * each response chunk is sent with an awaited `send()`, so a slow client stops the reading of
 * the backend (undici pauses the socket when its body stream is not read).
 */
import type { HttpScope, Receive, Send } from '@pagi/spec';
import { respond, statusPhrase } from '@pagi/spec/middleware';
import type { Dispatcher } from 'undici';
import { type Backend, upstreamPath } from './backend.js';
import type { ProxyContext } from './context.js';
import { responseHeaders } from './request-headers.js';
import { requestUpstream } from './upstream-request.js';
import { gatewayStatus } from './upstream-errors.js';

function noop(): void {}

export async function proxyHttp(
  ctx: ProxyContext,
  backend: Backend,
  scope: HttpScope,
  receive: Receive,
  send: Send,
): Promise<void> {
  const path = upstreamPath(scope, backend);
  if (path === undefined) {
    return respond(scope, send, 400, { body: 'Bad Request: expected an origin-form request target (/path)' });
  }
  if (scope.method === 'CONNECT') return respond(scope, send, 405, { body: 'CONNECT is not proxied' });
  const abort = new AbortController();
  // The client left: stop the upstream request and its body at once.
  scope['pagi.connection']?.on_disconnect(() => abort.abort());
  let upstream: Dispatcher.ResponseData;
  try {
    upstream = await requestUpstream(ctx, {
      scope,
      receive: receive as () => Promise<unknown>,
      backend,
      path,
      signal: abort.signal,
      bodyTimeout: ctx.options.idleTimeout,
      bodyDone: noop,
    });
  } catch (error) {
    if (abort.signal.aborted) return;
    ctx.options.onError(error, scope);
    const status = gatewayStatus(error);
    return respond(scope, send, status, { body: statusPhrase(status) });
  }
  const body = upstream.body;
  try {
    await send({
      type: 'http.response.start',
      status: upstream.statusCode,
      headers: responseHeaders(upstream.headers),
    });
  } catch (error) {
    // A header the server refuses (bytes no HTTP/1.1 field may carry): the backend's fault.
    body.destroy();
    ctx.options.onError(error, scope);
    return respond(scope, send, 502, { body: statusPhrase(502) });
  }
  try {
    for await (const chunk of body) {
      await send({ type: 'http.response.body', body: chunk as Buffer, more: true });
    }
  } catch (error) {
    // The backend died or went silent mid-body. Returning without the final body event makes the
    // server abort the response (D-12): the client sees a cut connection, not a short success.
    if (!abort.signal.aborted) ctx.options.onError(error, scope);
    return;
  }
  await send({ type: 'http.response.body', more: false });
}
