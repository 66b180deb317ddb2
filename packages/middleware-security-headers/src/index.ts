import { checkHeader, type Header, type HeaderList, type Middleware, PagiValidationError } from '@pagi/spec';
import {
  concatHeaders,
  defineMiddleware,
  editHeaders,
  getHeader,
  HeaderListMemo,
  hasHeader,
  type StartEvent,
} from '@pagi/spec/middleware';

/** A header value, or `false` to leave that header out. */
export type HeaderSetting = string | false;

export interface SecurityHeadersOptions {
  /** `Strict-Transport-Security`, sent on https/wss only (RFC 6797 §7.2). Default `max-age=31536000; includeSubDomains`. */
  hsts?: HeaderSetting;
  /** `X-Content-Type-Options`. Default `nosniff`. */
  contentTypeOptions?: HeaderSetting;
  /** `X-Frame-Options`, on HTML only. Default `SAMEORIGIN`. */
  frameOptions?: HeaderSetting;
  /** `Referrer-Policy`. Default `no-referrer`. */
  referrerPolicy?: HeaderSetting;
  /**
   * `Content-Security-Policy`, on HTML only. Default `base-uri 'self'; frame-ancestors 'self';
   * object-src 'none'`: blocks plugins, `<base>` hijacking and framing without touching scripts
   * or styles; tighten it for your app.
   */
  contentSecurityPolicy?: HeaderSetting;
  /** `Cross-Origin-Opener-Policy`, on HTML only. Default `same-origin`. */
  crossOriginOpenerPolicy?: HeaderSetting;
  /** `Cross-Origin-Resource-Policy`. Default `same-origin`; `cross-origin` for public assets. */
  crossOriginResourcePolicy?: HeaderSetting;
  /** `Cross-Origin-Embedder-Policy`, on HTML only. Default `false` (it breaks most embeds). */
  crossOriginEmbedderPolicy?: HeaderSetting;
  /** `Permissions-Policy`, on HTML only. Default `false`. */
  permissionsPolicy?: HeaderSetting;
}

/** Which responses a header belongs on. */
type Reach = 'https' | 'any' | 'html';

const TABLE: readonly [
  option: keyof SecurityHeadersOptions,
  header: string,
  reach: Reach,
  fallback: HeaderSetting,
][] = [
  ['hsts', 'strict-transport-security', 'https', 'max-age=31536000; includeSubDomains'],
  ['contentTypeOptions', 'x-content-type-options', 'any', 'nosniff'],
  ['frameOptions', 'x-frame-options', 'html', 'SAMEORIGIN'],
  ['referrerPolicy', 'referrer-policy', 'any', 'no-referrer'],
  [
    'contentSecurityPolicy',
    'content-security-policy',
    'html',
    "base-uri 'self'; frame-ancestors 'self'; object-src 'none'",
  ],
  ['crossOriginOpenerPolicy', 'cross-origin-opener-policy', 'html', 'same-origin'],
  ['crossOriginResourcePolicy', 'cross-origin-resource-policy', 'any', 'same-origin'],
  ['crossOriginEmbedderPolicy', 'cross-origin-embedder-policy', 'html', false],
  ['permissionsPolicy', 'permissions-policy', 'html', false],
];

const HTML = /^\s*(?:text\/html|application\/xhtml\+xml)\s*(?:;|$)/i;

/**
 * Pairs to add to one kind of response, with a bit per name length (mod 32): an app header
 * whose length no added name has cannot be one of them, so most are ruled out without a
 * comparison.
 */
interface Additions {
  readonly pairs: readonly Header[];
  readonly lengths: number;
}

function additions(pairs: readonly Header[]): Additions {
  let lengths = 0;
  for (const [name] of pairs) lengths |= 1 << (name.length & 31);
  return { pairs, lengths };
}

/** Adds each pair of `add` the list does not have yet: the app's own header wins. */
function addMissing(headers: HeaderList, add: Additions): HeaderList {
  // One pass over the app's headers (not a lookup per added name): usually none is one of ours,
  // and the new list is the app's plus our pairs, made at its size.
  let present = false;
  for (let i = 0; i < headers.length && !present; i++) {
    const name = headers[i]![0];
    present = (add.lengths & (1 << (name.length & 31))) !== 0 && hasHeader(add.pairs, name);
  }
  if (!present) return concatHeaders(headers, add.pairs);
  let out: HeaderList | undefined;
  for (const pair of add.pairs) {
    if (hasHeader(headers, pair[0])) continue;
    out ??= headers.slice();
    out.push(pair);
  }
  return out ?? headers;
}

