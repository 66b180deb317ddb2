/**
 * The registration methods shared by a {@link Router} and the groups it hands to
 * `router.group()`. Every method returns `this`, so calls chain.
 */
import type { App, Middleware } from '@pagi/spec';
import { RouterError } from './errors.js';
import {
  checkMiddleware,
  joinPattern,
  methodKeys,
  normalizePrefix,
  type RegistrationContext,
  type RegistrationTarget,
} from './internal/registration.js';
import { ALL, SSE, WEBSOCKET } from './internal/tree.js';

/** Options of one route. */
export interface RouteOptions {
  /** A name for `router.url()`; unique per router (group name prefixes included). */
  name?: string;
  /** Wraps this route's app only; the first element is outermost. */
  middleware?: readonly Middleware[];
}

/** Options of `group()`. */
export interface GroupOptions {
  /** Wraps every route and mount of the group (in addition to `g.use()`). */
  middleware?: readonly Middleware[];
  /** Prefix for the names of the group's routes: `{ name: 'admin' }` + `name: 'users'` → `admin.users`. */
  name?: string;
}

/** Options of `mount()`. */
export interface MountOptions {
  /** Wraps the mounted app; the first element is outermost. */
  middleware?: readonly Middleware[];
  /**
   * When the mounted app is a {@link Router}: make its named routes reachable from this router's
   * `url()` as `<name>.<its route name>`, with the mount prefix in front.
   */
  name?: string;
}

/**
 * Registration API. Handlers are PAGI apps; a route's app receives a shallow copy of the
 * scope with `scope['pagi.router'] = { params, route }`.
 */
export abstract class Registrar {
  protected abstract readonly target: RegistrationTarget;
  protected abstract readonly context: RegistrationContext;

  /**
   * A route for one or more HTTP methods.
   *
   * @example
   * router.route(['GET', 'POST'], '/search', searchApp);
   */
  route(methods: string | readonly string[], pattern: string, app: App, options?: RouteOptions): this {
    this.target.addRoute(this.context, methodKeys(methods), pattern, app, options);
    return this;
  }

  /**
   * GET (and automatically HEAD, unless a HEAD route exists for the same path).
   *
   * @example
   * router.get('/users/:id<int>', showUser, { name: 'user' });
   */
  get(pattern: string, app: App, options?: RouteOptions): this {
    return this.route('GET', pattern, app, options);
  }

  /** @example router.post('/users', createUser); */
  post(pattern: string, app: App, options?: RouteOptions): this {
    return this.route('POST', pattern, app, options);
  }

  /** @example router.put('/users/:id<int>', replaceUser); */
  put(pattern: string, app: App, options?: RouteOptions): this {
    return this.route('PUT', pattern, app, options);
  }

  /** @example router.patch('/users/:id<int>', updateUser); */
  patch(pattern: string, app: App, options?: RouteOptions): this {
    return this.route('PATCH', pattern, app, options);
  }

  /** @example router.delete('/users/:id<int>', deleteUser); */
  delete(pattern: string, app: App, options?: RouteOptions): this {
    return this.route('DELETE', pattern, app, options);
  }

  /** An explicit HEAD route; it wins over the automatic HEAD of a GET route. @example router.head('/big', sizeOnly); */
  head(pattern: string, app: App, options?: RouteOptions): this {
    return this.route('HEAD', pattern, app, options);
  }

  /** An explicit OPTIONS route; it replaces the automatic 204 answer. @example router.options('/x', cors); */
  options(pattern: string, app: App, options?: RouteOptions): this {
    return this.route('OPTIONS', pattern, app, options);
  }

  /**
   * Every HTTP method. A route for the exact method (or GET for HEAD) on the same pattern wins.
   *
   * @example
   * router.all('/proxy/*rest', proxyApp);
   */
  all(pattern: string, app: App, options?: RouteOptions): this {
    this.target.addRoute(this.context, [ALL], pattern, app, options);
    return this;
  }

  /**
   * A WebSocket route: matched only by `websocket` scopes.
   *
   * @example
   * router.websocket('/ws/:room', chatApp);
   */
  websocket(pattern: string, app: App, options?: RouteOptions): this {
    this.target.addRoute(this.context, [WEBSOCKET], pattern, app, options);
    return this;
  }

  /**
   * An SSE route: matched only by `sse` scopes, whatever their method.
   *
   * @example
   * router.sse('/events', eventsApp);
   */
  sse(pattern: string, app: App, options?: RouteOptions): this {
    this.target.addRoute(this.context, [SSE], pattern, app, options);
    return this;
  }

  /**
   * Mounts any PAGI app (another router too) under a static prefix. It gets every request whose
   * path is the prefix or continues it with `/`, after routes of this router, for http,
   * websocket and sse scopes; it sees `root_path` extended by the prefix and `path` unchanged.
   *
   * @example
   * router.mount('/api', apiRouter, { name: 'api' });
   */
  mount(prefix: string, app: App | { readonly app: App }, options?: MountOptions): this {
    this.target.addMount(this.context, prefix, app, options);
    return this;
  }

  /**
   * Registers routes under a common prefix (which may contain parameters), middleware and
   * name prefix. The group's middleware applies to all its routes, whenever `g.use()` is called.
   *
   * @example
   * router.group('/admin', (g) => {
   *   g.use(requireAdmin);
   *   g.get('/users', listUsers, { name: 'users' });
   * }, { name: 'admin' });
   */
  group(prefix: string, define: (group: Group) => void, options?: GroupOptions): this {
    this.target.assertOpen('a group');
    if (typeof define !== 'function') {
      throw new RouterError(
        'PAGI_ERR_ROUTE_HANDLER',
        `expected a function defining the group, got ${typeof define}`,
      );
    }
    const middleware: Middleware[] = [];
    if (options?.middleware !== undefined) middleware.push(...checkMiddleware(options.middleware));
    const ctx: RegistrationContext = {
      prefix: joinPattern(this.context.prefix, normalizePrefix(prefix)),
      namePrefix:
        options?.name === undefined ? this.context.namePrefix : `${this.context.namePrefix}${options.name}.`,
      groups: [...this.context.groups, middleware],
    };
    define(new Group(this.target, ctx, middleware));
    return this;
  }

  /** Adds middleware (`(app) => app`); see {@link Router.use} and {@link Group.use}. */
  abstract use(...middleware: Middleware[]): this;
}

/**
 * A route group handed to the callback of `router.group()`. Same registration API as the
 * router; its routes land in the router that created it.
 *
 * @example
 * router.group('/users/:id<int>', (g) => {
 *   g.get('/posts', listPosts);
 * });
 */
export class Group extends Registrar {
  protected readonly target: RegistrationTarget;
  protected readonly context: RegistrationContext;
  readonly #middleware: Middleware[];

  /** @internal Created by `group()`; not meant to be constructed directly. */
  constructor(target: RegistrationTarget, context: RegistrationContext, middleware: Middleware[]) {
    super();
    this.target = target;
    this.context = context;
    this.#middleware = middleware;
  }

  /**
   * Group middleware: wraps every route and mount of this group (and nested groups), inside
   * the router's and outer groups' middleware, outside each route's own.
   *
   * @example
   * g.use(requireAdmin);
   */
  use(...middleware: Middleware[]): this {
    this.target.assertOpen('group middleware');
    this.#middleware.push(...checkMiddleware(middleware));
    return this;
  }
}
