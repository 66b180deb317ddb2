/**
 * Plumbing shared by `Router` and `Group` registration: prefixes, method names, middleware checks.
 */
import type { Middleware } from '@pagi/spec';
import { RouterError } from '../errors.js';
import type { MountOptions, RouteOptions } from '../registrar.js';

/** Where a registrar's routes go: the router's prefix, name prefix and group middleware chain. */
export interface RegistrationContext {
  /** `''` or a pattern prefix without a trailing slash (`/admin`, `/users/:id`). */
  prefix: string;
  namePrefix: string;
  /** Middleware lists of the enclosing groups, outermost first; read when the router compiles. */
  groups: readonly (readonly Middleware[])[];
}

/** What a registrar forwards its calls to (implemented by the router). */
export interface RegistrationTarget {
  addRoute(
    ctx: RegistrationContext,
    keys: readonly string[],
    pattern: string,
    app: unknown,
    options?: RouteOptions,
  ): void;
  addMount(ctx: RegistrationContext, prefix: string, app: unknown, options?: MountOptions): void;
  assertOpen(what: string): void;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function methodKeys(methods: string | readonly string[]): string[] {
  const list = typeof methods === 'string' ? [methods] : [...methods];
  if (list.length === 0)
    throw new RouterError('PAGI_ERR_ROUTE_METHOD', 'expected at least one method, got []');
  const keys = new Set<string>();
  for (const m of list) {
    if (typeof m !== 'string' || !TOKEN.test(m)) {
      throw new RouterError(
        'PAGI_ERR_ROUTE_METHOD',
        `expected an HTTP method token, got ${JSON.stringify(m)}`,
      );
    }
    keys.add(m.toUpperCase());
  }
  return [...keys];
}

/** Joins a group prefix and a route pattern; `'/'` inside a group means the group's own path. */
export function joinPattern(prefix: string, pattern: string): string {
  if (prefix === '') return pattern;
  if (pattern === '/' || pattern === '') return prefix;
  return prefix + pattern;
}

/** Normalises a group or mount prefix: must start with `/`; trailing slashes are dropped. */
export function normalizePrefix(prefix: string): string {
  if (typeof prefix !== 'string' || (prefix !== '' && prefix[0] !== '/')) {
    throw new RouterError(
      'PAGI_ERR_ROUTE_SYNTAX',
      `expected a prefix starting with '/', got ${JSON.stringify(prefix)}`,
    );
  }
  let out = prefix;
  while (out.endsWith('/')) out = out.slice(0, -1);
  return out;
}

/** Checks that every middleware is a function (reported at registration). */
export function checkMiddleware(list: readonly unknown[]): Middleware[] {
  if (!Array.isArray(list)) {
    throw new RouterError('PAGI_ERR_ROUTE_HANDLER', `expected an array of middleware, got ${typeof list}`);
  }
  for (const mw of list) {
    if (typeof mw !== 'function') {
      throw new RouterError(
        'PAGI_ERR_ROUTE_HANDLER',
        `expected middleware to be a function (app) => app, got ${typeof mw}`,
      );
    }
  }
  return list as Middleware[];
}
