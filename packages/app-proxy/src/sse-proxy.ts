/**
 * An `sse` request relayed: a backend answering 2xx `text/event-stream` becomes `sse.start` and
 * one `sse.send` / `sse.comment` per event as it arrives (nothing waits for the stream to end);
 * any other answer is passed on as the refusal it is (`sse.http.response.*`, protocol.md
 * §4.4.3), its body bounded because the server buffers it.
 */
import type { Receive, Send, SseScope } from '@pagi/spec';
import { getHeader, respond, statusPhrase } from '@pagi/spec/middleware';
import type { Dispatcher } from 'undici';
import { type Backend, upstreamPath } from './backend.js';
import type { ProxyContext } from './context.js';
import { EventStreamParser, type StreamItem } from './event-stream-parser.js';
import { responseHeaders } from './request-headers.js';
import { requestUpstream } from './upstream-request.js';
import { gatewayStatus } from './upstream-errors.js';

/** Reads events until the client leaves, then aborts the upstream request. */
async function watchDisconnect(receive: Receive, abort: AbortController): Promise<void> {
  for (;;) {
    const event = await receive();
    if (event.type !== 'sse.request') break;
  }
  abort.abort();
}

export async function proxySse(
  ctx: ProxyContext,
  backend: Backend,
  scope: SseScope,
  receive: Receive,
  send: Send,
): Promise<void> {
  const path = upstreamPath(scope, backend);
  if (path === undefined) {
    return respond(scope, send, 400, { body: 'Bad Request: expected an origin-form request target (/path)' });
  }
  const abort = new AbortController();
  let upstream: Dispatcher.ResponseData;
  try {
    upstream = await requestUpstream(ctx, {
      scope,
      receive: receive as () => Promise<unknown>,
      backend,
      path,
      signal: abort.signal,
      bodyTimeout: ctx.options.sseIdleTimeout,
      bodyDone: () => void watchDisconnect(receive, abort),
    });
  } catch (error) {
    if (abort.signal.aborted) return;
    ctx.options.onError(error, scope);
    const status = gatewayStatus(error);
    return respond(scope, send, status, { body: statusPhrase(status) });
  }
  const { statusCode, body } = upstream;
  const headers = responseHeaders(upstream.headers);
  const type = getHeader(headers, 'content-type') ?? '';
  if (statusCode < 200 || statusCode > 299 || !/^text\/event-stream\s*(;|$)/i.test(type)) {
    return refuse(ctx, scope, send, statusCode, headers, body);
  }
  await send({
    type: 'sse.start',
    status: statusCode,
    // The server frames the stream itself.
    headers: headers.filter((h) => h[0] !== 'content-length'),
  });
  const parser = new EventStreamParser(ctx.options.maxSseEventSize);
  const decoder = new TextDecoder('utf-8');
  const items: StreamItem[] = [];
  try {
    for await (const chunk of body) {
      parser.push(decoder.decode(chunk as Buffer, { stream: true }), items);
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        if (item.kind === 'comment') await send({ type: 'sse.comment', comment: item.comment });
        else
          await send({
            type: 'sse.send',
            data: item.data,
            event: item.event,
            id: item.id,
            retry: item.retry,
          });
      }
      items.length = 0;
      if (abort.signal.aborted) break;
    }
  } catch (error) {
    if (!abort.signal.aborted) ctx.options.onError(error, scope);
    body.destroy();
  }
  // An event stream ends by returning (protocol.md §4.4.7); the client reconnects if it wants.
}

async function refuse(
  ctx: ProxyContext,
  scope: SseScope,
  send: Send,
  status: number,
  headers: ReturnType<typeof responseHeaders>,
  body: Dispatcher.ResponseData['body'],
): Promise<void> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).byteLength;
      if (size > ctx.options.maxRefusalBodySize) {
        body.destroy();
        throw new Error(
          `the backend's non-stream answer to an SSE request is larger than ${ctx.options.maxRefusalBodySize} bytes`,
        );
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    ctx.options.onError(error, scope);
    return respond(scope, send, 502, { body: statusPhrase(502) });
  }
  await send({ type: 'sse.http.response.start', status, headers });
  await send({ type: 'sse.http.response.body', body: Buffer.concat(chunks) });
}
