import { checkHeader, type HeaderList, type Middleware, PagiValidationError } from '@pagi/spec';
import { appendHeader, defineMiddleware, editHeaders, hasHeader } from '@pagi/spec/middleware';

export interface RuntimeOptions {
  /** Header carrying the seconds, or `false` for none. Default `x-runtime`. */
  header?: string | false;
  /** Decimal places of the seconds in `header`. Default `6` (microseconds). */
  precision?: number;
  /**
   * Metric name for a `Server-Timing: <name>;dur=<ms>` entry (W3C Server Timing; browsers show it
   * in dev tools), or `false` for none. Default `app`.
   */
  serverTiming?: string | false;
  /** The clock, in milliseconds. Default `performance.now` (monotonic). */
  now?: () => number;
}

const KNOWN: ReadonlySet<string> = new Set(['header', 'precision', 'serverTiming', 'now']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Adds the app's time, from the call to the response start (the last moment a header can still
 * be added), to HTTP responses, `sse.start` and `websocket.accept` (and refusals): `X-Runtime:
 * <seconds>` and `Server-Timing: app;dur=<ms>`. A header the app set itself is left as it is
 * (`Server-Timing` entries are added next to the app's own).
 *
 * @throws PagiValidationError for an unknown option or a bad value, when called.
 * @example
 * const app = compose(runtime({ header: false, serverTiming: 'total' }))(router.app);
 */
export function runtime(options: RuntimeOptions = {}): Middleware {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new PagiValidationError(`runtime(): unknown option '${key}'`);
  }
  const header = options.header === false ? undefined : checkHeader(options.header ?? 'x-runtime', '0');
  const precision = options.precision ?? 6;
  if (!Number.isInteger(precision) || precision < 0 || precision > 9) {
    throw new PagiValidationError(
      `runtime(): expected precision to be an integer from 0 to 9, got ${String(precision)}`,
    );
  }
  const metric = options.serverTiming === false ? undefined : (options.serverTiming ?? 'app');
  if (metric !== undefined && (typeof metric !== 'string' || !TOKEN.test(metric))) {
    throw new PagiValidationError(
      `runtime(): expected serverTiming to be a token or false, got ${JSON.stringify(metric)}`,
    );
  }
  if (header === undefined && metric === undefined) {
    throw new PagiValidationError('runtime(): header and serverTiming are both false: nothing to add');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new PagiValidationError(`runtime(): expected now to be a function, got ${typeof options.now}`);
  }
  const now = options.now ?? (() => performance.now());

  const stamp = (startedAt: number) => (headers: HeaderList) => {
    const ms = Math.max(0, now() - startedAt);
    let out = headers;
    if (header !== undefined && !hasHeader(out, header))
      out = appendHeader(out, header, (ms / 1000).toFixed(precision));
    if (metric !== undefined) out = appendHeader(out, 'server-timing', `${metric};dur=${ms.toFixed(1)}`);
    return out;
  };

  return defineMiddleware('runtime', {
    http: (scope, receive, send, app) => app(scope, receive, editHeaders(send, stamp(now()))),
    sse: (scope, receive, send, app) => app(scope, receive, editHeaders(send, stamp(now()))),
    websocket: (scope, receive, send, app) => app(scope, receive, editHeaders(send, stamp(now()))),
  });
}
