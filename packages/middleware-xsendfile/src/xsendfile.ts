/**
 * Hands a `file` body to the front proxy: the response goes out with the proxy's header naming
 * the file (`X-Accel-Redirect` for nginx, `X-Sendfile` for Apache mod_xsendfile,
 * `X-Lighttpd-Send-File`) and an empty body; the proxy then sends the file itself.
 */
import { resolve } from 'node:path';
import {
  checkHeader,
  deleteHeader,
  getHeader,
  type HttpResponseStartEvent,
  type HttpScope,
  type Middleware,
  PagiValidationError,
  type Send,
  setHeader,
} from '@pagi/spec';
import { defineMiddleware } from '@pagi/spec/middleware';

export type XSendfileType = 'X-Accel-Redirect' | 'X-Sendfile' | 'X-Lighttpd-Send-File';

export interface XSendfileOptions {
  /** The proxy's header (required): `'X-Accel-Redirect'`, `'X-Sendfile'` or `'X-Lighttpd-Send-File'`. */
  type: XSendfileType;
  /**
   * How a file path becomes the header value. A string: prepended to the absolute path. An
   * object or `[from, to]` pairs: the longest `from` prefix (a whole directory) is replaced by its
   * `to`; a path no `from` matches is served by the app server as usual. Default: the absolute path.
   */
  mapping?: string | Record<string, string> | [string, string][];
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['type', 'mapping']);
const TYPES: ReadonlyMap<string, string> = new Map(
  ['X-Accel-Redirect', 'X-Sendfile', 'X-Lighttpd-Send-File'].map((t) => [t.toLowerCase(), t.toLowerCase()]),
);

type MapPath = (path: string) => string | undefined;

/** Builds the path mapping once, at factory time; longest prefix first, so overlaps are deterministic. */
function buildMapping(mapping: XSendfileOptions['mapping']): MapPath {
  if (mapping === undefined) return (path) => path;
  if (typeof mapping === 'string') return (path) => mapping + path;
  const pairs = Array.isArray(mapping) ? mapping : Object.entries(mapping);
  const rules = pairs.map((pair) => {
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      typeof pair[0] !== 'string' ||
      typeof pair[1] !== 'string' ||
      pair[0] === ''
    ) {
      throw new PagiValidationError(
        `xsendfile(): expected mapping entries to be [from, to] strings, got ${JSON.stringify(pair)}`,
      );
    }
    // A directory prefix: `/var/www` must not match `/var/wwwx/…`.
    const from = pair[0].endsWith('/') ? pair[0] : `${pair[0]}/`;
    const to = pair[1].endsWith('/') ? pair[1] : `${pair[1]}/`;
    return { from, to };
  });
  rules.sort((a, b) => b.from.length - a.from.length);
  return (path) => {
    for (const { from, to } of rules) if (path.startsWith(from)) return to + path.slice(from.length);
    return undefined;
  };
}

/** true for a start whose body must not be replaced: a slice (206 / Content-Range) or no body. */
function keepBody(start: HttpResponseStartEvent): boolean {
  const s = start.status;
  return (
    s < 200 ||
    s === 204 ||
    s === 206 ||
    s === 304 ||
    (start.headers !== undefined && getHeader(start.headers, 'content-range') !== undefined)
  );
}

/**
 * Replaces a whole-file `file` body with the proxy's header and an empty body. `fh` bodies (no
 * path), slices (`offset`/`length`), 206 responses, and paths the mapping does not cover are sent
 * as they are.
 *
 * @throws PagiValidationError for an unknown option, an unknown `type` or a bad `mapping` (when applied).
 * @example
 * const app = compose(xsendfile({ type: 'X-Accel-Redirect', mapping: { '/srv/files': '/protected' } }))(router.app);
 */
export function xsendfile(options: XSendfileOptions): Middleware {
  if (options === null || typeof options !== 'object') {
    throw new PagiValidationError('xsendfile(): expected an options object with a type');
  }
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`xsendfile(): unknown option '${key}'`);
  }
  const header = typeof options.type === 'string' ? TYPES.get(options.type.toLowerCase()) : undefined;
  if (header === undefined) {
    throw new PagiValidationError(
      `xsendfile(): expected type to be 'X-Accel-Redirect', 'X-Sendfile' or 'X-Lighttpd-Send-File', got ${JSON.stringify(options.type)}`,
    );
  }
  const mapping = options.mapping;
  if (
    mapping !== undefined &&
    typeof mapping !== 'string' &&
    (typeof mapping !== 'object' || mapping === null)
  ) {
    throw new PagiValidationError(
      `xsendfile(): expected mapping to be a string, an object or [from, to] pairs, got ${mapping}`,
    );
  }
  const mapPath = buildMapping(mapping);

  /** The header value for a file path, or undefined to send the file as usual. */
  const valueFor = (file: string): string | undefined => {
    const value = mapPath(resolve(file));
    if (value === undefined) return undefined;
    try {
      checkHeader(header, value); // a path with CR/LF/NUL must not become a header (injection)
      return value;
    } catch {
      return undefined;
    }
  };

  const gate = (scope: HttpScope, send: Send<'http'>) => {
    let held: HttpResponseStartEvent | undefined;
    let passing = false;
    const gated: Send<'http'> = async (event) => {
      if (passing) return send(event);
      if (event.type === 'http.response.start') {
        if (keepBody(event) || scope.method === 'HEAD') {
          passing = true;
          return send(event);
        }
        held = event;
        return;
      }
      if (held === undefined) return send(event);
      const start = held;
      held = undefined;
      passing = true;
      const whole =
        event.type === 'http.response.body' &&
        event.file !== undefined &&
        event.more !== true &&
        (event.offset ?? 0) === 0 &&
        event.length === undefined;
      const value = whole ? valueFor(event.file as string) : undefined;
      if (value === undefined) {
        await send(start);
        return send(event);
      }
      // The app's Content-Length described the file, not the empty body sent instead (upstream
      // left it in place: a framing error).
      const headers = setHeader(deleteHeader(start.headers ?? [], 'content-length'), header, value);
      await send({ ...start, headers });
      await send({ type: 'http.response.body' });
    };
    const end = async () => {
      if (held !== undefined) {
        const start = held;
        held = undefined;
        await send(start);
      }
    };
    return { send: gated, end };
  };

  return defineMiddleware('xsendfile', {
    http: async (scope, receive, send, app) => {
      const g = gate(scope, send);
      const result = await app(scope, receive, g.send);
      await g.end();
      return result;
    },
  });
}
