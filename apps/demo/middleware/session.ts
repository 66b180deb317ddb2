import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Middleware, PagiValidationError } from '@pagi/spec';
import {
  appendHeader,
  defineMiddleware,
  editHeaders,
  getHeader,
  scopeKey,
  withKey,
} from '@pagi/spec/middleware';

/** A cookie session: its data travels signed (HMAC-SHA256) in the cookie itself. */
export class Session {
  changed = false;
  constructor(readonly data: Record<string, unknown>) {}
  get<T = unknown>(key: string): T | undefined {
    return this.data[key] as T | undefined;
  }
  set(key: string, value: unknown): void {
    this.data[key] = value;
    this.changed = true;
  }
}

/** Inner apps read the session with `SESSION.get(scope)` (typed, no cast). */
export const SESSION = scopeKey<Session>('session');

export interface SessionOptions {
  /** The HMAC key: at least 32 characters. Required. */
  secret: string;
  /** Cookie name. Default `'session'`. */
  cookie?: string;
  /** `Secure` attribute (HTTPS only). Default `true`. */
  secure?: boolean;
}

/** Loads a signed-cookie session for HTTP (read-write), SSE and WebSocket (read-only) scopes. */
export function session(options: SessionOptions): Middleware {
  if (typeof options.secret !== 'string' || options.secret.length < 32) {
    throw new PagiValidationError('session(): expected a secret of at least 32 characters');
  }
  const name = options.cookie ?? 'session';
  const attributes = `; Path=/; HttpOnly; SameSite=Lax${options.secure === false ? '' : '; Secure'}`;
  const sign = (payload: string) => createHmac('sha256', options.secret).update(payload).digest('base64url');
  const load = (headers: [string, string][]): Session => {
    const raw = getHeader(headers, 'cookie')
      ?.split(/;\s*/)
      .find((c) => c.startsWith(`${name}=`));
    const [payload = '', mac = ''] = (raw?.slice(name.length + 1) ?? '').split('.');
    const expected = Buffer.from(sign(payload));
    if (mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), expected))
      return new Session({});
    try {
      return new Session(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    } catch {
      return new Session({}); // signed but unreadable: start afresh rather than fail the request
    }
  };
  const cookie = (s: Session) => {
    const payload = Buffer.from(JSON.stringify(s.data)).toString('base64url');
    // Browsers drop a cookie above 4096 bytes: fail loudly instead of losing the session silently.
    if (payload.length > 3900)
      throw new PagiValidationError(`session(): ${payload.length} bytes of data, at most 3900 fit a cookie`);
    return `${name}=${payload}.${sign(payload)}${attributes}`;
  };
  return defineMiddleware('session', {
    http: (scope, receive, send, app) => {
      const s = load(scope.headers);
      const sendWithCookie = editHeaders(send, (headers) =>
        s.changed ? appendHeader(headers, 'set-cookie', cookie(s)) : undefined,
      );
      return app(withKey(scope, SESSION, s), receive, sendWithCookie);
    },
    sse: (scope, receive, send, app) => app(withKey(scope, SESSION, load(scope.headers)), receive, send),
    websocket: (scope, receive, send, app) =>
      app(withKey(scope, SESSION, load(scope.headers)), receive, send),
  });
}
