import { type App, type HeaderList, type Middleware, PagiError } from '@pagi/spec';
import {
  type CheckedScopeType,
  INNER_BODY,
  type ProbeRecord,
  type ProbeRequest,
  callerMutation,
  callerProbe,
  createDeferred,
  drive,
  newRecord,
  referenceApp,
  scopeChange,
} from './internal/check-probes.js';
import type { HeaderInit } from './options.js';
import { TestClient } from './test-client.js';

/** The scope types a middleware may handle (`MiddlewareCheckOptions.handles`). */
export type MiddlewareScopeType = CheckedScopeType;

/** The shared checks, in the order they run. */
export type MiddlewareCheckName =
  | 'lifespan-passthrough'
  | 'unhandled-scopes-passthrough'
  | 'scope-not-mutated'
  | 'body-streamed'
  | 'send-validator';

export const MIDDLEWARE_CHECKS: readonly MiddlewareCheckName[] = [
  'lifespan-passthrough',
  'unhandled-scopes-passthrough',
  'scope-not-mutated',
  'body-streamed',
  'send-validator',
];

export interface MiddlewareCheckOptions {
  /**
   * The scope types the middleware acts on; every other type must pass through untouched.
   * Default `['http']`. Include `'lifespan'` only for a middleware that owns lifespan itself.
   */
  handles?: MiddlewareScopeType[];
  /** The request the checks send; it must be one the middleware passes on. Default `GET /`. */
  request?: { method?: string; path?: string; headers?: HeaderInit };
  /** Checks to leave out (say why in your test). */
  skip?: MiddlewareCheckName[];
  /** Milliseconds for each wait. Default `1000`. */
  timeout?: number;
}

export interface MiddlewareCheckResult {
  name: MiddlewareCheckName;
  ok: boolean;
  /** What failed, naming what was expected and what happened; `''` when ok. */
  message: string;
}

/**
 * One or more shared middleware checks failed; `failures` lists them and the message joins them.
 *
 * @example
 * await expect(checkMiddleware(bufferingMiddleware)).rejects.toMatchObject({
 *   code: 'PAGI_ERR_TEST_MIDDLEWARE_CHECK',
 * });
 */
export class MiddlewareCheckError extends PagiError {
  readonly failures: readonly MiddlewareCheckResult[];
  constructor(failures: readonly MiddlewareCheckResult[]) {
    super(
      'PAGI_ERR_TEST_MIDDLEWARE_CHECK',
      `middleware failed ${failures.length} shared check(s):\n${failures.map((f) => `- ${f.name}: ${f.message}`).join('\n')}`,
    );
    this.failures = failures;
  }
}

interface Resolved {
  handles: Set<CheckedScopeType>;
  request: ProbeRequest;
  timeout: number;
}

function resolve(options: MiddlewareCheckOptions): Resolved {
  return {
    handles: new Set(options.handles ?? ['http']),
    request: {
      method: (options.request?.method ?? 'GET').toUpperCase(),
      path: options.request?.path ?? '/',
      headers: options.request?.headers,
    },
    timeout: options.timeout ?? 1000,
  };
}

const CONNECTION_TYPES = ['http', 'websocket', 'sse'] as const;

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}`;
  }
  return String(error);
}

/** Builds the app under test: caller probe → middleware → reference app. */
function build(mw: Middleware, rec: ProbeRecord, inner: App, timeout: number): TestClient {
  return new TestClient(callerProbe(mw(inner), rec), { timeout });
}

function sameHeaders(a: HeaderList, b: HeaderList): boolean {
  return a.length === b.length && a.every(([n, v], i) => b[i]?.[0] === n && b[i]?.[1] === v);
}

async function lifespanPassthrough(mw: Middleware, opts: Resolved): Promise<string | undefined> {
  const rec = newRecord();
  const client = build(mw, rec, referenceApp(rec), opts.timeout);
  try {
    await client.startup();
    await client.shutdown();
  } catch (error) {
    return `expected lifespan startup and shutdown to complete through the middleware, got ${describeError(error)}`;
  }
  if (rec.innerScope === undefined) {
    return 'expected the lifespan scope to reach the inner app, got no call (the middleware swallows lifespan)';
  }
  const change = scopeChange(rec);
  if (change !== undefined)
    return `expected the inner app to get the caller's lifespan scope untouched, got ${change}`;
  const events = rec.innerEvents.join(', ');
  if (events !== 'lifespan.startup, lifespan.shutdown') {
    return `expected the inner app to receive lifespan.startup, lifespan.shutdown, got ${events || 'nothing'}`;
  }
  if (client.state.innerStarted !== true) {
    return "expected state the inner app stored at startup to reach the server's lifespan state, got it lost";
  }
  return undefined;
}

