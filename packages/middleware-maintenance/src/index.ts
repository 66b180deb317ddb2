import {
  type ConnectionScope,
  getHeader,
  type Middleware,
  PagiValidationError,
  preferredMediaType,
} from '@pagi/spec';
import { defineMiddleware, respond } from '@pagi/spec/middleware';
import { allowList, isAllowed, secretMatcher } from './bypass.js';
import { htmlPage, jsonPage } from './page.js';
import { fileSwitch, type MaintenanceSwitch } from './switch.js';

export interface MaintenanceOptions {
  /** On/off: a boolean, or a function asked per request (may be async). Default `true` unless `file` is set. */
  enabled?: boolean | MaintenanceSwitch;
  /** Maintenance is on while this file exists; checked at most once per second. */
  file?: string;
  /** Client addresses or CIDR ranges (IPv4 and IPv6) that get through. Default none. */
  allow?: string[];
  /** A request header (name) and secret value that get through, compared in constant time. */
  secret?: { header: string; value: string };
  /** `Retry-After` seconds; `false` for none. Default `120`. */
  retryAfter?: number | false;
  /** The text of the page. Default `'The service is down for maintenance. Please try again later.'`. */
  message?: string;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'enabled',
  'file',
  'allow',
  'secret',
  'retryAfter',
  'message',
]);
const OFFERED = ['text/html', 'application/json', 'text/plain'];
const ALWAYS_ON: MaintenanceSwitch = () => true;
const ALWAYS_OFF: MaintenanceSwitch = () => false;

function resolveSwitch(options: MaintenanceOptions): MaintenanceSwitch {
  if (options.file !== undefined && options.enabled !== undefined) {
    throw new PagiValidationError('maintenance(): expected either `enabled` or `file`, got both');
  }
  if (options.file !== undefined) {
    if (typeof options.file !== 'string' || options.file === '') {
      throw new PagiValidationError('maintenance(): expected `file` to be a non-empty path');
    }
    return fileSwitch(options.file);
  }
  const enabled = options.enabled ?? true;
  if (typeof enabled === 'function') return enabled;
  if (typeof enabled !== 'boolean') {
    throw new PagiValidationError(
      `maintenance(): expected \`enabled\` to be a boolean or a function, got ${typeof enabled}`,
    );
  }
  return enabled ? ALWAYS_ON : ALWAYS_OFF;
}

/**
 * While maintenance is on, answers every HTTP, SSE and WebSocket request with 503 (and
 * `Retry-After`): an HTML page, or JSON or text when `Accept` prefers it; a WebSocket is declined.
 * Clients in `allow` (IPv4/IPv6 CIDR, from `scope.client`, which the server has already rewritten
 * behind a trusted proxy) and requests carrying the `secret` header get through.
 *
 * @throws PagiValidationError for an unknown option or a bad address, secret or switch (when applied).
 * @example
 * compose(maintenance({ file: '/run/app/maintenance', allow: ['10.0.0.0/8', '2001:db8::/32'] }))(app);
 */
export function maintenance(options: MaintenanceOptions = {}): Middleware {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`maintenance(): unknown option '${key}'`);
  }
  const isOn = resolveSwitch(options);
  const allowed =
    options.allow === undefined || options.allow.length === 0 ? undefined : allowList(options.allow);
  let secretHeader: string | undefined;
  let secretMatches: ((presented: string | undefined) => boolean) | undefined;
  if (options.secret !== undefined) {
    const { header, value } = options.secret;
    if (typeof header !== 'string' || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(header)) {
      throw new PagiValidationError(
        `maintenance(): expected secret.header to be a header name, got ${JSON.stringify(header)}`,
      );
    }
    if (typeof value !== 'string' || value.length < 16) {
      throw new PagiValidationError(
        'maintenance(): expected secret.value to be a string of at least 16 characters',
      );
    }
    secretHeader = header.toLowerCase();
    secretMatches = secretMatcher(value);
  }
  const retryAfter = options.retryAfter ?? 120;
  if (retryAfter !== false && (!Number.isInteger(retryAfter) || retryAfter < 0)) {
    throw new PagiValidationError(
      `maintenance(): expected retryAfter to be whole seconds or false, got ${String(retryAfter)}`,
    );
  }
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (retryAfter !== false) headers['retry-after'] = String(retryAfter);
  const message = options.message ?? 'The service is down for maintenance. Please try again later.';
  const bodies: Record<string, string> = {
    'text/html': htmlPage(message),
    'application/json': jsonPage(message),
    'text/plain': `${message}\n`,
  };

  function bypassed(scope: ConnectionScope): boolean {
    if (allowed !== undefined && isAllowed(allowed, scope.client?.[0])) return true;
    return secretMatches?.(getHeader(scope.headers, secretHeader!)) === true;
  }

  async function gate(
    scope: ConnectionScope,
    receive: unknown,
    send: (event: never) => Promise<void>,
    app: (scope: never, receive: never, send: never) => unknown,
  ): Promise<unknown> {
    if (!(await isOn()) || bypassed(scope)) return app(scope as never, receive as never, send as never);
    const type = preferredMediaType(getHeader(scope.headers, 'accept'), OFFERED) ?? 'text/html';
    return respond(scope, send, 503, {
      headers,
      body: bodies[type],
      contentType: `${type}; charset=utf-8`,
    });
  }

  return defineMiddleware('maintenance', { http: gate, sse: gate, websocket: gate });
}
