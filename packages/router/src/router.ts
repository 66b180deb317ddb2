/**
 * `Router`: one route table for HTTP, WebSocket and SSE, exposed as a PAGI app (`router.app`).
 */
import {
  type App,
  type ConnectionScope,
  type Middleware,
  type Receive,
  type Scope,
  type Send,
  UnsupportedScopeError,
} from '@pagi/spec';
import { compose, withKey } from '@pagi/spec/middleware';
import { RouterError } from './errors.js';
import { encodeSegment } from './internal/encode.js';
import { paramsBuilder } from './internal/params-builder.js';
import { expandOptional, type ParsedPattern, parsePattern, signature } from './internal/pattern.js';
import { relativeRawPath, rawPathOf } from './internal/relative-path.js';
import { methodNotAllowed, notFound, options as optionsResponse, redirect } from './internal/responses.js';
import {
  ALL,
  type Leaf,
  Matcher,
  Node,
  SSE,
  WEBSOCKET,
  handlersFor,
  needsDecoding,
  staticNode,
} from './internal/tree.js';
import { buildQuery, buildPath, type QueryInput } from './internal/url-builder.js';
import { ROUTER_SCOPE_KEY, type RouteInfo, type RouteParams, type RouterScopeData } from './params.js';
import {
  checkMiddleware,
  joinPattern,
  normalizePrefix,
  type RegistrationContext,
  type RegistrationTarget,
} from './internal/registration.js';
import { type MountOptions, Registrar, type RouteOptions } from './registrar.js';

/**
 * What happens when a path differs from a route only by a trailing slash:
 * - `'redirect'`: redirect to the registered form (301 for GET/HEAD, 308 otherwise, query kept);
 *   WebSocket handshakes cannot follow redirects, so they are served as with `'match'`.
 * - `'match'`: serve the route directly, both forms work.
 * - `'strict'`: 404.
 */
export type TrailingSlash = 'redirect' | 'match' | 'strict';

/**
 * Options of `new Router()`.
 *
 * @example
 * new Router({ trailingSlash: 'strict', notFound: myNotFoundApp });
 */
export interface RouterOptions {
  /** Trailing-slash policy; default `'redirect'`. */
  trailingSlash?: TrailingSlash;
  /** App for requests no route or mount matched, any scope type; default: the built-in 404s. */
  notFound?: App;
}

/**
 * Options of `router.url()`.
 *
 * @example
 * router.url('user', { id: 1 }, { query: { tab: 'x' }, rootPath: scope.root_path });
 */
export interface UrlOptions {
  /** Query string: an object (arrays repeat the key; `undefined`/`null` skipped), `URLSearchParams`, or a raw string. */
  query?: QueryInput;
  /** Prefix the URL with this root path (`scope.root_path` of the current request). Default `''`. */
  rootPath?: string;
}

/** Result of {@link Router.match}. */
export interface RouteMatch {
  /** The route's app with its middleware applied. */
  app: App;
  params: RouteParams;
  route: RouteInfo;
}

/** The scope types a route can be registered for. */
export type RouteScopeType = 'http' | 'websocket' | 'sse';

interface RouteRecord {
  info: RouteInfo;
  parsed: ParsedPattern;
  handler: App;
  middleware: readonly Middleware[];
  groups: readonly (readonly Middleware[])[];
  app: App;
}

interface MountRecord {
  /** Decoded prefix text added to `root_path`: `''` (mounted at `/`) or `/api`. */
  prefix: string;
  target: App;
  middleware: readonly Middleware[];
  groups: readonly (readonly Middleware[])[];
  app: App;
}

type Named =
  | { kind: 'route'; record: RouteRecord }
  | { kind: 'mount'; router: Router; prefix: ParsedPattern };

type Resolution =
  | { kind: 'route'; leaf: Leaf<RouteRecord>; values: string[] }
  | { kind: 'allow'; allow: string }
  | { kind: 'mount'; mount: MountRecord };

const KEY_TO_TYPE: Record<string, string> = { [ALL]: 'ALL', [WEBSOCKET]: 'WEBSOCKET', [SSE]: 'SSE' };

