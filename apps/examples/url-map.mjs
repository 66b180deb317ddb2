/**
 * @pagi/app-url-map: three apps under path prefixes, the longest prefix winning.
 * Run: `npx pnpm@10.34.8 --filter @pagi/examples run start:url-map`, then
 *   curl localhost:8000/api/users      → "api: /users (mounted at /api)"
 *   curl localhost:8000/api/v2/users   → "api v2: /users (mounted at /api/v2)"
 *   curl localhost:8000/apix           → the default app ("/apix" is not under "/api")
 */
import { urlMap } from '@pagi/app-url-map';

/** A tiny app that tells where it is mounted (path below root_path, and root_path). */
function tell(name) {
  /** @type {import('@pagi/spec').App} */
  return async (scope, _receive, send) => {
    if (scope.type !== 'http') return;
    const below = scope.path.slice(scope.root_path.length) || '/';
    await send({
      type: 'http.response.start',
      status: 200,
      headers: [['content-type', 'text/plain; charset=utf-8']],
    });
    await send({
      type: 'http.response.body',
      body: `${name}: ${below} (mounted at ${scope.root_path || '/'})\n`,
    });
  };
}

export default urlMap({ '/api': tell('api'), '/api/v2': tell('api v2') }, { default: tell('home') });
