/**
 * The proxy's options, validated once at factory time: a typo or a bad value is a
 * PagiValidationError naming the option, never a surprise on the first request.
 */
import { type ConnectionScope, PagiValidationError } from '@pagi/spec';
import type { Dispatcher } from 'undici';
import { type Backend, parseBackend } from './backend.js';

export interface ProxyOptions {
  /** The one backend, `http(s)://host[:port][/base/path]`. Give this or `targets`. */
  target?: string;
  /**
   * The backends a request may go to (the allow-list): URLs, or names mapped to URLs. With
   * `targets`, `route(scope)` picks one per request; a pick that is not on the list is answered
   * 421 and no connection is made. No default.
   */
  targets?: readonly string[] | Readonly<Record<string, string>>;
  /**
   * Picks the backend for a request: a name of `targets` (the record form) or one of its URLs
   * (the array form). `undefined` or anything else: 421. Required with `targets`.
   */
  route?: (scope: ConnectionScope) => string | undefined;
  /** `'rewrite'`: the backend gets `Host: <its own host>`; `'preserve'`: the client's `Host`. Default `'rewrite'`. */
  host?: 'rewrite' | 'preserve';
  /** Add `Forwarded` (RFC 7239) and `X-Forwarded-For/-Proto/-Host`. Default `true`. */
  forwardedHeaders?: boolean;
  /** Milliseconds to establish the TCP (and TLS) connection to the backend; past it, 504. Default `10000`. */
  connectTimeout?: number;
  /** Milliseconds from sending the request to receiving the response head (also the WebSocket handshake); past it, 504. Default `60000`. */
  headersTimeout?: number;
  /** Milliseconds an HTTP response body may stay silent; past it, 504 before the response started, an aborted response after. Default `60000`. */
  idleTimeout?: number;
  /** The same for an event stream, which may be quiet between events. `0` disables it. Default `300000`. */
  sseIdleTimeout?: number;
  /** Largest single event (bytes of its lines) relayed from an event stream; a bigger one ends the stream. Default `1048576`. */
  maxSseEventSize?: number;
  /** Largest body of a backend response relayed as an SSE/WebSocket refusal (it is buffered); bigger is 502. Default `65536`. */
  maxRefusalBodySize?: number;
  /** Largest WebSocket message relayed from the backend (the `ws` client's `maxPayload`). Default `16777216`. */
  maxWebSocketMessageSize?: number;
  /** The undici dispatcher requests go through. Default: one `Agent` per proxy, with the timeouts above. */
  dispatcher?: Dispatcher;
  /** Called with upstream failures (refused, reset, timed out, bad response). Default: one line on stderr. */
  onError?: (error: unknown, scope: ConnectionScope) => void;
}

/** The options with defaults applied and the backends parsed. */
export interface ResolvedOptions {
  readonly pick: (scope: ConnectionScope) => Backend | undefined;
  readonly backends: readonly Backend[];
  readonly preserveHost: boolean;
  readonly forwardedHeaders: boolean;
  readonly connectTimeout: number;
  readonly headersTimeout: number;
  readonly idleTimeout: number;
  readonly sseIdleTimeout: number;
  readonly maxSseEventSize: number;
  readonly maxRefusalBodySize: number;
  readonly maxWebSocketMessageSize: number;
  readonly dispatcher: Dispatcher | undefined;
  readonly onError: (error: unknown, scope: ConnectionScope) => void;
}

const KNOWN: ReadonlySet<string> = new Set([
  'target',
  'targets',
  'route',
  'host',
  'forwardedHeaders',
  'connectTimeout',
  'headersTimeout',
  'idleTimeout',
  'sseIdleTimeout',
  'maxSseEventSize',
  'maxRefusalBodySize',
  'maxWebSocketMessageSize',
  'dispatcher',
  'onError',
]);

