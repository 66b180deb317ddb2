import { parseSetCookie } from 'cookie';

/** One stored cookie, as the jar keeps it (RFC 6265 §5.3 storage model, the fields tests need). */
export interface StoredCookie {
  name: string;
  value: string;
  /** The host the cookie is sent to (lowercase, no leading dot). */
  domain: string;
  /** `false` when the cookie came without `Domain` (host-only: sent to exactly `domain`). */
  hostOnly: boolean;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  /** Milliseconds since the epoch; `undefined` for a session cookie. */
  expires: number | undefined;
}

/** What `cookies.set()` accepts besides name and value. */
export interface CookieSetOptions {
  /** Default: the client's server host; given explicitly it also matches subdomains. */
  domain?: string;
  /** Default `'/'`. */
  path?: string;
  secure?: boolean;
  httpOnly?: boolean;
  expires?: Date;
}

/** Where a request goes, for matching cookies against it. */
export interface CookieTarget {
  host: string;
  path: string;
  secure: boolean;
}

/** RFC 6265 §5.1.3: the host is the domain, or ends with `.domain` and is not an IP address. */
function domainMatches(host: string, domain: string): boolean {
  if (host === domain) return true;
  return host.endsWith(`.${domain}`) && !/^[\d.]+$|:/.test(host);
}

/** RFC 6265 §5.1.4: the directory of the request path, used when a cookie has no `Path`. */
function defaultPath(requestPath: string): string {
  if (!requestPath.startsWith('/')) return '/';
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** The value itself: `Set-Cookie` values are kept exactly as sent (no percent-decoding). */
const keepRaw = (value: string): string => value;

/**
 * The test client's cookie jar: one per client, filled from every response's `Set-Cookie` and
 * sent back as one `cookie` header on later requests, with the RFC 6265 rules that matter in
 * tests: host-only vs `Domain` cookies (domain-match), `Path` (path-match, default path),
 * `Max-Age`/`Expires` (a past date or `Max-Age=0` deletes), `Secure` sent only over `https`,
 * `HttpOnly` stored and sent (the client is not a script). Parsing uses the `cookie` library.
 *
 * @example
 * await client.post('/login', { form: { user: 'ann' } }); // Set-Cookie: sid=…; HttpOnly
 * expect(client.cookies.get('sid')).toBeDefined();
 * client.cookies.set('theme', 'dark');
 * client.cookies.clear();
 */
export class CookieJar {
  private readonly defaultHost: string;
  private cookies: StoredCookie[] = [];
  private readonly now: () => number;

  /** @internal Created by the test client, with the host of its `server` option. */
  constructor(defaultHost: string, now: () => number = Date.now) {
    this.defaultHost = defaultHost.toLowerCase();
    this.now = now;
  }

  /** The value of the first live cookie named `name` (any domain and path), or undefined. */
  get(name: string): string | undefined {
    return this.all().find((c) => c.name === name)?.value;
  }

  /** Every live cookie, copies, in storage order. */
  all(): StoredCookie[] {
    this.evictExpired();
    return this.cookies.map((c) => ({ ...c }));
  }

  /** The live cookies as a `{ name: value }` record (the first one wins for duplicate names). */
  toJSON(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const c of this.all()) if (!(c.name in out)) out[c.name] = c.value;
    return out;
  }

  /** Stores a cookie as if the app had set it. */
  set(name: string, value: string, options: CookieSetOptions = {}): void {
    const domain = options.domain?.toLowerCase().replace(/^\./, '');
    this.put({
      name,
      value,
      domain: domain ?? this.defaultHost,
      hostOnly: domain === undefined,
      path: options.path ?? '/',
      secure: options.secure ?? false,
      httpOnly: options.httpOnly ?? false,
      expires: options.expires?.getTime(),
    });
  }

  /** Removes cookies named `name` (only those with this domain/path when given). */
  delete(name: string, options: { domain?: string; path?: string } = {}): void {
    const domain = options.domain?.toLowerCase().replace(/^\./, '');
    this.cookies = this.cookies.filter(
      (c) =>
        !(
          c.name === name &&
          (domain === undefined || c.domain === domain) &&
          (options.path === undefined || c.path === options.path)
        ),
    );
  }

  /** Removes every cookie. */
  clear(): void {
    this.cookies = [];
  }

  /**
   * @internal Stores the `Set-Cookie` values of a response to `target` (RFC 6265 §5.3). A cookie
   * whose `Domain` does not domain-match the request host is ignored, as a browser would.
   */
  storeFrom(setCookies: string[], target: CookieTarget): void {
    for (const header of setCookies) {
      const parsed = parseSetCookie(header, { decode: keepRaw });
      if (parsed.name === '' || parsed.value === undefined) continue;
      const host = target.host.toLowerCase();
      let domain = host;
      let hostOnly = true;
      if (parsed.domain !== undefined && parsed.domain !== '') {
        domain = parsed.domain.toLowerCase().replace(/^\./, '');
        hostOnly = false;
        if (!domainMatches(host, domain)) continue;
      }
      // §5.3 step 11: a `Secure` cookie only from a secure request (RFC 6265bis §5.7 "Strict Secure").
      if (parsed.secure === true && !target.secure) continue;
      let expires: number | undefined;
      // §5.3 step 3: Max-Age wins over Expires; Max-Age ≤ 0 means "expired now".
      if (parsed.maxAge !== undefined) expires = parsed.maxAge <= 0 ? 0 : this.now() + parsed.maxAge * 1000;
      else if (parsed.expires !== undefined) expires = parsed.expires.getTime();
      const path = parsed.path?.startsWith('/') ? parsed.path : defaultPath(target.path);
      this.put({
        name: parsed.name,
        value: parsed.value,
        domain,
        hostOnly,
        path,
        secure: parsed.secure === true,
        httpOnly: parsed.httpOnly === true,
        expires,
      });
    }
  }

  /**
   * @internal The `cookie` header value for a request to `target`, or undefined when no cookie
   * applies. Longer paths first (RFC 6265 §5.4 step 2), then older cookies first.
   */
  headerFor(target: CookieTarget): string | undefined {
    this.evictExpired();
    const host = target.host.toLowerCase();
    const matching = this.cookies.filter(
      (c) =>
        (c.hostOnly ? c.domain === host : domainMatches(host, c.domain)) &&
        pathMatches(target.path, c.path) &&
        (!c.secure || target.secure),
    );
    if (matching.length === 0) return undefined;
    matching.sort((a, b) => b.path.length - a.path.length);
    return matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  /** §5.3 step 11: a cookie with the same name, domain and path replaces the old one. */
  private put(cookie: StoredCookie): void {
    const index = this.cookies.findIndex(
      (c) => c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path,
    );
    if (index === -1) this.cookies.push(cookie);
    else this.cookies[index] = cookie;
    this.evictExpired();
  }

  private evictExpired(): void {
    const now = this.now();
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
  }
}
