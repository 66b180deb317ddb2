/**
 * @pagi/app-redirect: a permanent move of /v1 to /v2 (method and body kept: 308), everything
 * else redirected to the home page (302), the query kept.
 * Run: `npx pnpm@10.34.8 --filter @pagi/examples run start:redirect`, then
 *   curl -i 'localhost:8000/v1/users/7?x=1'  → 308, Location: /v2/users/7?x=1
 *   curl -i localhost:8000/anything           → 302, Location: https://example.com/
 */
import { redirect } from '@pagi/app-redirect';
import { urlMap } from '@pagi/app-url-map';

export default urlMap(
  { '/v1': redirect((scope) => `/v2${scope.path.slice(scope.root_path.length)}`, { status: 308 }) },
  { default: redirect('https://example.com/', { preserveQuery: false }) },
);
