import type { Scope } from '@pagi/spec';

/**
 * The scope key under which a router hands route data to its handlers.
 *
 * @example
 * const data = scope[ROUTER_SCOPE_KEY] as RouterScopeData; // { params, route }
 */
export const ROUTER_SCOPE_KEY = 'pagi.router';

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

/** `scope['pagi.router']` as seen by a route handler. */
export interface RouterScopeData {
  params: RouteParams;
  route: RouteInfo;
}

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
  const data = scope[ROUTER_SCOPE_KEY] as RouterScopeData | undefined;
  return data?.params ?? {};
}

/**
 * The route data of this scope, or `undefined` outside a router route.
 *
 * @example
 * const pattern = getRoute(scope)?.route.pattern; // '/users/:id<int>'
 */
export function getRoute(scope: Scope): RouterScopeData | undefined {
  return scope[ROUTER_SCOPE_KEY] as RouterScopeData | undefined;
}
