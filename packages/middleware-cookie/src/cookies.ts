/**
 * The per-request cookie object inner apps get through {@link COOKIES}: the request's cookies
 * (parsed on first use) and the `Set-Cookie` values to add to the response.
 */
import { PagiStateError, PagiValidationError } from '@pagi/spec';
import { type ScopeKey, scopeKey } from '@pagi/spec/middleware';
import { parse } from 'cookie';
import { type SetCookieOptions, serializeSetCookie } from './set-cookie.js';
import { signValue, unsignValue } from './sign.js';

/** What the middleware resolved once, shared by every request. */
export interface CookieConfig {
  readonly keys: readonly string[] | undefined;
  readonly defaults: SetCookieOptions;
}

/** The request's cookies and the response's `Set-Cookie` list. */
export class Cookies {
  /** The `Set-Cookie` values added so far, in order. */
  readonly outgoing: string[] = [];
  /** Set by the middleware once the response head has gone out: later `set()` calls throw. */
  sent = false;
  private parsed: Record<string, string | undefined> | undefined;

  constructor(
    private readonly header: string,
    private readonly config: CookieConfig,
    /** Whether the connection is https/wss: the default of `secure`. */
    private readonly secureDefault: boolean,
  ) {}

  private jar(): Record<string, string | undefined> {
    // `cookie.parse` returns a null-prototype object, keeps the first of repeated names and
    // percent-decodes values it can (leaving the rest as they came).
    if (this.parsed === undefined) this.parsed = parse(this.header);
    return this.parsed;
  }

  /** The request cookie `name` (percent-decoded), or `undefined`. */
  get(name: string): string | undefined {
    return this.jar()[name];
  }

  /** Every request cookie, name → value. */
  all(): Readonly<Record<string, string>> {
    const out: Record<string, string> = Object.create(null);
    for (const [name, value] of Object.entries(this.jar())) if (value !== undefined) out[name] = value;
    return out;
  }

  /**
   * The value of signed cookie `name` when its signature verifies against one of the keys;
   * `undefined` when it is absent, unsigned, tampered with or signed with an unknown key.
   */
  getSigned(name: string): string | undefined {
    const raw = this.get(name);
    return raw === undefined ? undefined : unsignValue(this.keys('getSigned'), name, raw);
  }

  /** Adds a `Set-Cookie` to the response (attributes default from the middleware's `defaults`). */
  set(name: string, value: string, options?: SetCookieOptions): void {
    if (this.sent) {
      throw new PagiStateError(`cookies.set('${name}'): expected it before the response started, but it has`);
    }
    const merged = { secure: this.secureDefault, ...this.config.defaults, ...options };
    this.outgoing.push(serializeSetCookie(name, value, merged));
  }

  /** Like {@link set}, with the value signed (HMAC-SHA256 with the first key). */
  setSigned(name: string, value: string, options?: SetCookieOptions): void {
    this.set(name, signValue(this.keys('setSigned'), name, value), options);
  }

  /** Asks the client to delete `name` (`Max-Age=0`); give the `path`/`domain` it was set with. */
  delete(name: string, options: Pick<SetCookieOptions, 'path' | 'domain'> = {}): void {
    this.set(name, '', { ...options, maxAge: 0, expires: new Date(0) });
  }

  private keys(method: string): readonly string[] {
    if (this.config.keys === undefined) {
      throw new PagiValidationError(
        `cookies.${method}(): expected the cookie middleware to have keys, it has none`,
      );
    }
    return this.config.keys;
  }
}

/** Inner apps read the request's {@link Cookies} with `COOKIES.get(scope)`. */
export const COOKIES: ScopeKey<Cookies> = scopeKey<Cookies>('pagi.cookies');
