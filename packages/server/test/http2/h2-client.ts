import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  connect,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';

export interface H2Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  trailers: IncomingHttpHeaders | undefined;
  /** The stream's RST_STREAM code (0 = NO_ERROR) and the error the client saw, if any. */
  rstCode: number;
  error: Error | undefined;
}

/** Opens an HTTP/2 session (h2c by prior knowledge for http:, ALPN h2 for https:). */
export function h2Connect(url: string, ca?: string): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(url, ca === undefined ? {} : { ca, servername: 'localhost' });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

/** Collects one stream's response: status, headers, body, trailers, reset code. */
export function collect(stream: ClientHttp2Stream): Promise<H2Response> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const out: H2Response = {
      status: 0,
      headers: {},
      body: Buffer.alloc(0),
      trailers: undefined,
      rstCode: 0,
      error: undefined,
    };
    stream.on('response', (headers) => {
      out.headers = headers;
      out.status = Number(headers[':status']);
    });
    stream.on('trailers', (t) => {
      out.trailers = t;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', (e) => {
      out.error = e;
    });
    stream.on('close', () => {
      out.body = Buffer.concat(chunks);
      out.rstCode = stream.rstCode ?? 0;
      resolve(out);
    });
  });
}

/** One request on `session`; `body` is written and the stream ended. */
export function h2Request(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body?: string | Buffer,
): Promise<H2Response> {
  const stream = session.request(headers, { endStream: body === undefined });
  const done = collect(stream);
  if (body !== undefined) stream.end(body);
  return done;
}
