/**
 * How the session handle travels between client and server. A transport reads the handle from
 * the request and, for the transports that can, writes or clears it on the response.
 */
import {
  type ConnectionScope,
  checkHeader,
  getHeaderValues,
  type HeaderList,
  PagiValidationError,
} from '@pagi/spec';
import { appendHeader, setHeader } from '@pagi/spec/middleware';
import { parse, serialize } from 'cookie';

export interface SessionTransport {
  /** The handle the request carries, or `undefined`. */
  read(scope: ConnectionScope): string | undefined;
  /** The response headers with `handle` added (`maxAge`: the session lifetime, in seconds). */
  write?(headers: HeaderList, handle: string, scope: ConnectionScope, maxAge: number): HeaderList;
  /** The response headers with an instruction to forget the handle (after `destroy()`). */
  clear?(headers: HeaderList, scope: ConnectionScope): HeaderList;
}

export interface CookieTransportOptions {
  /** Cookie name. Default `'pagi_session'`. */
  name?: string;
  /** `Path`. Default `'/'`. */
  path?: string;
  /** `Domain`. Default: none (host-only, the safer choice). */
  domain?: string;
  /** `SameSite`. Default `'lax'`. */
  sameSite?: 'lax' | 'strict' | 'none';
  /** `Secure`: `'auto'` adds it when the request came over https/wss. Default `'auto'`. */
  secure?: boolean | 'auto';
  /** `HttpOnly`. Default `true`. */
  httpOnly?: boolean;
  /** Send `Max-Age` (the session's `maxAge`); `false` makes a browser-session cookie. Default `true`. */
  persistent?: boolean;
}

const COOKIE_OPTIONS: ReadonlySet<string> = new Set([
  'name',
  'path',
  'domain',
  'sameSite',
  'secure',
  'httpOnly',
  'persistent',
]);

function unknownOptions(where: string, options: object, known: ReadonlySet<string>): void {
  if (options === null || typeof options !== 'object') {
    throw new PagiValidationError(`${where}: expected an options object`);
  }
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new PagiValidationError(`${where}: unknown option '${key}'`);
  }
}

/** The default transport: an `HttpOnly; SameSite=Lax; Path=/` cookie, `Secure` on https. */
export function cookieTransport(options: CookieTransportOptions = {}): SessionTransport {
  unknownOptions('cookieTransport()', options, COOKIE_OPTIONS);
  const {
    name = 'pagi_session',
    path = '/',
    domain,
    sameSite = 'lax',
    secure = 'auto',
    httpOnly = true,
    persistent = true,
  } = options;
  if (!['lax', 'strict', 'none'].includes(sameSite)) {
    throw new PagiValidationError(
      `cookieTransport(): expected sameSite 'lax', 'strict' or 'none', got ${sameSite}`,
    );
  }
  if (sameSite === 'none' && secure !== true) {
    throw new PagiValidationError("cookieTransport(): sameSite 'none' requires secure: true");
  }
  const attributes = (isSecure: boolean, maxAge: number | undefined) => ({
    path,
    domain,
    sameSite,
    httpOnly,
    secure: isSecure,
    maxAge,
  });
  // Validates name, path and domain once, here (the `cookie` library refuses anything that
  // could inject an attribute), so per-request serialisation cannot fail on them.
  try {
    checkHeader('set-cookie', serialize(name, 'x', attributes(true, 1)));
  } catch (error) {
    throw new PagiValidationError(`cookieTransport(): ${(error as Error).message}`, { cause: error });
  }
  const isSecure = (scope: ConnectionScope): boolean =>
    secure === 'auto' ? scope.scheme === 'https' || scope.scheme === 'wss' : secure;
  return {
    read(scope) {
      const values = getHeaderValues(scope.headers, 'cookie');
      if (values.length === 0) return undefined;
      // The first cookie of that name wins (cookie.parse), as browsers send the most specific first.
      return parse(values.join('; '))[name];
    },
    write(headers, handle, scope, maxAge) {
      return appendHeader(
        headers,
        'set-cookie',
        serialize(name, handle, attributes(isSecure(scope), persistent ? maxAge : undefined)),
      );
    },
    clear(headers, scope) {
      return appendHeader(
        headers,
        'set-cookie',
        serialize(name, '', { ...attributes(isSecure(scope), 0), expires: new Date(0) }),
      );
    },
  };
}

/** The single value of header `name`, or `undefined` when absent or repeated (ambiguous). */
function single(scope: ConnectionScope, name: string): string | undefined {
  const values = getHeaderValues(scope.headers, name);
  return values.length === 1 ? values[0] : undefined;
}

export interface HeaderTransportOptions {
  /** The request header carrying the handle, also set on responses that save a session. Default `'x-session-id'`. */
  name?: string;
}

/**
 * The handle in a request header (for API clients); a response that saves the session carries
 * it in the same header. Clients drop it themselves after a logout (`destroy()`).
 */
export function headerTransport(options: HeaderTransportOptions = {}): SessionTransport {
  unknownOptions('headerTransport()', options, new Set(['name']));
  const name = (options.name ?? 'x-session-id').toLowerCase();
  checkHeader(name, 'x');
  if (name === 'cookie' || name === 'authorization') {
    throw new PagiValidationError(
      `headerTransport(): expected a dedicated header name, got '${name}' (use cookieTransport or bearerTransport)`,
    );
  }
  return {
    read: (scope) => single(scope, name),
    write: (headers, handle) => setHeader(headers, name, handle),
  };
}

// RFC 6750 §2.1: b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The handle as an opaque bearer token (`Authorization: Bearer <handle>`, RFC 6750), for API
 * clients. Nothing is written: the app gives the client `session.id` itself (e.g. in a login
 * response's body; after `regenerate()` it is already the new ID).
 */
export function bearerTransport(): SessionTransport {
  return {
    read(scope) {
      const value = single(scope, 'authorization');
      return value === undefined ? undefined : BEARER.exec(value)?.[1];
    },
  };
}
