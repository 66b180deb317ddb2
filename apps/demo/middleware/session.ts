import { createHmac, timingSafeEqual } from 'node:crypto';
import { type HeaderList, type Middleware, PagiValidationError } from '@pagi/spec';
import {
  appendHeader,
  defineMiddleware,
  editHeaders,
  getHeader,
  scopeKey,
  withKey,
} from '@pagi/spec/middleware';

/** The session data (JSON values); it travels signed (HMAC-SHA256) in the cookie itself. */
export type Session = Record<string, unknown>;
/** Inner apps read the session with `SESSION.get(scope)`: typed, no cast. */
export const SESSION = scopeKey<Session>('session');

export interface SessionOptions {
  /** The HMAC key: at least 32 characters. Required. */
  secret: string;
  /** Cookie name. Default `'session'`. */
  cookie?: string;
  /** `Secure` attribute (HTTPS only). Default `true`. */
  secure?: boolean;
}

/** A signed-cookie session: read-write for HTTP, read-only for SSE and WebSocket scopes. */
export function session(options: SessionOptions): Middleware {
  if (String(options.secret ?? '').length < 32)
    throw new PagiValidationError('session(): expected a secret of at least 32 characters');
  const name = options.cookie ?? 'session';
  const attributes = `; Path=/; HttpOnly; SameSite=Lax${options.secure === false ? '' : '; Secure'}`;
  const sign = (payload: string) => createHmac('sha256', options.secret).update(payload).digest('base64url');
  const encode = (data: Session) => Buffer.from(JSON.stringify(data)).toString('base64url');
  const verified = (headers: HeaderList): string => {
    // The payload if its signature is right (constant-time check), else `{}`: always valid JSON.
    const raw = `; ${getHeader(headers, 'cookie') ?? ''}`.split(`; ${name}=`)[1]?.split(';')[0] ?? '';
    const [payload = '', mac = ''] = raw.split('.');
    const expected = Buffer.from(sign(payload));
    return mac.length === expected.length && timingSafeEqual(Buffer.from(mac), expected)
      ? payload
      : encode({});
  };
  const load = (headers: HeaderList): Session =>
    JSON.parse(Buffer.from(verified(headers), 'base64url').toString());
  return defineMiddleware('session', {
    http: (scope, receive, send, app) => {
      const before = verified(scope.headers);
      const data: Session = JSON.parse(Buffer.from(before, 'base64url').toString());
      const withCookie = editHeaders(send, (headers) => {
        const after = encode(data); // a cookie only when the data changed; browsers drop one above 4 KB
        if (after.length > 3900)
          throw new PagiValidationError(`session(): ${after.length} bytes, at most 3900`);
        return after === before
          ? undefined
          : appendHeader(headers, 'set-cookie', `${name}=${after}.${sign(after)}${attributes}`);
      });
      return app(withKey(scope, SESSION, data), receive, withCookie);
    },
    sse: (scope, receive, send, app) => app(withKey(scope, SESSION, load(scope.headers)), receive, send),
    websocket: (scope, receive, send, app) =>
      app(withKey(scope, SESSION, load(scope.headers)), receive, send),
  });
}