function describeKey(key: string): string {
  return KEY_TO_TYPE[key] ?? key;
}

/**
 * The same text as a V8 internalized string (a property key is always one). Parameter names are
 * slices of the pattern; storing under a non-internalized key sends the params builder's
 * fallback loop down V8's megamorphic keyed store on every request (~250 instructions per
 * parameter).
 */
function internalized(name: string): string {
  return Object.keys({ [name]: 0 })[0]!;
}

/** `root_path` is decoded text; encode it segment by segment (no pattern syntax applies to it). */
function encodeRootPath(rootPath: string): string {
  return normalizePrefix(rootPath)
    .split('/')
    .map((segment) => {
      const encoded = encodeSegment(segment);
      if (encoded === undefined) {
        throw new RouterError(
          'PAGI_ERR_ROUTE_PARAM',
          'expected a well-formed rootPath, got a lone UTF-16 surrogate in it',
        );
      }
      return encoded;
    })
    .join('/');
}

function toggleSlash(path: string): string {
  return path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
}

/**
 * A PAGI router. Register routes, then serve `router.app` (or mount it somewhere): the route
 * table compiles on the first request or on `router.compile()`, after which it is frozen.
 *
 * @example
 * import { Router, getParams } from '@pagi/router';
 *
 * const router = new Router();
 * router.get('/users/:id<int>', async (scope, receive, send) => {
 *   const { id } = getParams(scope);
 *   await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
 *   await send({ type: 'http.response.body', body: `user ${id}` });
 * }, { name: 'user' });
 * router.url('user', { id: 42 }); // '/users/42'
 * export default router.app;
 */
export class Router extends Registrar {
  /**
   * The router as a PAGI app: `(scope, receive, send) => Promise`. A stable function, safe to
   * pass around before the routes are registered; it compiles the router on its first call.
   */
  readonly app: App;

  protected readonly target: RegistrationTarget;
  protected readonly context: RegistrationContext = { prefix: '', namePrefix: '', groups: [] };

  readonly #trailingSlash: TrailingSlash;
  readonly #notFound: App | undefined;
  readonly #root = new Node<RouteRecord, MountRecord>();
  readonly #records: RouteRecord[] = [];
  readonly #mounts: MountRecord[] = [];
  /** `signature + ' ' + handler key` → the record that owns it: conflict detection at registration. */
  readonly #taken = new Map<string, RouteRecord>();
  readonly #names = new Map<string, Named>();
  readonly #middleware: Middleware[] = [];
  #lifespan: App | undefined;
  #compiled: App | undefined;
  /** Raw path → node, for routes made only of static segments (checked before the tree walk). */
  #staticPaths = new Map<string, Node<RouteRecord, MountRecord>>();
  /**
   * `#staticLengths[n]`: some key of `#staticPaths` is `n` characters long. Checked first, so a
   * path no static route can equal (most parameter routes) is not hashed: a server hands the
   * router a fresh string per request, whose hash V8 computes on its first Map lookup.
   */
  #staticLengths: boolean[] = [];
  readonly #matcher = new Matcher<RouteRecord, MountRecord>();

  constructor(options: RouterOptions = {}) {
    super();
    const policy = options.trailingSlash ?? 'redirect';
    if (policy !== 'redirect' && policy !== 'match' && policy !== 'strict') {
      throw new RouterError(
        'PAGI_ERR_ROUTE_SYNTAX',
        `expected trailingSlash 'redirect', 'match' or 'strict', got ${JSON.stringify(policy)}`,
      );
    }
    if (options.notFound !== undefined && typeof options.notFound !== 'function') {
      throw new RouterError(
        'PAGI_ERR_ROUTE_HANDLER',
        `expected notFound to be an app, got ${typeof options.notFound}`,
      );
    }
    this.#trailingSlash = policy;
    this.#notFound = options.notFound;
    this.target = {
      addRoute: (ctx, keys, pattern, app, opts) => this.#addRoute(ctx, keys, pattern, app, opts),
      addMount: (ctx, prefix, app, opts) => this.#addMount(ctx, prefix, app, opts),
      assertOpen: (what) => this.#assertOpen(what),
    };
    const app = (scope: Scope, receive: Receive, send: Send): Promise<unknown> | unknown => {
      const run = this.#compiled ?? this.#compile();
      return run(scope, receive, send);
    };
    Object.defineProperty(app, 'name', { value: 'router' });
    this.app = app;
  }

