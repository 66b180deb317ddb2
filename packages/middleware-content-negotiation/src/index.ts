import { type HeaderList, type Middleware, PagiValidationError } from '@pagi/spec';
import {
  appendVary,
  defineMiddleware,
  editHeaders,
  getHeader,
  respond,
  scopeKey,
  withKey,
} from '@pagi/spec/middleware';
import Negotiator from 'negotiator';

/** What the request accepts, of what the server offers; a dimension not configured is `undefined`. */
export interface Negotiated {
  /** The media type (`Accept`) to answer with. */
  type: string | undefined;
  /** The language (`Accept-Language`). */
  language: string | undefined;
  /** The charset (`Accept-Charset`). */
  charset: string | undefined;
  /** The content coding (`Accept-Encoding`; `identity` when listed and preferred). */
  encoding: string | undefined;
  /**
   * false when a configured dimension had no acceptable offer and (not `strict`) its first offer
   * was used instead: the client may not understand the answer.
   */
  acceptable: boolean;
}

/** Inner apps read the result with `NEGOTIATED.get(scope)` (or `.require(scope)`). */
export const NEGOTIATED = scopeKey<Negotiated>('pagi.negotiated');

export interface ContentNegotiationOptions {
  /** Media types offered, in the server's order of preference (ties). Default: none (not negotiated). */
  types?: readonly string[];
  /** Languages offered (`en`, `de-CH`). Default: none. */
  languages?: readonly string[];
  /** Charsets offered (`utf-8`). Default: none. */
  charsets?: readonly string[];
  /** Content codings offered (`br`, `gzip`, `identity`). Default: none. */
  encodings?: readonly string[];
  /**
   * `true`: answer 406 (listing the offers) when a configured dimension has nothing acceptable,
   * without calling the app. `false` (default): use that dimension's first offer and set
   * `acceptable: false`.
   */
  strict?: boolean;
  /** Add `Vary` naming the request headers negotiated on, to HTTP responses. Default `true`. */
  vary?: boolean;
}

const KNOWN: ReadonlySet<string> = new Set(['types', 'languages', 'charsets', 'encodings', 'strict', 'vary']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:\/[!#$%&'*+.^_`|~0-9A-Za-z-]+)?$/;

function offers(name: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw new PagiValidationError(`contentNegotiation(): expected ${name} to be a non-empty list of strings`);
  }
  for (const entry of value) {
    if (typeof entry !== 'string' || !TOKEN.test(entry)) {
      throw new PagiValidationError(
        `contentNegotiation(): expected each of ${name} to be a token${name === 'types' ? ' like text/html' : ''}, got ${JSON.stringify(entry)}`,
      );
    }
  }
  return [...value];
}

/**
 * Negotiates the response's media type, language, charset and content coding with `negotiator`
 * (RFC 9110 §12.5: q-values, `*` and `type/*` ranges, specificity; `q=0` is a refusal, not a low
 * preference), for HTTP, SSE and WebSocket scopes (the last two: no media type, their type is
 * fixed), and hands the result to inner apps as
 * {@link NEGOTIATED}. Only the dimensions given offers are negotiated; a missing header accepts
 * anything (the first offer wins). With `strict`, nothing acceptable is a 406.
 *
 * @throws PagiValidationError for an unknown option, an empty or malformed offer list, or no offers at all.
 * @example
 * const app = compose(contentNegotiation({ types: ['application/json', 'text/html'], strict: true }))(router.app);
 * // inner app: const { type } = NEGOTIATED.require(scope);
 */
export function contentNegotiation(options: ContentNegotiationOptions = {}): Middleware {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new PagiValidationError(`contentNegotiation(): unknown option '${key}'`);
  }
  const types = offers('types', options.types);
  const languages = offers('languages', options.languages);
  const charsets = offers('charsets', options.charsets);
  const encodings = offers('encodings', options.encodings);
  if (!types && !languages && !charsets && !encodings) {
    throw new PagiValidationError(
      'contentNegotiation(): expected at least one of types, languages, charsets, encodings',
    );
  }
  for (const flag of ['strict', 'vary'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
      throw new PagiValidationError(
        `contentNegotiation(): expected ${flag} to be a boolean, got ${typeof options[flag]}`,
      );
    }
  }
  const strict = options.strict ?? false;
  const varyFields = [
    ...(types ? ['Accept'] : []),
    ...(languages ? ['Accept-Language'] : []),
    ...(charsets ? ['Accept-Charset'] : []),
    ...(encodings ? ['Accept-Encoding'] : []),
  ];
  const vary =
    options.vary === false ? undefined : (headers: HeaderList) => appendVary(headers, ...varyFields);
  const offered = [
    types && `types ${types.join(', ')}`,
    languages && `languages ${languages.join(', ')}`,
    charsets && `charsets ${charsets.join(', ')}`,
    encodings && `encodings ${encodings.join(', ')}`,
  ]
    .filter(Boolean)
    .join('; ');
  const notAcceptable = `Not Acceptable. Available: ${offered}`;

  /** One dimension: the best offer, or the first one (marking the result not acceptable). */
  const pick = (
    offer: readonly string[] | undefined,
    best: (n: Negotiator, available: string[]) => string | undefined,
    n: Negotiator,
    result: Negotiated,
  ): string | undefined => {
    if (offer === undefined) return undefined;
    const got = best(n, offer as string[]);
    if (got !== undefined) return got;
    result.acceptable = false;
    return offer[0];
  };

  const negotiate = (headers: HeaderList, withType: boolean): Negotiated => {
    const n = new Negotiator({
      headers: {
        accept: getHeader(headers, 'accept'),
        'accept-language': getHeader(headers, 'accept-language'),
        'accept-charset': getHeader(headers, 'accept-charset'),
        'accept-encoding': getHeader(headers, 'accept-encoding'),
      },
    });
    const result: Negotiated = {
      type: undefined,
      language: undefined,
      charset: undefined,
      encoding: undefined,
      acceptable: true,
    };
    result.type = withType ? pick(types, (x, a) => x.mediaType(a), n, result) : undefined;
    result.language = pick(languages, (x, a) => x.language(a), n, result);
    result.charset = pick(charsets, (x, a) => x.charset(a), n, result);
    result.encoding = pick(encodings, (x, a) => x.encoding(a), n, result);
    return result;
  };

  return defineMiddleware('contentNegotiation', {
    http: (scope, receive, send, app) => {
      const result = negotiate(scope.headers, true);
      const out = vary === undefined ? send : editHeaders(send, vary);
      if (!result.acceptable && strict) {
        return respond(scope, out, 406, { body: notAcceptable });
      }
      return app(withKey(scope, NEGOTIATED, result), receive, out);
    },
    // An SSE or WebSocket connection has its media type already (the server chose the scope type
    // from it), so only language, charset and coding are negotiated there.
    sse: (scope, receive, send, app) => {
      const result = negotiate(scope.headers, false);
      if (!result.acceptable && strict) return respond(scope, send, 406, { body: notAcceptable });
      return app(withKey(scope, NEGOTIATED, result), receive, send);
    },
    websocket: (scope, receive, send, app) => {
      const result = negotiate(scope.headers, false);
      if (!result.acceptable && strict) return respond(scope, send, 406, { body: notAcceptable });
      return app(withKey(scope, NEGOTIATED, result), receive, send);
    },
  });
}