async function unhandledPassthrough(mw: Middleware, opts: Resolved): Promise<string | undefined> {
  for (const type of CONNECTION_TYPES) {
    if (opts.handles.has(type)) continue;
    const direct = await drive(
      new TestClient(referenceApp(newRecord()), { timeout: opts.timeout }),
      type,
      opts.request,
    );
    const rec = newRecord();
    let seen: Awaited<ReturnType<typeof drive>>;
    try {
      seen = await drive(build(mw, rec, referenceApp(rec), opts.timeout), type, opts.request);
    } catch (error) {
      return `expected a ${type} connection to pass through untouched, got ${describeError(error)}`;
    }
    if (rec.innerScope === undefined) {
      return `expected the ${type} scope (not handled) to reach the inner app, got no call`;
    }
    const change = scopeChange(rec);
    if (change !== undefined)
      return `expected the inner app to get the caller's ${type} scope untouched, got ${change}`;
    if (
      seen.status !== direct.status ||
      seen.body !== direct.body ||
      !sameHeaders(seen.headers, direct.headers)
    ) {
      return (
        `expected the inner app's ${type} answer unchanged (${direct.status} ${JSON.stringify(direct.headers)} ${JSON.stringify(direct.body)}), ` +
        `got ${seen.status} ${JSON.stringify(seen.headers)} ${JSON.stringify(seen.body)}`
      );
    }
  }
  return undefined;
}

async function scopeNotMutated(mw: Middleware, opts: Resolved): Promise<string | undefined> {
  const rec = newRecord();
  const client = build(mw, rec, referenceApp(rec), opts.timeout);
  try {
    await client.startup();
    await client.shutdown();
  } catch {
    // Lifespan handling is judged by its own check; only the scope matters here.
  }
  const lifespanChange = callerMutation(rec);
  if (lifespanChange !== undefined)
    return `expected the caller's lifespan scope unchanged, got ${lifespanChange}`;
  for (const type of CONNECTION_TYPES) {
    const r = newRecord();
    try {
      await drive(build(mw, r, referenceApp(r), opts.timeout), type, opts.request);
    } catch {
      // A middleware may refuse or reshape the connection; only the caller's scope matters here.
    }
    const change = callerMutation(r);
    if (change !== undefined) {
      return `expected the caller's ${type} scope unchanged (copy it before changing it), got ${change}`;
    }
  }
  return undefined;
}

async function bodyStreamed(mw: Middleware, opts: Resolved): Promise<string | undefined> {
  const rec = newRecord();
  const firstSeen = createDeferred<void>();
  // The client allows three times the inner app's bounded wait, so a buffering middleware shows
  // up as "late first chunk" rather than as a client timeout.
  const client = build(mw, rec, referenceApp(rec, firstSeen, opts.timeout), opts.timeout * 3);
  const { method, path, headers } = opts.request;
  let chunks = 0;
  try {
    const s = await client.stream(method, path, {
      highWaterMark: 0,
      ...(headers === undefined ? {} : { headers }),
    });
    for await (const chunk of s) {
      if (chunk.length > 0) chunks++;
      firstSeen.resolve();
    }
    await s.disconnect();
  } catch (error) {
    return `expected the streamed response to be read to the end, got ${describeError(error)}`;
  }
  if (rec.innerScope === undefined) {
    return `expected ${method} ${path} to reach the inner app, got no call (set options.request to a request the middleware passes on)`;
  }
  if (rec.firstChunkLate) {
    return (
      `expected the first body chunk to reach the client before the inner app sent its last one (${INNER_BODY.length} awaited sends), ` +
      `got nothing until the whole body was sent (the middleware buffers the response body; ${chunks} chunk(s) arrived)`
    );
  }
  return undefined;
}

