/**
 * Origin checks (OWASP CSRF cheat sheet, "verifying origin with standard headers"; RFC 6454):
 * the `Origin` header, or the origin of `Referer` when there is no `Origin`, must be the
 * request's own origin or one of the trusted ones. `null` (sandboxed frames, some redirects,
 * `file:` pages) is never trusted.
 */
import { type ConnectionScope, getHeaderValues, PagiValidationError } from '@pagi/spec';

/** `scheme://host[:port]` normalised by the URL parser (lowercase, default port dropped), or `undefined`. */
export function normaliseOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/** The trusted-origins option as a set of normalised origins. */
export function trustedOrigins(where: string, origins: unknown): ReadonlySet<string> {
  if (origins === undefined) return new Set();
  if (!Array.isArray(origins))
    throw new PagiValidationError(`${where}: expected origins to be an array of origins`);
  const out = new Set<string>();
  for (const origin of origins) {
    const normalised = typeof origin === 'string' ? normaliseOrigin(origin) : undefined;
    // Only the canonical form is accepted (lowercase, no default port, no path or slash), so
    // what the user wrote is exactly what is compared.
    if (normalised === undefined || normalised !== origin) {
      throw new PagiValidationError(
        `${where}: expected each origin in the form 'scheme://host[:port]' (http or https, lowercase, no default port, no path), got ${JSON.stringify(origin)}`,
      );
    }
    out.add(normalised);
  }
  return out;
}

/** The request's own origin: its scheme (ws → http, wss → https) and its Host header. */
function ownOrigin(scope: ConnectionScope): string | undefined {
  const hosts = getHeaderValues(scope.headers, 'host');
  if (hosts.length !== 1) return undefined;
  const scheme = scope.scheme === 'https' || scope.scheme === 'wss' ? 'https' : 'http';
  return normaliseOrigin(`${scheme}://${hosts[0]}`);
}

/** What the Origin/Referer headers say: `'missing'`, `'trusted'` or `'untrusted'`. */
export function originVerdict(
  scope: ConnectionScope,
  trusted: ReadonlySet<string>,
  useReferer: boolean,
): 'missing' | 'trusted' | 'untrusted' {
  const origins = getHeaderValues(scope.headers, 'origin');
  let claimed: string | undefined;
  if (origins.length > 1) return 'untrusted';
  if (origins.length === 1) {
    claimed = origins[0] as string;
  } else if (useReferer) {
    const referers = getHeaderValues(scope.headers, 'referer');
    if (referers.length > 1) return 'untrusted';
    if (referers.length === 0 || referers[0] === '') return 'missing';
    claimed = referers[0] as string;
  } else {
    return 'missing';
  }
  // `null` (the literal string) and anything unparsable are untrusted.
  const origin = normaliseOrigin(claimed);
  if (origin === undefined) return 'untrusted';
  return origin === ownOrigin(scope) || trusted.has(origin) ? 'trusted' : 'untrusted';
}
