import {
  type ConnectionScope,
  getHeaderValues,
  type HeaderList,
  type HostParts,
  type Middleware,
  PagiValidationError,
  parseHost,
} from '@pagi/spec';
import { defineMiddleware, respond } from '@pagi/spec/middleware';

export interface TrustedHostsOptions {
  /**
   * Hosts this app answers to (**required**, non-empty). Each entry is a literal, never a regex:
   * `example.com` (exact name, any port), `*.example.com` (sub-domains only, any depth; list
   * `example.com` too for the apex), optionally with `:port` (`example.com:8443`: only that port).
   * Case-insensitive; IPv6 as `[::1]`.
   */
  hosts: readonly string[];
  /**
   * Redirect an HTTP request for `name` to `www.name` when `www.name` is allowed and `name` is
   * not (301 for GET/HEAD, 308 otherwise). Default `false`.
   */
  wwwRedirect?: boolean;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['hosts', 'wwwRedirect']);
const BAD_HOST = 'Bad Request: the Host header is missing, malformed or not served here';

/** A host rule, parsed once: name or wildcard suffix, and a port or `undefined` for any. */
interface Rule {
  /** For a wildcard, the suffix with its leading dot (`.example.com`). */
  name: string;
  wildcard: boolean;
  port: number | undefined;
}

function parseRule(entry: unknown): Rule {
  if (typeof entry !== 'string') {
    throw new PagiValidationError(`trustedHosts(): expected hosts to hold strings, got ${typeof entry}`);
  }
  const wildcard = entry.startsWith('*.');
  // The rest must itself be a valid Host: any other `*`, regex syntax or junk is refused here.
  const parts = parseHost(wildcard ? entry.slice(2) : entry);
  if (parts === undefined || (wildcard && parts.name.startsWith('['))) {
    throw new PagiValidationError(
      `trustedHosts(): expected a host like 'example.com', '*.example.com' or 'example.com:8443', got ${JSON.stringify(entry)}`,
    );
  }
  return { name: wildcard ? `.${parts.name}` : parts.name, wildcard, port: parts.port };
}

/** The port a request is on: its explicit `:port`, else the scheme's default. */
function portOf(host: HostParts, scheme: string): number {
  return host.port ?? (scheme === 'https' || scheme === 'wss' ? 443 : 80);
}

/**
 * Refuses requests whose `Host` is not one of `hosts` (DNS rebinding, Host-header poisoning of
 * password-reset links and caches): HTTP and SSE get `400`, a WebSocket handshake is denied
 * `400` (or closed before accept when the server has no denial extension). A missing, repeated
 * or malformed `Host` is refused the same way. Allowed requests pass through untouched.
 *
 * @throws PagiValidationError for an unknown option, an empty `hosts`, or an entry that is not a host pattern.
 * @example
 * const app = compose(trustedHosts({ hosts: ['example.com', '*.example.com'] }))(router.app);
 */
export function trustedHosts(options: TrustedHostsOptions): Middleware {
  if (options === null || typeof options !== 'object') {
    throw new PagiValidationError('trustedHosts(): expected an options object with hosts');
  }
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`trustedHosts(): unknown option '${key}'`);
  }
  if (!Array.isArray(options.hosts) || options.hosts.length === 0) {
    throw new PagiValidationError('trustedHosts(): expected hosts to be a non-empty array of host patterns');
  }
  const wwwRedirect = options.wwwRedirect ?? false;
  if (typeof wwwRedirect !== 'boolean') {
    throw new PagiValidationError(
      `trustedHosts(): expected wwwRedirect to be a boolean, got ${typeof wwwRedirect}`,
    );
  }
  const anyPort = new Set<string>();
  const onPort = new Set<string>();
  const wildcards: Rule[] = [];
  for (const entry of options.hosts) {
    const rule = parseRule(entry);
    if (rule.wildcard) wildcards.push(rule);
    else if (rule.port === undefined) anyPort.add(rule.name);
    else onPort.add(`${rule.name}:${rule.port}`);
  }

  const allowed = (name: string, port: number): boolean => {
    if (anyPort.has(name) || onPort.has(`${name}:${port}`)) return true;
    for (const rule of wildcards) {
      // `.example.com` suffix plus a non-empty label before it (parseHost allows no empty label).
      if (
        name.length > rule.name.length &&
        name.endsWith(rule.name) &&
        (rule.port === undefined || rule.port === port)
      ) {
        return true;
      }
    }
    return false;
  };
  /**
   * `true` when the request's single `Host` is allowed; its parts when it is well-formed but not
   * allowed (a www redirect may still apply); `undefined` when missing, repeated or malformed.
   */
  const verdict = (headers: HeaderList, scheme: string): true | HostParts | undefined => {
    const values = getHeaderValues(headers, 'host');
    if (values.length !== 1) return undefined;
    const host = parseHost(values[0]);
    if (host === undefined) return undefined;
    return allowed(host.name, portOf(host, scheme)) || host;
  };
  const refuse = (scope: ConnectionScope, send: (event: never) => Promise<void>) =>
    respond(scope, send, 400, { body: BAD_HOST });

  return defineMiddleware('trustedHosts', {
    http: (scope, receive, send, app) => {
      const host = verdict(scope.headers, scope.scheme);
      if (host === true) return app(scope, receive, send);
      if (
        wwwRedirect &&
        host !== undefined &&
        !host.name.startsWith('www.') &&
        allowed(`www.${host.name}`, portOf(host, scope.scheme))
      ) {
        const port = host.port === undefined ? '' : `:${host.port}`;
        const path = scope.raw_path !== undefined ? encodeUnsafe(scope.raw_path) : encodeURI(scope.path);
        const query = scope.query_string === '' ? '' : `?${encodeUnsafe(scope.query_string)}`;
        const location = `${scope.scheme}://www.${host.name}${port}${path}${query}`;
        const status = scope.method === 'GET' || scope.method === 'HEAD' ? 301 : 308;
        return respond(scope, send, status, { headers: { location }, body: `Redirecting to ${location}` });
      }
      return refuse(scope, send);
    },
    sse: (scope, receive, send, app) =>
      verdict(scope.headers, scope.scheme) === true ? app(scope, receive, send) : refuse(scope, send),
    websocket: (scope, receive, send, app) =>
      verdict(scope.headers, scope.scheme) === true ? app(scope, receive, send) : refuse(scope, send),
  });
}

/** Bytes of a path or query not safe as they are in a `Location` value, percent-encoded. */
function encodeUnsafe(bytes: string): string {
  // ByteStrings hold one byte per char (latin1); anything outside visible ASCII gets %XX.
  return bytes.replace(
    /[^\x21-\x7e]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}
