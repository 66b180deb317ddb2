import {
  type AccessLogEntry,
  type AccessLogLineFormat,
  type ConnectionScope,
  type Middleware,
  PagiValidationError,
  formatAccessLog,
} from '@pagi/spec';
import { defineMiddleware } from '@pagi/spec/middleware';
import { ConnectionRecord } from './entry.js';
import { secondClock, startSecondClock } from './second-clock.js';

/** Where lines go: a function gets each line without a newline; a writable gets `line + '\n'`. */
export type AccessLogSink = ((line: string) => void) | { write(chunk: string): unknown };

export interface AccessLogOptions {
  /** `'combined'` (default), `'common'` or `'json'`: the same lines as `pagi-server --access-log`. */
  format?: AccessLogLineFormat;
  /** Where lines go. Default: `process.stderr`. */
  logger?: AccessLogSink;
  /** Scope types logged. Default `['http', 'websocket', 'sse']`. */
  protocols?: ReadonlyArray<'http' | 'websocket' | 'sse'>;
}

export type { AccessLogEntry, AccessLogLineFormat };

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['format', 'logger', 'protocols']);
const FORMATS: ReadonlySet<string> = new Set(['combined', 'common', 'json']);
const PROTOCOLS: ReadonlySet<string> = new Set(['http', 'websocket', 'sse']);

function resolveSink(logger: AccessLogSink | undefined): (line: string) => void {
  if (logger === undefined) return (line) => process.stderr.write(`${line}\n`);
  if (typeof logger === 'function') return logger;
  if (logger !== null && typeof logger === 'object' && typeof logger.write === 'function') {
    return (line) => logger.write(`${line}\n`);
  }
  throw new PagiValidationError('accessLog(): expected `logger` to be a function or have a write() method');
}

/**
 * Writes one access-log line per HTTP request, and per WebSocket / SSE connection when it ends,
 * with the status and body bytes the inner app actually sent (file bodies counted by their
 * length), the client from `scope.client` (already the real one when the server applied proxy
 * headers) and the duration. Lines are formatted by `@pagi/spec`'s `formatAccessLog`, so they
 * match the server's own access log. A response that started but did not finish is logged
 * with status 0 (`-` in common/combined): no status line reached the client intact.
 *
 * @throws PagiValidationError for an unknown option, format or protocol, or a bad logger (when applied).
 * @example
 * const app = compose(accessLog({ format: 'json', logger: (line) => pino.info(line) }))(router.app);
 */
export function accessLog(options: AccessLogOptions = {}): Middleware {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`accessLog(): unknown option '${key}'`);
  }
  const format = options.format ?? 'combined';
  if (!FORMATS.has(format)) {
    throw new PagiValidationError(
      `accessLog(): expected format 'combined', 'common' or 'json', got ${JSON.stringify(format)}`,
    );
  }
  const protocols = options.protocols ?? ['http', 'websocket', 'sse'];
  for (const p of protocols) {
    if (!PROTOCOLS.has(p)) {
      throw new PagiValidationError(`accessLog(): expected protocols among http, websocket, sse, got '${p}'`);
    }
  }
  const write = resolveSink(options.logger);
  // Only the JSON line reports the duration: the Apache formats skip the two clock reads.
  const timed = format === 'json';
  if (!timed) startSecondClock();

  /** Writes the line of a connection whose app has returned or thrown, and whose record is final. */
  const writeLine = (record: ConnectionRecord): void => {
    const entry = record.entry();
    try {
      // JSON lines carry milliseconds; the Apache formats name the second (a clock ticking each second).
      write(formatAccessLog(format, entry, timed ? Date.now() : secondClock()));
    } catch {
      // A failing log sink must not turn a served request into an error.
    }
  };

  /**
   * The line of a connection whose last send may have rejected unseen or that sent file bodies:
   * a send that rejected delivered nothing, so its entry is taken back (only the last one can be
   * unconfirmed: the app awaits each), and file sizes still being measured are added.
   */
  const writeChecked = async (record: ConnectionRecord): Promise<void> => {
    await record.verify();
    if (record.pending !== undefined) await record.settle();
    writeLine(record);
  };

  const failed = async (record: ConnectionRecord, error: unknown): Promise<never> => {
    await writeChecked(record);
    throw error;
  };

  /**
   * Runs the app with a recording `send`, then writes the line. Chained on the app's promise, not
   * awaited in an async function (a promise and a resumption less per request). Only when the
   * app threw, left the response unfinished or sent a file body is the last send checked (a
   * microtask turn more); a string or bytes body whose rejection the app swallowed and then
   * returned is the one case logged as sent.
   */
  const logged = (
    scope: ConnectionScope,
    receive: unknown,
    send: (event: never) => Promise<void>,
    app: (scope: never, receive: never, send: never) => unknown,
  ): Promise<void> => {
    // HEAD responses carry no body on the wire: whatever the app sends is not counted.
    const record = new ConnectionRecord(scope, send, scope.type !== 'http' || scope.method !== 'HEAD', timed);
    let running: unknown;
    try {
      running = app(scope as never, receive as never, record.send as never);
    } catch (error) {
      return failed(record, error);
    }
    return Promise.resolve(running).then(
      () => (record.completed && record.pending === undefined ? writeLine(record) : writeChecked(record)),
      (error: unknown) => failed(record, error),
    );
  };

  const set = new Set(protocols);
  return defineMiddleware('accessLog', {
    http: set.has('http') ? logged : undefined,
    websocket: set.has('websocket') ? logged : undefined,
    sse: set.has('sse') ? logged : undefined,
  });
}