  /**
   * Router-wide middleware: wraps the whole router, so it sees every request the router gets
   * (404s, 405s, redirects and mounts included), before route parameters are known. The first
   * registered is outermost.
   *
   * @example
   * router.use(logRequests, addSecurityHeaders);
   */
  use(...middleware: Middleware[]): this {
    this.#assertOpen('middleware');
    this.#middleware.push(...checkMiddleware(middleware));
    return this;
  }

  /**
   * The app that receives `lifespan` scopes. Without one, the router declines lifespan by
   * throwing `UnsupportedScopeError` (protocol.md §1.3); mounted apps never see lifespan.
   *
   * @example
   * router.lifespan(async (scope, receive, send) => { ... });
   */
  lifespan(app: App): this {
    this.#assertOpen('a lifespan app');
    if (typeof app !== 'function') {
      throw new RouterError(
        'PAGI_ERR_ROUTE_HANDLER',
        `expected the lifespan app to be a function, got ${typeof app}`,
      );
    }
    this.#lifespan = app;
    return this;
  }

  /**
   * Composes every middleware chain once and freezes the router. Called by the first request
   * anyway; call it at startup to run middleware factories early. Registering afterwards throws
   * `PAGI_ERR_ROUTER_FROZEN`.
   *
   * @example
   * router.compile();
   */
  compile(): this {
    this.#compiled ?? this.#compile();
    return this;
  }

  /**
   * Finds the route for a method and a raw path (relative to this router, without the query).
   * No 405, mount, redirect or not-found handling: `undefined` when no route matches.
   *
   * @example
   * router.match('GET', '/users/42'); // { app, params: { id: 42 }, route: { name: 'user', pattern: '/users/:id<int>' } }
   * router.match('GET', '/ws/lobby', 'websocket');
   */
  match(method: string, path: string, type: RouteScopeType = 'http'): RouteMatch | undefined {
    this.#compiled ?? this.#compile();
    const key = type === 'http' ? method : type === 'websocket' ? WEBSOCKET : SSE;
    const leaf = this.#find(path, key, type === 'http');
    if (leaf === undefined) return undefined;
    const record = leaf.record;
    return { app: record.app, params: leaf.params(this.#matcher.values), route: record.info };
  }

  /**
   * Builds the URL of a named route: parameters percent-encoded per segment (a `*rest` value
   * keeps its `/`), checked against their constraints, then the query. A name `ns.route` reaches
   * the routes of a router mounted with `{ name: 'ns' }`.
   *
   * @example
   * router.url('user', { id: 42 }, { query: { tab: 'repos' } }); // '/users/42?tab=repos'
   */
  url(name: string, params: Record<string, unknown> = {}, options: UrlOptions = {}): string {
    let path = this.#path(name, params);
    if (options.rootPath !== undefined && options.rootPath !== '') {
      path = encodeRootPath(options.rootPath) + (path === '/' ? '' : path);
    }
    return path + buildQuery(options.query);
  }

  #path(name: string, params: Record<string, unknown>): string {
    const named = this.#names.get(name);
    if (named?.kind === 'route') return buildPath(named.record.parsed, params);
    // `ns.rest`: the longest mount namespace that prefixes the name.
    let best: { ns: string; named: Extract<Named, { kind: 'mount' }> } | undefined;
    for (const [ns, entry] of this.#names) {
      if (
        entry.kind === 'mount' &&
        name.startsWith(`${ns}.`) &&
        (best === undefined || ns.length > best.ns.length)
      ) {
        best = { ns, named: entry };
      }
    }
    if (best === undefined) {
      throw new RouterError('PAGI_ERR_ROUTE_NAME', `expected the name of a registered route, got '${name}'`);
    }
    const inner = best.named.router.url(name.slice(best.ns.length + 1), params);
    const prefix = buildPath(best.named.prefix, {});
    return prefix === '/' ? inner : prefix + (inner === '/' ? '' : inner);
  }

  #assertOpen(what: string): void {
    if (this.#compiled !== undefined) {
      throw new RouterError(
        'PAGI_ERR_ROUTER_FROZEN',
        `expected ${what} to be added before the router compiled (first request or compile()), got it after`,
      );
    }
  }