async function sendValidator(mw: Middleware, opts: Resolved): Promise<string | undefined> {
  const runs: [string, (client: TestClient) => Promise<unknown>][] = [
    [`${opts.request.method} ${opts.request.path}`, (c) => drive(c, 'http', opts.request)],
    [`HEAD ${opts.request.path}`, (c) => drive(c, 'http', { ...opts.request, method: 'HEAD' })],
    [
      `POST ${opts.request.path} with a streamed body`,
      (c) =>
        c.post(opts.request.path, {
          body: ['part 1, ', 'part 2'],
          ...(opts.request.headers === undefined ? {} : { headers: opts.request.headers }),
        }),
    ],
    ['websocket', (c) => drive(c, 'websocket', opts.request)],
    ['sse', (c) => drive(c, 'sse', opts.request)],
  ];
  for (const [what, run] of runs) {
    const rec = newRecord();
    try {
      await run(build(mw, rec, referenceApp(rec), opts.timeout));
    } catch (error) {
      return `expected every send() of ${what} to pass the protocol validator and the app not to throw, got ${describeError(error)}`;
    }
  }
  return undefined;
}

const RUNNERS: Record<MiddlewareCheckName, (mw: Middleware, opts: Resolved) => Promise<string | undefined>> =
  {
    'lifespan-passthrough': lifespanPassthrough,
    'unhandled-scopes-passthrough': unhandledPassthrough,
    'scope-not-mutated': scopeNotMutated,
    'body-streamed': bodyStreamed,
    'send-validator': sendValidator,
  };

/**
 * Runs one shared check against `mw(referenceApp)` through the test client. Never throws for a
 * failing middleware: the result says what failed.
 */
export async function runMiddlewareCheck(
  name: MiddlewareCheckName,
  mw: Middleware,
  options: MiddlewareCheckOptions = {},
): Promise<MiddlewareCheckResult> {
  const opts = resolve(options);
  if (name === 'lifespan-passthrough' && opts.handles.has('lifespan')) return { name, ok: true, message: '' };
  let message: string | undefined;
  try {
    message = await RUNNERS[name](mw, opts);
  } catch (error) {
    message = `the check itself failed: ${describeError(error)}`;
  }
  return { name, ok: message === undefined, message: message ?? '' };
}

/** Runs every shared check not in `options.skip`, in order; resolves with all results. */
export async function runMiddlewareChecks(
  mw: Middleware,
  options: MiddlewareCheckOptions = {},
): Promise<MiddlewareCheckResult[]> {
  const skip = new Set(options.skip ?? []);
  const results: MiddlewareCheckResult[] = [];
  for (const name of MIDDLEWARE_CHECKS)
    if (!skip.has(name)) results.push(await runMiddlewareCheck(name, mw, options));
  return results;
}

/**
 * The shared middleware checks in one line, for any test runner: resolves when `mw` passes them
 * all, rejects with a {@link MiddlewareCheckError} listing every failure otherwise. Checks:
 * `lifespan` reaches the inner app untouched with its events; scope types the middleware does not
 * handle pass through untouched (scope and answer); the caller's scope is never mutated; a
 * streamed body stays streamed (the client sees the first chunk before the app sends the last,
 * under backpressure); every `send()` passes the protocol validator.
 *
 * @example
 * import { checkMiddleware } from '@pagi/test';
 * test('cors passes the shared checks', () => checkMiddleware((app) => cors(app, { origin: '*' })));
 */
export async function checkMiddleware(mw: Middleware, options: MiddlewareCheckOptions = {}): Promise<void> {
  const failures = (await runMiddlewareChecks(mw, options)).filter((r) => !r.ok);
  if (failures.length > 0) throw new MiddlewareCheckError(failures);
}
