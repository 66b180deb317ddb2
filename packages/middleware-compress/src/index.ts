// Imported, not the global: node's global `Buffer` is a getter, a call per use.
import { Buffer } from 'node:buffer';
import type { HeaderList, HttpResponseBodyEvent, HttpResponseStartEvent, Middleware } from '@pagi/spec';
import {
  appendVary,
  defineMiddleware,
  editHeaders,
  getHeader,
  HeaderListMemo,
  type StartEvent,
  preferredEncoding,
  respond,
  setHeader,
  type TransformPlan,
  transformBody,
} from '@pagi/spec/middleware';
import { readFileBody } from '@pagi/spec/middleware/node';
import { type Coding, createEncoder, type EncoderSettings } from './encoder.js';
import { type CompressOptions, resolveOptions } from './options.js';

export type { Coding } from './encoder.js';
export { COMPRESSIBLE, type CompressOptions } from './options.js';

/** RFC 9111 §5.2.2.6: a proxy or middleware must not change the content of such a response. */
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;

/**
 * true when a `Cache-Control` field says `no-transform`. Each field is tested alone: the same
 * answer as testing them comma-joined (the pattern is bounded by commas), without the join.
 */
function noTransform(headers: HeaderList): boolean {
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i]!;
    if (
      header[0].length === 13 &&
      header[0].toLowerCase() === 'cache-control' &&
      NO_TRANSFORM.test(header[1])
    )
      return true;
  }
  return false;
}

/** `text/html; charset=utf-8` → `text/html`. */
function mediaType(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** The body's size when it is known before it is read: `content-length`, or a body in one event. */
function knownLength(headers: HeaderList, first: HttpResponseBodyEvent | undefined): number {
  const declared = getHeader(headers, 'content-length');
  if (declared !== undefined && /^\d+$/.test(declared)) return Number(declared);
  if (first === undefined || first.more === true) return Number.POSITIVE_INFINITY;
  if (first.file !== undefined || first.fh !== undefined) return first.length ?? Number.POSITIVE_INFINITY;
  const body = first.body;
  return typeof body === 'string' ? Buffer.byteLength(body) : (body?.byteLength ?? 0);
}

/**
 * Compresses HTTP responses with brotli, gzip or deflate (`node:zlib`), whichever the request's
 * `Accept-Encoding` weighs highest (q-values honoured, `q=0` refuses; ties go to the order of
 * `encodings`). The body is compressed chunk by chunk as the app sends it, with backpressure
 * (never buffered whole); `http.fullflush` flushes the compressor. Status and other headers are
 * kept; `content-length` is dropped, a strong `ETag` becomes weak (the bytes differ), and
 * `Vary: Accept-Encoding` is added to every response that could have been compressed, compressed
 * or not. Left as they are: responses that already have a `Content-Encoding`, carry
 * `Cache-Control: no-transform`, have a media type outside `types` (and any `text/event-stream`),
 * are known to be smaller than `threshold`, HEAD, 1xx/204/304 and ranged (206, `Content-Range`)
 * responses. WebSocket, SSE and lifespan scopes pass through untouched.
 *
 * @throws PagiValidationError for an unknown option or a bad value, when called.
 * @example
 * const app = compose(compress({ encodings: ['gzip', 'br'], threshold: 2048 }))(router.app);
 */
export function compress(options: CompressOptions = {}): Middleware {
  const { offer, threshold, compressible, strict, level, brotliQuality } = resolveOptions(options);
  const settings: EncoderSettings = { level, brotliQuality };

  const memo = typeof options.types !== 'function';
  let lastType: string | undefined;
  let lastCompressible = false;
  /**
   * Whether this response would be compressed for a request that asks for it: then caches must
   * key it on `Accept-Encoding`. A 304 usually has no `content-type`; it still gets the `Vary`
   * the full response has (RFC 9110 §15.4.5).
   */
  const candidate = (headers: HeaderList, status: number): boolean => {
    const encoding = getHeader(headers, 'content-encoding');
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return false;
    if (noTransform(headers)) return false;
    const contentType = getHeader(headers, 'content-type');
    if (contentType === undefined) return status === 304;
    if (contentType === lastType) return lastCompressible;
    const type = mediaType(contentType);
    // An event stream must reach the client event by event; compression would hold events back.
    const result = type !== 'text/event-stream' && compressible(type);
    // Remembered for the next response with the same content type, unless `types` is the
    // caller's function (it is called every time, as documented).
    if (memo) {
      lastType = contentType;
      lastCompressible = result;
    }
    return result;
  };

  // The last start's headers and status and what `vary` made of them: an app sending the same
  // list again (the usual case) gets the same answer, and the same list, from a comparison per
  // field. Not with a `types` function: it is called for every response, as documented.
  const varyMemo = new HeaderListMemo<HeaderList | undefined>(undefined);
  let varyStatus = 0;
  /** Adds `Vary: Accept-Encoding` to a start that could have been compressed (built once). */
  const vary = (headers: HeaderList, start: StartEvent): HeaderList | undefined => {
    const status = (start as HttpResponseStartEvent).status ?? 200;
    if (memo && status === varyStatus && varyMemo.matches(headers)) return varyMemo.result;
    const out =
      status >= 200 && candidate(headers, status) ? appendVary(headers, 'Accept-Encoding') : undefined;
    if (!memo) return out;
    varyStatus = status;
    return varyMemo.remember(headers, out);
  };

  /** The `begin` for each coding, built once: compress the response, or leave it (`undefined`). */
  const beginFor =
    (coding: Coding) =>
    (headers: HeaderList, start: HttpResponseStartEvent, first: HttpResponseBodyEvent | undefined) => {
      if (!candidate(headers, start.status)) return undefined;
      const length = knownLength(headers, first);
      if (length === 0 || length < threshold) return undefined; // `vary` still marks it
      let out = appendVary(setHeader(headers, 'content-encoding', coding), 'Accept-Encoding');
      // RFC 9110 §8.8.3: the compressed bytes are not the ones a strong validator names.
      const etag = getHeader(out, 'etag');
      if (etag !== undefined && !etag.startsWith('W/')) out = setHeader(out, 'etag', `W/${etag}`);
      return { headers: out, transform: createEncoder(coding, settings) } satisfies TransformPlan;
    };
  const begins = new Map<string, ReturnType<typeof beginFor>>(
    offer.filter((c): c is Coding => c !== 'identity').map((c) => [c, beginFor(c)]),
  );
  const notAcceptable = `Not Acceptable: this server sends ${offer.join(', ').replace(/, identity$/, ' or identity')}`;

  return defineMiddleware('compress', {
    http: (scope, receive, send, app) => {
      const accept = getHeader(scope.headers, 'accept-encoding');
      // No header: any coding is acceptable (RFC 9110 §12.5.3), but clients that decode omit it
      // rarely; sending identity is what every server does.
      const coding = accept === undefined ? 'identity' : preferredEncoding(accept, offer);
      if (coding === undefined && strict) {
        return respond(scope, send, 406, { headers: { vary: 'Accept-Encoding' }, body: notAcceptable });
      }
      const varied = editHeaders(send, vary);
      // identity (no Accept-Encoding, the usual API client) has no `begin`: no Map lookup.
      const begin = coding === undefined || coding === 'identity' ? undefined : begins.get(coding);
      if (begin === undefined || scope.method === 'HEAD') return app(scope, receive, varied);
      return transformBody(app, scope, receive, varied, begin, { readFile: readFileBody });
    },
  });
}
