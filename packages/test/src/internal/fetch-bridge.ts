import { TestUnexpectedError } from '../errors.js';
import type { RequestOptions } from '../options.js';
import type { TestStreamResponse } from '../test-stream.js';
import type { ClientConfig } from './config.js';

/** Statuses whose response has no body by definition (Fetch: "null body status"). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * Reads a WHATWG `Request` (or a URL/path plus init, a relative one resolved against the client's
 * origin) into the client's own request shape: method, path and query, headers, body bytes.
 */
export async function fetchToRequest(
  input: Request | string | URL,
  init: RequestInit | undefined,
  config: ClientConfig,
): Promise<{ method: string; path: string; options: RequestOptions }> {
  const [host, port] = config.server;
  const name = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const origin = `${config.scheme}://${name}:${port}`;
  const request =
    input instanceof Request && init === undefined ? input : new Request(resolve(input, origin), init);
  const url = new URL(request.url);
  const headers: [string, string][] = [];
  request.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers.push([name, value]);
  });
  // The Request's own host becomes the Host header when it is not the client's server.
  if (url.host !== new URL(origin).host) headers.push(['host', url.host]);
  const options: RequestOptions = { headers };
  if (request.body !== null) options.body = new Uint8Array(await request.arrayBuffer());
  return { method: request.method, path: url.pathname + url.search, options };
}

function resolve(input: Request | string | URL, origin: string): string | URL | Request {
  if (typeof input !== 'string') return input;
  return new URL(input, origin).href;
}

/**
 * A WHATWG `Response` over a streamed test response: status and headers now, the body a
 * `ReadableStream` pulled chunk by chunk from the app (each wait bounded by the client timeout).
 * Cancelling the stream is the client leaving: the app's `receive()` yields `http.disconnect`.
 */
export function fetchResponse(res: TestStreamResponse, method: string): Response {
  if (res.status === 0) {
    throw new TestUnexpectedError('expected a response, got a client disconnect before http.response.start');
  }
  const headers = new Headers();
  for (const [name, value] of res.headers) headers.append(name, value);
  if (method === 'HEAD' || NULL_BODY.has(res.status)) {
    // Drain so the exchange completes (nothing reaches the client anyway).
    res.bytes().catch(() => {});
    return new Response(null, { status: res.status, headers });
  }
  const chunks = res[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const step = await chunks.next();
      if (step.done) controller.close();
      else
        controller.enqueue(new Uint8Array(step.value.buffer, step.value.byteOffset, step.value.byteLength));
    },
    async cancel() {
      await res.disconnect().catch(() => {});
    },
  });
  return new Response(body, { status: res.status, headers });
}
