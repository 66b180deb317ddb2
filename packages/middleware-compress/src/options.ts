import { PagiValidationError } from '@pagi/spec';
import { CODINGS, type Coding } from './encoder.js';

export interface CompressOptions {
  /**
   * The codings to offer, in the server's order of preference: on equal `q` in `Accept-Encoding`
   * the earlier one wins. Default `['br', 'gzip', 'deflate']`.
   */
  encodings?: readonly Coding[];
  /**
   * Bodies known to be smaller than this many bytes are sent as they are (compressing them costs
   * more than it saves). The size is known from `content-length`, or from a body sent in one
   * event; a streamed body of unknown length is compressed. Default `1024`.
   */
  threshold?: number;
  /** gzip/deflate level, 0 (none) to 9 (smallest). Default `6` (zlib's default). */
  level?: number;
  /**
   * Brotli quality, 0 to 11. Default `4`: close to gzip 6 in speed with smaller output; zlib's own
   * default, 11, is meant for precompressing files and is far too slow per request.
   */
  brotliQuality?: number;
  /**
   * Which media types (lowercase, parameters stripped) are worth compressing. Default
   * {@link COMPRESSIBLE}: text, JSON, JavaScript, XML, SVG, WebAssembly and similar.
   * `text/event-stream` is never compressed, whatever this says.
   */
  types?: RegExp | ((mediaType: string) => boolean);
  /**
   * What to do for a request that refuses `identity` (`identity;q=0` or `*;q=0`) and accepts none
   * of `encodings`. `false` (the default, as nginx and Express do): send the response
   * uncompressed anyway, RFC 9110 §12.5.3's "SHOULD send a response without any content coding"
   * — a 406 page would be uncompressed too. `true`: answer 406 without calling the app.
   */
  strict?: boolean;
}

/** Media types compressed by default: text, JSON, JavaScript, XML, SVG, WebAssembly, fonts. */
export const COMPRESSIBLE: RegExp =
  /^(?:text\/|application\/(?:json|javascript|ecmascript|x-javascript|xml|xhtml\+xml|wasm|graphql|x-www-form-urlencoded|vnd\.api\+json|manifest\+json|ld\+json|geo\+json|rss\+xml|atom\+xml|x-ndjson|ndjson)$|application\/[\w.+-]+\+(?:json|xml)$|image\/(?:svg\+xml|x-icon|vnd\.microsoft\.icon|bmp)$|font\/(?:ttf|otf)$)/;

export interface ResolvedOptions {
  /** The offer for `preferredEncoding`: the codings, then `identity`. */
  offer: readonly string[];
  threshold: number;
  level: number;
  brotliQuality: number;
  compressible: (mediaType: string) => boolean;
  strict: boolean;
}

const KNOWN: ReadonlySet<string> = new Set([
  'encodings',
  'threshold',
  'level',
  'brotliQuality',
  'types',
  'strict',
]);

function integer(name: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new PagiValidationError(
      `compress(): expected ${name} to be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
}

/** Checks every option once, when the middleware is made (toolkit-parity §8: typos fail fast). */
export function resolveOptions(options: CompressOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new PagiValidationError(`compress(): expected an options object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new PagiValidationError(`compress(): unknown option '${key}'`);
  }
  const encodings = options.encodings ?? CODINGS;
  if (!Array.isArray(encodings) || encodings.length === 0) {
    throw new PagiValidationError(
      'compress(): expected encodings to be a non-empty list of br, gzip, deflate',
    );
  }
  for (const [i, coding] of encodings.entries()) {
    if (!CODINGS.includes(coding) || encodings.indexOf(coding) !== i) {
      throw new PagiValidationError(
        `compress(): expected encodings to list br, gzip or deflate once each, got ${JSON.stringify(coding)}`,
      );
    }
  }
  const types = options.types ?? COMPRESSIBLE;
  let compressible: (mediaType: string) => boolean;
  if (types instanceof RegExp) {
    // A copy without the g/y flags: `test` on those keeps state between calls.
    const re = new RegExp(types.source, types.flags.replace(/[gy]/g, ''));
    compressible = (mediaType) => re.test(mediaType);
  } else if (typeof types === 'function') {
    compressible = types;
  } else {
    throw new PagiValidationError(
      `compress(): expected types to be a RegExp or a function, got ${typeof types}`,
    );
  }
  if (options.strict !== undefined && typeof options.strict !== 'boolean') {
    throw new PagiValidationError(
      `compress(): expected strict to be a boolean, got ${typeof options.strict}`,
    );
  }
  return {
    offer: [...encodings, 'identity'],
    threshold: integer('threshold', options.threshold, 0, Number.MAX_SAFE_INTEGER, 1024),
    level: integer('level', options.level, 0, 9, 6),
    brotliQuality: integer('brotliQuality', options.brotliQuality, 0, 11, 4),
    compressible,
    strict: options.strict ?? false,
  };
}
