/**
 * `@pagi/router`: one router for PAGI HTTP, WebSocket and SSE routes, with typed and
 * constrained parameters, mounting, groups, middleware and named routes.
 *
 * @example
 * import { Router, getParams } from '@pagi/router';
 * const router = new Router();
 * router.get('/hello/:name', async (scope, receive, send) => {
 *   await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
 *   await send({ type: 'http.response.body', body: `hello ${getParams(scope).name}` });
 * });
 * export default router.app;
 */
export {
  Router,
  type RouterOptions,
  type TrailingSlash,
  type UrlOptions,
  type RouteMatch,
  type RouteScopeType,
} from './router.js';
export { Group, Registrar, type RouteOptions, type GroupOptions, type MountOptions } from './registrar.js';
export { RouterError, type RouterErrorCode } from './errors.js';
export {
  getParams,
  getRoute,
  ROUTER_SCOPE_KEY,
  type ParamValue,
  type RouteParams,
  type RouteInfo,
  type RouterScopeData,
} from './params.js';
export type { QueryInput } from './internal/url-builder.js';