function count(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new PagiValidationError(
      `proxy(): expected ${name} to be an integer >= ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function defaultOnError(error: unknown, scope: ConnectionScope): void {
  const why =
    error instanceof Error
      ? `${(error as { code?: string }).code ?? error.name}: ${error.message}`
      : String(error);
  process.stderr.write(`proxy: ${scope.type} ${scope.path}: upstream failed (${why})\n`);
}

export function resolveOptions(options: ProxyOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new PagiValidationError(`proxy(): expected an options object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new PagiValidationError(`proxy(): unknown option '${key}'`);
  }
  const { target, targets, route } = options;
  let pick: ResolvedOptions['pick'];
  let backends: Backend[];
  if (target !== undefined) {
    if (targets !== undefined || route !== undefined) {
      throw new PagiValidationError('proxy(): give either target, or targets with route, not both');
    }
    const backend = parseBackend('target', target);
    backends = [backend];
    pick = () => backend;
  } else if (targets !== undefined) {
    if (typeof route !== 'function') {
      throw new PagiValidationError('proxy(): targets needs route, a function (scope) => target name or URL');
    }
    if (Array.isArray(targets)) {
      backends = targets.map((url, i) => parseBackend(`targets[${i}]`, url));
      const byHref = new Map(backends.map((b) => [b.href, b]));
      // A URL from route() is only looked up, never connected to: an attacker-chosen value that
      // is not on the list finds nothing.
      pick = (scope) => {
        const chosen = route(scope);
        return typeof chosen === 'string' ? byHref.get(normalizeHref(chosen)) : undefined;
      };
    } else if (typeof targets === 'object' && targets !== null) {
      const byName = new Map<string, Backend>();
      for (const [name, url] of Object.entries(targets))
        byName.set(name, parseBackend(`targets.${name}`, url));
      backends = [...byName.values()];
      pick = (scope) => {
        const chosen = route(scope);
        return typeof chosen === 'string' ? byName.get(chosen) : undefined;
      };
    } else {
      throw new PagiValidationError(
        'proxy(): expected targets to be an array of URLs or a record of name → URL',
      );
    }
    if (backends.length === 0) throw new PagiValidationError('proxy(): targets is empty');
  } else {
    throw new PagiValidationError('proxy(): expected a target (a backend URL) or targets with route');
  }
  const host = options.host ?? 'rewrite';
  if (host !== 'rewrite' && host !== 'preserve') {
    throw new PagiValidationError(
      `proxy(): expected host to be 'rewrite' or 'preserve', got ${JSON.stringify(host)}`,
    );
  }
  const forwardedHeaders = options.forwardedHeaders ?? true;
  if (typeof forwardedHeaders !== 'boolean') {
    throw new PagiValidationError(
      `proxy(): expected forwardedHeaders to be a boolean, got ${JSON.stringify(forwardedHeaders)}`,
    );
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new PagiValidationError('proxy(): expected onError to be a function');
  }
  if (options.dispatcher !== undefined && typeof (options.dispatcher as Dispatcher)?.request !== 'function') {
    throw new PagiValidationError('proxy(): expected dispatcher to be an undici Dispatcher');
  }
  return {
    pick,
    backends,
    preserveHost: host === 'preserve',
    forwardedHeaders,
    connectTimeout: count('connectTimeout', options.connectTimeout, 10_000, 1),
    headersTimeout: count('headersTimeout', options.headersTimeout, 60_000, 1),
    idleTimeout: count('idleTimeout', options.idleTimeout, 60_000, 1),
    sseIdleTimeout: count('sseIdleTimeout', options.sseIdleTimeout, 300_000, 0),
    maxSseEventSize: count('maxSseEventSize', options.maxSseEventSize, 1024 * 1024, 1),
    maxRefusalBodySize: count('maxRefusalBodySize', options.maxRefusalBodySize, 64 * 1024, 0),
    maxWebSocketMessageSize: count(
      'maxWebSocketMessageSize',
      options.maxWebSocketMessageSize,
      16 * 1024 * 1024,
      1,
    ),
    dispatcher: options.dispatcher,
    onError: options.onError ?? defaultOnError,
  };
}

/** The form targets are compared in; anything unparsable compares equal to nothing. */
function normalizeHref(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return '';
  }
}
