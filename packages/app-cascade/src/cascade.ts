import { type App, type ConnectionScope, PagiValidationError } from '@pagi/spec';
import { Attempt, RequestLog } from './attempt.js';

/** Options of {@link cascade}. */
export interface CascadeOptions {
  /** Statuses that make the cascade try the next app. Default `[404, 405]`. */
  catch?: readonly number[];
  /**
   * Bytes of request body kept so the next app can read it again. Default 1 MiB (1048576). A
   * body past this makes the app reading it the last one tried: its answer goes out, whatever
   * the status.
   */
  bodyLimit?: number;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['catch', 'bodyLimit']);
const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** A refusal (say a 404 page) is held until the next app is tried; bigger ones are not kept. */
const HOLD_LIMIT = 64 * 1024;

function fail(message: string): never {
  throw new PagiValidationError(`cascade(): ${message}`);
}

/**
 * One app that tries `apps` in order: an app answering with a status in `catch` (a 404 or
 * 405 `http.response.start`, an SSE decline, a WebSocket denial or close before accept) has its
 * answer discarded and the next app is tried with the same request (its body replayed). The
 * first other answer is streamed straight through, event by event, never buffered. The last
 * app's answer goes out whatever its status. `lifespan` goes to the last app.
 *
 * @throws PagiValidationError for an empty or non-function `apps`, or a bad or unknown option.
 * @example
 * export default cascade([staticApp('public'), router.app]);
 */
export function cascade(apps: readonly App[], options: CascadeOptions = {}): App {
  if (!Array.isArray(apps) || apps.length === 0) fail('expected a non-empty list of apps');
  apps.forEach((app, i) => {
    if (typeof app !== 'function') fail(`expected an app function at position ${i}, got ${typeof app}`);
  });
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) fail(`unknown option '${key}'`);
  }
  const statuses = options.catch ?? [404, 405];
  if (!Array.isArray(statuses) || statuses.some((s) => !Number.isInteger(s) || s < 100 || s > 599))
    fail(`expected catch to be a list of HTTP statuses (100-599), got ${JSON.stringify(options.catch)}`);
  const caught: ReadonlySet<number> = new Set(statuses);
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 0)
    fail(`expected bodyLimit to be a whole number of bytes >= 0, got ${limit}`);
  const list = apps.slice();
  const last = list.length - 1;

  return async function cascadeApp(scope, receive, send) {
    if (scope.type === 'lifespan') return list[last]!(scope, receive, send);
    const log = new RequestLog(receive, limit);
    for (let i = 0; i <= last; i++) {
      const attempt = new Attempt(scope as ConnectionScope, log, send, caught, i < last, HOLD_LIMIT);
      await list[i]!(scope, attempt.receive as never, attempt.send as never);
      if (!attempt.cascades) return;
    }
  };
}
