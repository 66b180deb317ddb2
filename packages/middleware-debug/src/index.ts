import {
  deleteHeader,
  getHeader,
  type HttpResponseStartEvent,
  type HttpScope,
  type Middleware,
  PagiValidationError,
  type Send,
  setHeader,
} from '@pagi/spec';
import { type BufferedResponse, bufferBody, defineMiddleware } from '@pagi/spec/middleware';
import { type PanelParts, renderPanel } from './panel.js';

export interface DebugOptions {
  /** Must be `true` for the panel to appear; anything else leaves responses untouched. Default `false`. */
  enabled?: boolean;
  /** Largest HTML body (bytes) held to inject the panel; larger ones stream through untouched. Default 1 MiB. */
  limit?: number;
  /** Show scope fields (version, scheme, client, server). Default `true`. */
  showScope?: boolean;
  /** Show request and response headers. Default `true`. */
  showHeaders?: boolean;
  /** Show the time the app took. Default `true`. */
  showTiming?: boolean;
  /** Header names whose values are shown as `[redacted]`. Default `authorization`, `proxy-authorization`, `cookie`, `set-cookie`. */
  redact?: string[];
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'enabled',
  'limit',
  'showScope',
  'showHeaders',
  'showTiming',
  'redact',
]);
const DEFAULT_REDACT = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];
const decoder = new TextDecoder();

/** An uncompressed `text/html` response: the only kind the panel goes into. */
function isHtml(start: HttpResponseStartEvent): boolean {
  const headers = start.headers ?? [];
  const type = getHeader(headers, 'content-type');
  if (type === undefined || !/^\s*text\/html\s*(?:;|$)/i.test(type)) return false;
  // The page is decoded as UTF-8 to find </body>: another charset would be corrupted.
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return false;
  const coding = getHeader(headers, 'content-encoding');
  return coding === undefined || coding.trim().toLowerCase() === 'identity';
}

/** Where `</body>` (any case) starts, the last one; -1 when there is none. */
function bodyCloseAt(html: string): number {
  const lower = html.toLowerCase();
  return lower.lastIndexOf('</body>');
}

/**
 * A development panel (the request line, scope fields, request and response headers, timing) put
 * before `</body>` of HTML responses, or appended when there is none. Values are HTML-escaped and
 * credentials redacted. Only uncompressed `text/html` responses up to `limit` bytes are held (with
 * the kit's `bufferBody`); every other response, larger HTML, file bodies, HEAD/204/304 and ranged
 * responses stream through untouched. Off unless `enabled: true`; refused when
 * `NODE_ENV=production`, since the panel shows request data.
 *
 * @throws PagiValidationError for an unknown option or bad value, or `enabled` under NODE_ENV=production (when applied).
 * @example
 * compose(debug({ enabled: process.env.NODE_ENV === 'development' }))(router.app);
 */
export function debug(options: DebugOptions = {}): Middleware {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`debug(): unknown option '${key}'`);
  }
  const limit = options.limit ?? 1024 * 1024;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new PagiValidationError(
      `debug(): expected limit to be a whole number of bytes ≥ 0, got ${String(limit)}`,
    );
  }
  const redact = options.redact ?? DEFAULT_REDACT;
  if (!Array.isArray(redact) || redact.some((name) => typeof name !== 'string')) {
    throw new PagiValidationError('debug(): expected redact to be an array of header names');
  }
  if (options.enabled !== true) return defineMiddleware('debug', {});
  if (typeof process !== 'undefined' && process.env.NODE_ENV === 'production') {
    throw new PagiValidationError(
      'debug(): expected a development environment, got NODE_ENV=production (the panel shows request data)',
    );
  }
  const parts: PanelParts = {
    showScope: options.showScope !== false,
    showHeaders: options.showHeaders !== false,
    showTiming: options.showTiming !== false,
    redact: new Set(redact.map((name) => name.toLowerCase())),
  };

  return defineMiddleware('debug', {
    http: (scope, receive, send, app) => {
      const startedAt = performance.now();
      const finish = (start: HttpResponseStartEvent, body: Uint8Array): BufferedResponse => {
        let headers = start.headers ?? [];
        const html = decoder.decode(body);
        const panel = renderPanel(parts, scope, start.status, headers, performance.now() - startedAt);
        const at = bodyCloseAt(html);
        const page = at === -1 ? html + panel : html.slice(0, at) + panel + html.slice(at);
        // The body changed: its length is new, and a validator for the old bytes would lie.
        headers = deleteHeader(headers, 'etag');
        headers = setHeader(headers, 'content-length', String(Buffer.byteLength(page)));
        return { status: start.status, headers, body: page };
      };
      return bufferBody(
        (innerScope: HttpScope, innerReceive, buffered) =>
          app(innerScope, innerReceive, routeByType(send, buffered)),
        scope,
        receive,
        send,
        { limit },
        finish,
      );
    },
  });
}

/**
 * The inner app's `send`: once the start shows an HTML response its events go to the buffering
 * `send`; any other response goes straight to the server, never held.
 */
function routeByType(direct: Send<'http'>, buffered: Send<'http'>): Send<'http'> {
  let target: Send<'http'> | undefined;
  return (event) => {
    if (target === undefined && event.type === 'http.response.start')
      target = isHtml(event) ? buffered : direct;
    return (target ?? direct)(event);
  };
}
