import { connect } from 'node:net';
import type { ConformanceRequestOptions, ConformanceResponse } from '../transport.js';
import { fromRawHeaders } from './raw-headers.js';

/**
 * One HTTP/1.0 request over a bare TCP socket (undici speaks only 1.1): the request is written
 * by hand, and the response read until the server closes, which is how a 1.0 body without a
 * length ends. A response with `content-length` is cut to it.
 */
export function socketHttp10Request(
  origin: string,
  method: string,
  path: string,
  options: ConformanceRequestOptions,
): Promise<ConformanceResponse> {
  const url = new URL(origin);
  const body =
    typeof options.body === 'string' || options.body instanceof Uint8Array
      ? Buffer.from(options.body)
      : undefined;
  if (options.body !== undefined && body === undefined) {
    return Promise.reject(new Error('expected a string or bytes body for HTTP/1.0, got a chunked body'));
  }
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const parts: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => parts.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        resolve(parseResponse(Buffer.concat(parts)));
      } catch (error) {
        reject(error);
      }
    });
    const lines = [`${method} ${path} HTTP/1.0`, `host: ${url.host}`];
    for (const [name, value] of options.headers ?? []) lines.push(`${name}: ${value}`);
    if (body !== undefined) lines.push(`content-length: ${body.length}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    if (body !== undefined) socket.write(body);
  });
}

function parseResponse(raw: Buffer): ConformanceResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`expected a response head, got ${JSON.stringify(raw.toString('latin1'))}`);
  const [statusLine = '', ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const flat: string[] = [];
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    flat.push(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const headers = fromRawHeaders(flat);
  let body = raw.subarray(end + 4);
  const length = headers.find(([n]) => n === 'content-length')?.[1];
  if (length !== undefined) body = body.subarray(0, Number(length));
  return { status, headers, body, trailers: [] };
}
