import { type HeaderList, type Middleware, PagiValidationError, type Send } from '@pagi/spec';
import {
  appendVary,
  defineMiddleware,
  editHeaders,
  getHeader,
  hasHeader,
  respond,
  setHeader,
} from '@pagi/spec/middleware';

export interface CorsOptions {
  /** Origins allowed to read responses; `'*'` (the default) allows any, without credentials. */
  origin?: '*' | readonly string[];
  /** Methods a preflight allows. Default: GET, HEAD, POST, PUT, PATCH, DELETE. */
  methods?: readonly string[];
  /** Request headers a preflight allows. Default: the ones the preflight asks for. */
  allowHeaders?: readonly string[];
  /** Send `access-control-allow-credentials: true`. Default `false`; needs explicit origins. */
  credentials?: boolean;
  /** Seconds a browser may cache a preflight. Default 600. */
  maxAge?: number;
}

/** CORS (Fetch §3.2) for HTTP and SSE: answers preflights; adds allow headers and `Vary: Origin`. */
export function cors(options: CorsOptions = {}): Middleware {
  const any = options.origin === undefined || options.origin === '*';
  const origins = new Set(any ? [] : options.origin);
  if (any && options.credentials) throw new PagiValidationError("cors(): credentials need origins, not '*'");
  const methods = (options.methods ?? ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).join(', ');
  const maxAge = String(options.maxAge ?? 600);
  // The origin to allow for this request, or '' for none.
  const allowed = (request: HeaderList) => {
    const origin = getHeader(request, 'origin') ?? '';
    return any && origin !== '' ? '*' : origins.has(origin) ? origin : '';
  };
  const allow = (headers: HeaderList, origin: string): HeaderList => {
    const out = any ? headers : appendVary(headers, 'Origin');
    if (origin === '') return out;
    const set = setHeader(out, 'access-control-allow-origin', origin);
    return options.credentials ? setHeader(set, 'access-control-allow-credentials', 'true') : set;
  };
  const withCors = <T extends 'http' | 'sse'>(request: HeaderList, send: Send<T>) =>
    editHeaders(send, (headers) => allow(headers, allowed(request)));
  const preflight = (request: HeaderList): HeaderList => {
    const asked = options.allowHeaders?.join(', ') ?? getHeader(request, 'access-control-request-headers');
    const extra: HeaderList = [
      ['access-control-allow-methods', methods],
      ['access-control-max-age', maxAge],
    ];
    if (asked) extra.push(['access-control-allow-headers', asked]);
    const origin = allowed(request);
    return allow(origin === '' ? [] : extra, origin);
  };
  return defineMiddleware('cors', {
    http: (scope, receive, send, app) =>
      scope.method === 'OPTIONS' && hasHeader(scope.headers, 'access-control-request-method')
        ? respond(scope, send, 204, { headers: preflight(scope.headers) })
        : app(scope, receive, withCors(scope.headers, send)),
    sse: (scope, receive, send, app) => app(scope, receive, withCors(scope.headers, send)),
  });
}