/**
 * Adds security headers with safe defaults, never replacing or duplicating one the app set
 * itself. Where each goes:
 * - `Strict-Transport-Security`: every response on an https/wss connection, HTTP, SSE and the
 *   WebSocket handshake (`websocket.accept`) alike; never on plain http (RFC 6797 §7.2).
 * - `X-Content-Type-Options`, `Referrer-Policy`, `Cross-Origin-Resource-Policy`: every HTTP
 *   response, the SSE stream start, and SSE/WebSocket refusals (they are HTTP responses).
 * - `X-Frame-Options`, `Content-Security-Policy`, `Cross-Origin-Opener-Policy`/`-Embedder-Policy`,
 *   `Permissions-Policy`: HTML responses only (`text/html`, `application/xhtml+xml`); they
 *   govern documents.
 * `X-XSS-Protection` is not sent: browsers dropped the filter, and its "block" mode leaked data.
 *
 * @throws PagiValidationError for an unknown option or an unsafe header value, when called.
 * @example
 * const app = compose(securityHeaders({ contentSecurityPolicy: "default-src 'self'" }))(router.app);
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): Middleware {
  const known = new Set(TABLE.map(([option]) => option as string));
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new PagiValidationError(`securityHeaders(): unknown option '${key}'`);
  }
  const hsts: [string, string][] = [];
  const any: [string, string][] = [];
  const html: [string, string][] = [];
  for (const [option, header, reach, fallback] of TABLE) {
    const value = options[option] === undefined ? fallback : options[option];
    if (value === false) continue;
    if (typeof value !== 'string' || value === '') {
      throw new PagiValidationError(
        `securityHeaders(): expected ${option} to be a non-empty string or false, got ${JSON.stringify(value)}`,
      );
    }
    checkHeader(header, value);
    (reach === 'https' ? hsts : reach === 'any' ? any : html).push([header, value]);
  }
  // The lists per kind of response and connection, built once.
  const hstsOnly = additions(hsts);
  const httpPlain = additions(any);
  const htmlPlain = additions([...any, ...html]);
  const httpSecure = additions([...hsts, ...any]);
  const htmlSecure = additions([...hsts, ...any, ...html]);

  // The last content type seen and whether it is HTML: most apps send one or two types, so the
  // regex runs once per new value instead of once per response.
  let lastType = '';
  let lastIsHtml = false;
  const htmlType = (type: string): boolean => {
    if (type !== lastType) {
      lastIsHtml = HTML.test(type);
      lastType = type;
    }
    return lastIsHtml;
  };
  const edit = (secure: boolean) => {
    // The last start's type and headers and the list made for them: the same headers again (the
    // usual case) get the same list from a comparison per field, without the scan and the copy.
    const memo = new HeaderListMemo<HeaderList>([]);
    let memoType = '';
    return (headers: HeaderList, start: StartEvent): HeaderList => {
      const type = start.type;
      if (type === 'websocket.accept') return secure ? addMissing(headers, hstsOnly) : headers;
      if (type === memoType && memo.matches(headers)) return memo.result;
      const isHtml = type !== 'sse.start' && htmlType(getHeader(headers, 'content-type') ?? '');
      const out = addMissing(
        headers,
        secure ? (isHtml ? htmlSecure : httpSecure) : isHtml ? htmlPlain : httpPlain,
      );
      if (out === headers) return out; // the app set them all: nothing made, nothing to remember
      memoType = type;
      return memo.remember(headers, out);
    };
  };
  const plain = edit(false);
  const secure = edit(true);
  const isSecure = (scheme: string) => scheme === 'https' || scheme === 'wss';

  return defineMiddleware('securityHeaders', {
    http: (scope, receive, send, app) =>
      app(scope, receive, editHeaders(send, isSecure(scope.scheme) ? secure : plain)),
    sse: (scope, receive, send, app) =>
      app(scope, receive, editHeaders(send, isSecure(scope.scheme) ? secure : plain)),
    websocket: (scope, receive, send, app) =>
      app(scope, receive, editHeaders(send, isSecure(scope.scheme) ? secure : plain)),
  });
}
