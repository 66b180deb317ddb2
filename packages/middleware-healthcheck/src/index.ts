import { type App, type HttpScope, type Middleware, PagiValidationError, type Send } from '@pagi/spec';
import { defineMiddleware, named, respond } from '@pagi/spec/middleware';
import { type CheckResult, type HealthCheck, runChecks } from './checks.js';

export type { CheckResult, HealthCheck };

export interface HealthcheckOptions {
  /** Liveness path: always 200 while the process serves requests. Default `'/health/live'`; `false` turns it off. */
  livePath?: string | false;
  /** Readiness path: runs `checks`, 200 when all pass, else 503. Default `'/health/ready'`; `false` turns it off. */
  readyPath?: string | false;
  /** Named readiness checks; each passes unless it throws, rejects, returns `false` or times out. Default none. */
  checks?: Record<string, HealthCheck>;
  /** Milliseconds each check may take. Default `2000`. */
  checkTimeout?: number;
  /** Include per-check results in the readiness body. Default `true`. */
  details?: boolean;
  /** Put a failing check's error message in the body (it may reveal internals). Default `false`. */
  exposeErrors?: boolean;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'livePath',
  'readyPath',
  'checks',
  'checkTimeout',
  'details',
  'exposeErrors',
]);
const HEADERS = { 'cache-control': 'no-store' };
const JSON_TYPE = 'application/json';
const LIVE_BODY = '{"status":"ok"}';

type Handler = (scope: HttpScope, send: Send<'http'>) => Promise<void>;

function checkPath(name: string, value: string | false | undefined, fallback: string): string | undefined {
  if (value === false) return undefined;
  const path = value ?? fallback;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new PagiValidationError(
      `healthcheck(): expected ${name} to start with '/', got ${JSON.stringify(path)}`,
    );
  }
  return path;
}

/** The handlers by path, built once from the options. */
function buildRoutes(options: HealthcheckOptions, caller: string): Map<string, Handler> {
  if (options === null || typeof options !== 'object') {
    throw new PagiValidationError(`${caller}(): expected an options object`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`${caller}(): unknown option '${key}'`);
  }
  const livePath = checkPath('livePath', options.livePath, '/health/live');
  const readyPath = checkPath('readyPath', options.readyPath, '/health/ready');
  const checks = Object.entries(options.checks ?? {});
  for (const [name, check] of checks) {
    if (typeof check !== 'function') {
      throw new PagiValidationError(
        `${caller}(): expected check '${name}' to be a function, got ${typeof check}`,
      );
    }
  }
  const checkTimeout = options.checkTimeout ?? 2000;
  if (!Number.isFinite(checkTimeout) || checkTimeout <= 0 || checkTimeout > 2 ** 31 - 1) {
    throw new PagiValidationError(`${caller}(): expected checkTimeout > 0 ms, got ${String(checkTimeout)}`);
  }
  const details = options.details !== false;
  const exposeErrors = options.exposeErrors === true;

  const routes = new Map<string, Handler>();
  if (livePath !== undefined) {
    routes.set(livePath, (scope, send) =>
      respond(scope, send, 200, { headers: HEADERS, body: LIVE_BODY, contentType: JSON_TYPE }),
    );
  }
  if (readyPath !== undefined) {
    if (readyPath === livePath) {
      throw new PagiValidationError(
        `${caller}(): expected livePath and readyPath to differ, both are '${readyPath}'`,
      );
    }
    routes.set(readyPath, async (scope, send) => {
      const { ok, results } = await runChecks(checks, checkTimeout, exposeErrors);
      const status = ok ? 'ok' : 'error';
      const body = JSON.stringify(details ? { status, checks: results } : { status });
      await respond(scope, send, ok ? 200 : 503, { headers: HEADERS, body, contentType: JSON_TYPE });
    });
  }
  return routes;
}

/** The path below the mount point: `scope.path` includes `root_path` (protocol §3.1). */
function localPath(scope: HttpScope): string {
  const root = scope.root_path;
  if (root === '' || !scope.path.startsWith(root)) return scope.path;
  return scope.path.slice(root.length) || '/';
}

function serve(handler: Handler, scope: HttpScope, send: Send<'http'>): Promise<void> {
  if (scope.method !== 'GET' && scope.method !== 'HEAD') {
    return respond(scope, send, 405, { headers: { allow: 'GET, HEAD' }, body: 'Method Not Allowed' });
  }
  return handler(scope, send);
}

/**
 * Answers liveness and readiness probes itself and passes every other request to the app.
 * Liveness is always `200 {"status":"ok"}`; readiness runs the `checks` in parallel, each under
 * `checkTimeout`, and answers 200 or 503 with `{"status":"ok"|"error","checks":{name:{status,
 * duration_ms,error?}}}`. Only GET and HEAD (others: 405). WebSocket and SSE pass through.
 *
 * @throws PagiValidationError for an unknown option, a bad path, check or timeout (when applied).
 * @example
 * compose(healthcheck({ checks: { db: () => pool.query('select 1') } }))(router.app);
 */
export function healthcheck(options: HealthcheckOptions = {}): Middleware {
  const routes = buildRoutes(options, 'healthcheck');
  return defineMiddleware('healthcheck', {
    http: (scope, receive, send, app) => {
      const handler = routes.get(localPath(scope));
      return handler === undefined ? app(scope, receive, send) : serve(handler, scope, send);
    },
  });
}

/**
 * The same endpoints as an app, to mount: paths are relative to the mount point, anything else
 * is a 404, and other scope types are refused (WebSocket closed, SSE declined with 404).
 *
 * @example
 * compose(mount('/health', healthcheckApp({ livePath: '/live', readyPath: '/ready', checks })))(app);
 */
export function healthcheckApp(options: HealthcheckOptions = {}): App {
  const routes = buildRoutes(options, 'healthcheckApp');
  return named('healthcheckApp', async (scope, receive, send) => {
    if (scope.type === 'lifespan') {
      // Nothing to start or stop; answer so a server that requires lifespan can start.
      for (;;) {
        const event = await (receive as () => Promise<{ type: string }>)();
        if (event.type === 'lifespan.startup') await send({ type: 'lifespan.startup.complete' } as never);
        else if (event.type === 'lifespan.shutdown') {
          await send({ type: 'lifespan.shutdown.complete' } as never);
          return;
        }
      }
    }
    if (scope.type !== 'http') return respond(scope, send as never, 404);
    const handler = routes.get(localPath(scope));
    if (handler === undefined) return respond(scope, send as never, 404, { body: 'Not Found' });
    return serve(handler, scope, send as Send<'http'>);
  }) as App;
}
