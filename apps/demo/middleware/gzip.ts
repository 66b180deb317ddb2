import { constants, createGzip } from 'node:zlib';
import type { HeaderList, Middleware } from '@pagi/spec';
import {
  acceptsEncoding,
  appendVary,
  type BodyTransform,
  defineMiddleware,
  editHeaders,
  getHeader,
  hasHeader,
  setHeader,
  transformBody,
} from '@pagi/spec/middleware';
import { readFileBody } from '@pagi/spec/middleware/node';

export interface GzipOptions {
  /** zlib level, 1 (fast) to 9 (small). Default 6. */
  level?: number;
  /** Content types worth compressing. Default: text, JSON, JavaScript, XML, SVG. */
  types?: RegExp;
}

/** One gzip stream per response; each step returns what zlib produced for it. */
function gzipTransform(level: number): BodyTransform {
  const zip = createGzip({ level });
  const out: Buffer[] = [];
  zip.on('data', (chunk: Buffer) => out.push(chunk));
  const step = (run: (done: (error?: Error | null) => void) => void) =>
    new Promise<Buffer[]>((resolve, reject) =>
      run((error) => (error ? reject(error) : resolve(out.splice(0)))),
    );
  return {
    write: (chunk) => step((done) => zip.write(chunk, done)),
    flush: () => step((done) => zip.flush(constants.Z_SYNC_FLUSH, () => done())),
    end: () => step((done) => zip.once('end', done).once('error', done).end()),
    destroy: () => zip.destroy(),
  };
}

/** Streams compressible HTTP responses through gzip, chunk by chunk (backpressure kept). */
export function gzip(options: GzipOptions = {}): Middleware {
  const level = options.level ?? 6;
  const types = options.types ?? /^(text\/|application\/(json|javascript|xml)|image\/svg\+xml)/;
  const vary = (headers: HeaderList) => appendVary(headers, 'Accept-Encoding');
  // Called at a response's first body event: compress it, or leave it as it is (`undefined`).
  const begin = (headers: HeaderList) =>
    hasHeader(headers, 'content-encoding') || !types.test(getHeader(headers, 'content-type') ?? '')
      ? undefined
      : { headers: vary(setHeader(headers, 'content-encoding', 'gzip')), transform: gzipTransform(level) };
  return defineMiddleware('gzip', {
    http: (scope, receive, send, app) =>
      acceptsEncoding(getHeader(scope.headers, 'accept-encoding'), 'gzip')
        ? transformBody(app, scope, receive, send, begin, { readFile: readFileBody })
        : app(scope, receive, editHeaders(send, vary)),
  });
}
