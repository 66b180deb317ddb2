import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  connect,
  constants,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import type { Duplex } from 'node:stream';
import { AsyncQueue, type HeaderList } from '@pagi/spec';
import { WebSocket } from 'ws';
import type {
  ConformanceMessage,
  ConformanceRequestOptions,
  ConformanceResponse,
  ConformanceSse,
  ConformanceSseEvent,
  ConformanceStream,
  ConformanceWebSocket,
} from '../transport.js';
import { SseParser } from './sse-parser.js';

/** Response headers without pseudo-headers, as lowercase pairs. */
function headerList(headers: IncomingHttpHeaders): HeaderList {
  const out: HeaderList = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([name, String(v)]);
  }
  return out;
}

/** Request headers: pseudo-headers first; a repeated name becomes a list (HTTP/2 has no order across names). */
function requestHeaders(
  method: string,
  path: string,
  options: ConformanceRequestOptions,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ':method': method, ':path': path };
  for (const [rawName, value] of options.headers ?? []) {
    const name = rawName.toLowerCase();
    // Connection-specific fields do not exist in HTTP/2 (RFC 9113 §8.2.2); `host` maps to :authority.
    if (name === 'connection' || name === 'keep-alive' || name === 'transfer-encoding' || name === 'upgrade')
      continue;
    if (name === 'host') {
      out[':authority'] = value;
      continue;
    }
    const prior = out[name];
    out[name] =
      prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [String(prior), value];
  }
  return out;
}

async function writeBody(stream: ClientHttp2Stream, body: ConformanceRequestOptions['body']): Promise<void> {
  if (body === undefined) {
    stream.end();
    return;
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    stream.end(body);
    return;
  }
  for await (const part of body as AsyncIterable<string | Uint8Array>) {
    if (stream.destroyed) return;
    stream.write(part);
  }
  stream.end();
}

function open(session: ClientHttp2Session, method: string, path: string, options: ConformanceRequestOptions) {
  const hasBody = options.body !== undefined;
  const headers = requestHeaders(method, path, options);
  // A body known up front gets its length, as undici and browsers send it.
  const body = options.body;
  if ((typeof body === 'string' || body instanceof Uint8Array) && headers['content-length'] === undefined)
    headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  const stream = session.request(headers, { endStream: !hasBody });
  if (hasBody) void writeBody(stream, options.body).catch(() => stream.destroy());
  const response = new Promise<IncomingHttpHeaders>((resolve, reject) => {
    stream.once('response', resolve);
    stream.once('error', reject);
    stream.once('close', () => reject(new Error(`stream closed before a response (rst ${stream.rstCode})`)));
  });
  return { stream, response };
}

/** A whole request on one HTTP/2 stream; rejects when the stream was reset (an aborted response). */
export async function h2Request(
  session: ClientHttp2Session,
  method: string,
  path: string,
  options: ConformanceRequestOptions,
): Promise<ConformanceResponse> {
  const { stream, response } = open(session, method, path, options);
  let trailers: HeaderList = [];
  stream.on('trailers', (t: IncomingHttpHeaders) => {
    trailers = headerList(t);
  });
  const parts: Buffer[] = [];
  stream.on('data', (c: Buffer) => parts.push(c));
  const headers = await response;
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('close', () =>
      stream.rstCode === constants.NGHTTP2_NO_ERROR || stream.rstCode === undefined
        ? resolve()
        : reject(new Error(`response aborted: RST_STREAM ${stream.rstCode}`)),
    );
  });
  return {
    status: Number(headers[':status']),
    headers: headerList(headers),
    body: Buffer.concat(parts),
    trailers,
  };
}

/** A streamed request; `disconnect()` resets the stream (CANCEL), the HTTP/2 way to go away. */
export async function h2Stream(
  session: ClientHttp2Session,
  method: string,
  path: string,
  options: ConformanceRequestOptions,
): Promise<ConformanceStream> {
  const { stream, response } = open(session, method, path, options);
  stream.on('error', () => {});
  const headers = await response;
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let aborted = false;
  return {
    status: Number(headers[':status']),
    headers: headerList(headers),
    async next() {
      if (aborted) return undefined;
      const step = await iterator.next();
      if (step.done && stream.rstCode !== undefined && stream.rstCode !== constants.NGHTTP2_NO_ERROR)
        throw new Error(`response aborted: RST_STREAM ${stream.rstCode}`);
      return step.done ? undefined : Buffer.from(step.value);
    },
    async disconnect() {
      aborted = true;
      stream.close(constants.NGHTTP2_CANCEL);
    },
  };
}