  #addRoute(
    ctx: RegistrationContext,
    keys: readonly string[],
    pattern: string,
    app: unknown,
    options: RouteOptions | undefined,
  ): void {
    this.#assertOpen(`route '${pattern}'`);
    if (typeof app !== 'function') {
      throw new RouterError(
        'PAGI_ERR_ROUTE_HANDLER',
        `expected the app of route '${pattern}' to be a function, got ${typeof app}`,
      );
    }
    const middleware = checkMiddleware(options?.middleware ?? []);
    if (typeof pattern !== 'string') {
      throw new RouterError(
        'PAGI_ERR_ROUTE_SYNTAX',
        `expected a route pattern string, got ${typeof pattern}`,
      );
    }
    const source = joinPattern(ctx.prefix, pattern);
    const parsed = parsePattern(source);
    const variants = expandOptional(parsed.segments);
    const signatures = variants.map(signature);
    if (new Set(signatures).size !== signatures.length) {
      throw new RouterError(
        'PAGI_ERR_ROUTE_CONFLICT',
        `route '${source}' is ambiguous: two of its optional-parameter forms match the same paths`,
      );
    }
    for (const key of keys) {
      for (const sig of signatures) {
        const owner = this.#taken.get(`${sig} ${key}`);
        if (owner !== undefined) {
          throw new RouterError(
            'PAGI_ERR_ROUTE_CONFLICT',
            `route ${describeKey(key)} '${source}' matches the same requests as ${describeKey(key)} '${owner.info.pattern}', registered before`,
          );
        }
      }
    }
    let fullName: string | undefined;
    if (options?.name !== undefined) {
      if (typeof options.name !== 'string' || options.name === '') {
        throw new RouterError(
          'PAGI_ERR_ROUTE_NAME',
          `expected a non-empty route name, got ${JSON.stringify(options.name)}`,
        );
      }
      fullName = ctx.namePrefix + options.name;
      if (this.#names.has(fullName)) {
        throw new RouterError(
          'PAGI_ERR_ROUTE_NAME',
          `expected a unique route name, got '${fullName}' a second time`,
        );
      }
    }
    const handler = app as App;
    const record: RouteRecord = {
      info: Object.freeze({ name: fullName, pattern: source }),
      parsed,
      handler,
      middleware,
      groups: ctx.groups,
      app: handler,
    };
    this.#records.push(record);
    variants.forEach((segments, i) => {
      const handlers = handlersFor(this.#root, segments);
      const names: string[] = [];
      const ints: boolean[] = [];
      for (const seg of segments) {
        if (seg.kind === 'static') continue;
        names.push(internalized(seg.name));
        ints.push(seg.kind === 'param' && seg.int);
      }
      const leaf: Leaf<RouteRecord> = { record, names, ints, params: paramsBuilder(names, ints) };
      for (const key of keys) {
        handlers.set(key, leaf);
        this.#taken.set(`${signatures[i]} ${key}`, record);
      }
    });
    if (fullName !== undefined) this.#names.set(fullName, { kind: 'route', record });
  }

  #addMount(ctx: RegistrationContext, prefix: string, app: unknown, options: MountOptions | undefined): void {
    this.#assertOpen(`mount '${prefix}'`);
    const target = typeof app === 'function' ? (app as App) : (app as { app?: unknown } | null)?.app;
    if (typeof target !== 'function') {
      throw new RouterError(
        'PAGI_ERR_ROUTE_HANDLER',
        `expected the app mounted at '${prefix}' to be an app or a Router, got ${typeof app}`,
      );
    }
    const middleware = checkMiddleware(options?.middleware ?? []);
    const source = joinPattern(ctx.prefix, normalizePrefix(prefix)) || '/';
    const parsed = parsePattern(source);
    const values: string[] = [];
    for (const seg of parsed.segments) {
      if (seg.kind !== 'static') {
        throw new RouterError(
          'PAGI_ERR_ROUTE_SYNTAX',
          `expected a static mount prefix, got parameters in '${source}'`,
        );
      }
      values.push(seg.value);
    }
    // `/` parses to one empty segment; that is the root node itself.
    if (values.length === 1 && values[0] === '') values.length = 0;
    const node = staticNode(this.#root, values);
    if (node.mount !== null) {
      throw new RouterError('PAGI_ERR_ROUTE_CONFLICT', `expected one mount at '${source}', got a second one`);
    }
    let name: string | undefined;
    if (options?.name !== undefined) {
      if (!(app instanceof Router)) {
        throw new RouterError(
          'PAGI_ERR_ROUTE_NAME',
          `expected a Router to be mounted with a name, got a plain app at '${source}'`,
        );
      }
      name = ctx.namePrefix + options.name;
      if (this.#names.has(name)) {
        throw new RouterError('PAGI_ERR_ROUTE_NAME', `expected a unique name, got '${name}' a second time`);
      }
    }
    const record: MountRecord = {
      prefix: values.length === 0 ? '' : `/${values.join('/')}`,
      target: target as App,
      middleware,
      groups: ctx.groups,
      app: target as App,
    };
    node.mount = record;
    this.#mounts.push(record);
    if (name !== undefined) this.#names.set(name, { kind: 'mount', router: app as Router, prefix: parsed });
  }

  #compile(): App {
    for (const record of this.#records) {
      record.app = compose(...record.groups.flat(), ...record.middleware)(record.handler);
    }
    for (const mount of this.#mounts) {
      mount.app = compose(...mount.groups.flat(), ...mount.middleware)(mount.target);
    }
    const statics = new Map<string, Node<RouteRecord, MountRecord>>();
    const visit = (node: Node<RouteRecord, MountRecord>, path: string) => {
      if (node.handlers !== null && path !== '') statics.set(path, node);
      node.statics?.forEach((child, value) => {
        // Only ASCII literals without `%` can equal an undecoded raw path.
        if (!needsDecoding(value)) visit(child, `${path}/${value}`);
      });
    };
    visit(this.#root, '');
    this.#staticPaths = statics;
    const lengths: boolean[] = [];
    for (const path of statics.keys()) {
      while (lengths.length <= path.length) lengths.push(false);
      lengths[path.length] = true;
    }
    this.#staticLengths = lengths;
    const dispatch = (scope: Scope, receive: Receive, send: Send) => this.#dispatch(scope, receive, send);
    const compiled = compose(...this.#middleware)(dispatch);
    this.#compiled = compiled;
    return compiled;
  }

  /** The leaf for a relative raw path and handler key; the captured values are in `#matcher.values`. */
  #find(path: string, key: string, http: boolean): Leaf<RouteRecord> | undefined {
    const m = this.#matcher;
    m.count = 0;
    if (path.charCodeAt(0) !== 0x2f) return undefined;
    // No key of `#staticPaths` has a `%` or a non-ASCII character (see #compile), so a path that
    // needs decoding misses here without being checked for it first.
    const lengths = this.#staticLengths;
    if (path.length < lengths.length && lengths[path.length] === true) {
      const node = this.#staticPaths.get(path);
      if (node !== undefined) {
        const leaf = node.handlers!.pick(key, http);
        if (leaf !== undefined) return leaf;
      }
    }
    // The path is passed along, not stored on the long-lived matcher: storing a fresh string
    // into an old-generation object runs V8's write barrier slow path (~50 instructions).
    m.key = key;
    m.http = http;
    return m.walk(this.#root, path, 1);
  }

  #resolve(path: string, key: string, http: boolean): Resolution | undefined {
    const leaf = this.#find(path, key, http);
    if (leaf !== undefined)
      return { kind: 'route', leaf, values: this.#matcher.values.slice(0, this.#matcher.count) };
    return this.#resolveMiss(path, http);
  }

  /** {@link Router.#resolve} once no route matched `path`: a 405 (`allow`), a mount, or nothing. */
  #resolveMiss(path: string, http: boolean): Resolution | undefined {
    if (path.charCodeAt(0) !== 0x2f) return undefined;
    this.#matcher.path = path;
    // A route owns its path: a wrong method is a 405 here, not a reason to try mounts.
    if (http) {
      const methods = new Set<string>();
      this.#matcher.collect(this.#root, 1, methods);
      if (methods.size > 0) {
        if (methods.has('GET')) methods.add('HEAD');
        methods.add('OPTIONS');
        return { kind: 'allow', allow: [...methods].sort().join(', ') };
      }
    }
    const found = this.#matcher.findMount(this.#root);
    return found === undefined ? undefined : { kind: 'mount', mount: found.mount };
  }

  /**
   * The router's app: always a promise, a throw becomes its rejection (as from an `async`
   * function). Not `async` itself: returning the route app's promise from an async function
   * costs a promise and two extra microtask turns per request.
   */
  #dispatch(scope: Scope, receive: Receive, send: Send): Promise<unknown> {
    try {
      const result = this.#route(scope, receive, send);
      return result instanceof Promise ? result : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Runs a matched route's app on a copy of the scope that carries the route data. */
  #serve(
    leaf: Leaf<RouteRecord>,
    values: readonly string[],
    scope: Scope,
    receive: Receive,
    send: Send,
  ): unknown {
    const record = leaf.record;
    const data: RouterScopeData = { params: leaf.params(values), route: record.info };
    return record.app(withKey(scope, ROUTER_SCOPE_KEY, data), receive, send);
  }

  #route(scope: Scope, receive: Receive, send: Send): unknown {
    let key: string;
    let http = false;
    switch (scope.type) {
      case 'http':
        key = scope.method;
        http = true;
        break;
      case 'websocket':
        key = WEBSOCKET;
        break;
      case 'sse':
        key = SSE;
        break;
      case 'lifespan':
        if (this.#lifespan !== undefined) return this.#lifespan(scope, receive, send);
        throw new UnsupportedScopeError('lifespan');
      default:
        throw new UnsupportedScopeError(String((scope as { type?: unknown }).type));
    }
    const raw = rawPathOf(scope);
    const rel = relativeRawPath(raw, scope.root_path ?? '');
    // The common case first: a route matches; no resolution object, no copy of the values.
    const leaf = this.#find(rel, key, http);
    if (leaf !== undefined) return this.#serve(leaf, this.#matcher.values, scope, receive, send);
    let found = this.#resolveMiss(rel, http);
    if (
      found === undefined &&
      this.#trailingSlash !== 'strict' &&
      rel !== '/' &&
      rel.charCodeAt(0) === 0x2f
    ) {
      found = this.#resolve(toggleSlash(rel), key, http);
      if (found !== undefined && this.#trailingSlash === 'redirect' && scope.type !== 'websocket') {
        const method = (scope as { method?: string }).method;
        const status = method === 'GET' || method === 'HEAD' ? 301 : 308;
        // Collapse leading slashes (and backslashes, which browsers read as slashes):
        // `//evil.example/` must not become a protocol-relative URL (an open redirect).
        const location = toggleSlash(raw).replace(/^[/\\]+/, '/');
        const query = scope.query_string ? `?${scope.query_string}` : '';
        return redirect(scope, send, status, location + query);
      }
    }
    if (found === undefined) {
      if (this.#notFound !== undefined) return this.#notFound(scope, receive, send);
      return notFound(scope, send);
    }
    if (found.kind === 'route') return this.#serve(found.leaf, found.values, scope, receive, send);
    if (found.kind === 'allow') {
      if (key === 'OPTIONS') return optionsResponse(scope, send, found.allow);
      return methodNotAllowed(scope, send, found.allow);
    }
    let root = scope.root_path ?? '';
    while (root.endsWith('/')) root = root.slice(0, -1);
    const mount = found.mount;
    return mount.app({ ...scope, root_path: root + mount.prefix } as ConnectionScope, receive, send);
  }
}
