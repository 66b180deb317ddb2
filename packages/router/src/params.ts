import type { Scope } from '@pagi/spec';
import { type ScopeKey, scopeKey } from '@pagi/spec/middleware';

/** A parameter value: a decoded string, or a number for `<int>` parameters. */
export type ParamValue = string | number;

/** Decoded path parameters of the matched route; optional parameters that were absent are missing. */
export type RouteParams = Record<string, ParamValue>;

/** Which route matched. */
export interface RouteInfo {
  /** The route's name, when it was given one. */
  name: string | undefined;
  /** The full pattern as registered, group prefixes included (`/users/:id<int>`). */
  pattern: string;
}

/** The route data a router hands its route handlers (under {@link ROUTER_SCOPE_KEY}). */
export interface RouterScopeData {
  params: RouteParams;
  route: RouteInfo;
}

/**
 * The typed scope key under which a router hands route data to its handlers (named
 * `pagi.router`; set with the kit's `withKey`, as cheap as a plain scope copy).
 *
 * @example
 * const data = ROUTER_SCOPE_KEY.get(scope); // { params, route } | undefined
 */
export const ROUTER_SCOPE_KEY: ScopeKey<RouterScopeData> = scopeKey<RouterScopeData>('pagi.router');

/**
 * The path parameters of the route that matched this scope; `{}` when the scope did not come
 * through a router route.
 *
 * @example
 * router.get('/users/:id<int>', async (scope, receive, send) => {
 *   const { id } = getParams(scope); // 42 for /users/42, a number
 * });
 */
export function getParams(scope: Scope): RouteParams {
  return ROUTER_SCOPE_KEY.get(scope)?.params ?? {};
}

/**
 * The route data of this scope, or `undefined` outside a router route.
 *
 * @example
 * const pattern = getRoute(scope)?.route.pattern; // '/users/:id<int>'
 */
export function getRoute(scope: Scope): RouterScopeData | undefined {
  return ROUTER_SCOPE_KEY.get(scope);
}