/** An SSE request on one stream, parsed as it arrives; a non-event-stream answer is a decline. */
export async function h2Sse(
  session: ClientHttp2Session,
  path: string,
  headers: [string, string][] = [],
  method = 'GET',
): Promise<ConformanceSse> {
  const { stream, response } = open(session, method, path, {
    headers: [['accept', 'text/event-stream'], ...headers],
  });
  stream.on('error', () => {});
  const head = await response;
  const status = Number(head[':status']);
  const list = headerList(head);
  const events = new AsyncQueue<ConformanceSseEvent>();
  const comments: string[] = [];
  if (!String(head['content-type'] ?? '').startsWith('text/event-stream')) {
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk as Buffer);
    events.end();
    return {
      status,
      headers: list,
      declined: true,
      body: Buffer.concat(parts),
      next: async () => (await events.next()).value,
      comments,
      disconnect: async () => {},
    };
  }
  const parser = new SseParser();
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    for (const item of parser.feed(chunk)) {
      if (item.kind === 'event') events.push(item.event);
      else comments.push(item.text);
    }
  });
  stream.on('end', () => events.end());
  stream.on('close', () => events.end());
  return {
    status,
    headers: list,
    declined: false,
    body: Buffer.alloc(0),
    next: async () => (await events.next()).value,
    comments,
    async disconnect() {
      stream.close(constants.NGHTTP2_CANCEL);
    },
  };
}

/**
 * A WebSocket over HTTP/2 (RFC 8441): extended CONNECT, then `ws`'s client-side framing on the
 * stream (`ws` has no RFC 8441 client; its WebSocket is given the stream like a socket, with its
 * server flag cleared so it masks what it sends and expects unmasked frames).
 */
export async function h2WebSocket(
  session: ClientHttp2Session,
  path: string,
  subprotocols: string[] | undefined,
): Promise<ConformanceWebSocket> {
  if (!session.remoteSettings.enableConnectProtocol)
    await new Promise((resolve) => session.once('remoteSettings', resolve));
  const headers: OutgoingHttpHeaders = {
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':path': path,
    ':scheme': 'http',
    'sec-websocket-version': '13',
  };
  if (subprotocols !== undefined && subprotocols.length > 0)
    headers['sec-websocket-protocol'] = subprotocols.join(', ');
  const stream = session.request(headers, { endStream: false });
  stream.on('error', () => {});
  const head = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
    stream.once('response', resolve);
    stream.once('close', () => reject(new Error(`extended CONNECT reset (rst ${stream.rstCode})`)));
  });
  const status = Number(head[':status']);
  let resolveClosed!: (info: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => {
    resolveClosed = r;
  });
  if (status !== 200) {
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk as Buffer);
    resolveClosed({ code: 1006, reason: '' });
    const refused = () => Promise.reject(new Error('expected an open WebSocket, got a refused handshake'));
    return {
      accepted: false,
      subprotocol: undefined,
      acceptHeaders: [],
      denial: { status, headers: headerList(head), body: Buffer.concat(parts) },
      sendText: refused,
      sendBytes: refused,
      receive: refused,
      close: async () => {},
      drop: async () => {},
      closed,
    };
  }
  const ServerSide = WebSocket as unknown as new (a: null, p: undefined, o: object) => WebSocket;
  const ws = new ServerSide(null, undefined, {});
  (ws as unknown as { _isServer: boolean })._isServer = false;
  (ws as unknown as { setSocket(s: Duplex, h: Buffer, o: object): void }).setSocket(stream, Buffer.alloc(0), {
    maxPayload: 100 * 1024 * 1024,
  });
  const messages = new AsyncQueue<ConformanceMessage>();
  ws.on('message', (data, isBinary) => {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    messages.push(isBinary ? { bytes: buffer } : { text: buffer.toString('utf8') });
  });
  ws.on('close', (code, reason) => {
    messages.end();
    resolveClosed({ code, reason: reason.toString('utf8') });
  });
  ws.on('error', () => {});
  const protocol = head['sec-websocket-protocol'];
  const send = (data: string | Buffer, binary: boolean) =>
    new Promise<void>((resolve, reject) => ws.send(data, { binary }, (e) => (e ? reject(e) : resolve())));
  return {
    accepted: true,
    subprotocol: protocol === undefined ? undefined : String(protocol),
    acceptHeaders: headerList(head),
    denial: undefined,
    sendText: (text) => send(text, false),
    sendBytes: (bytes) => send(Buffer.from(bytes), true),
    async receive() {
      const message = (await messages.next()).value;
      if (message === undefined) throw new Error('expected a WebSocket message, got the connection closed');
      return message;
    },
    async close(code, reason) {
      ws.close(code, reason);
      await closed;
    },
    async drop() {
      // No Close frame: the stream is reset, the server must report 1006.
      stream.close(constants.NGHTTP2_CANCEL);
      ws.terminate();
      await closed;
    },
    closed,
  };
}

/** One h2c session per transport (prior knowledge). */
export function h2Session(origin: string): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(origin);
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}
