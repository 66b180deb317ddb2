import { Readable } from 'node:stream';
import { type Agent, request } from 'undici';
import type { ConformanceRequestOptions, ConformanceResponse, ConformanceStream } from '../transport.js';
import { fromHeaderRecord } from './raw-headers.js';

function flatHeaders(headers: [string, string][] | undefined): string[] {
  return (headers ?? []).flat();
}

/** A list body goes out chunked, one write per element, so the server sees several reads. */
function requestBody(body: ConformanceRequestOptions['body']): string | Uint8Array | Readable | undefined {
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) return body;
  if (Array.isArray(body)) return Readable.from(body.map((part) => Buffer.from(part)));
  const iterable = body;
  return Readable.from(
    (async function* () {
      for await (const part of iterable) yield Buffer.from(part);
    })(),
  );
}

async function open(
  agent: Agent,
  origin: string,
  method: string,
  path: string,
  options: ConformanceRequestOptions,
  signal?: AbortSignal,
) {
  return request(`${origin}${path}`, {
    dispatcher: agent,
    method,
    headers: flatHeaders(options.headers),
    body: requestBody(options.body) ?? null,
    ...(signal ? { signal } : {}),
  });
}

/** A whole request over undici: status, headers, body and any trailers. */
export async function socketRequest(
  agent: Agent,
  origin: string,
  method: string,
  path: string,
  options: ConformanceRequestOptions,
): Promise<ConformanceResponse> {
  const res = await open(agent, origin, method, path, options);
  const body = Buffer.from(await res.body.arrayBuffer());
  return {
    status: res.statusCode,
    headers: fromHeaderRecord(res.headers),
    body,
    trailers: fromHeaderRecord(res.trailers as Record<string, string | string[]>),
  };
}

/** A streamed request over undici; `disconnect()` aborts it, which destroys the socket. */
export async function socketStream(
  agent: Agent,
  origin: string,
  method: string,
  path: string,
  options: ConformanceRequestOptions,
): Promise<ConformanceStream> {
  const controller = new AbortController();
  const res = await open(agent, origin, method, path, options, controller.signal);
  const iterator = res.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let aborted = false;
  return {
    status: res.statusCode,
    headers: fromHeaderRecord(res.headers),
    async next() {
      if (aborted) return undefined;
      const step = await iterator.next();
      return step.done ? undefined : Buffer.from(step.value);
    },
    async disconnect() {
      aborted = true;
      // An abort mid-body cannot be expressed on HTTP/1.1 except by closing the connection.
      res.body.on('error', () => {});
      controller.abort();
    },
  };
}
