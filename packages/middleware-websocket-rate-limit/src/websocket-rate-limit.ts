import {
  CloseCode,
  isSendableCloseCode,
  MAX_CLOSE_REASON_BYTES,
  type Middleware,
  PagiValidationError,
  type Receive,
  type Send,
  type WebSocketScope,
} from '@pagi/spec';
import { defineMiddleware } from '@pagi/spec/middleware';
import { TokenBucket } from './bucket.js';

/** Which limit a message broke. */
export type LimitKind = 'messages' | 'bytes';

/** What happens to a message over the limit: `'drop'` it (and read the next) or `'close'` the connection. */
export type LimitAction = 'drop' | 'close';

export interface WebSocketRateLimitOptions {
  /** Messages per second, sustained. `Infinity` turns the message limit off. Default 100. */
  messagesPerSecond?: number;
  /** Payload bytes per second (UTF-8 bytes for text), sustained. `Infinity` turns it off. Default 1048576 (1 MiB). */
  bytesPerSecond?: number;
  /** Bucket size as a multiple of the per-second rate: how big a burst may be. Default 2. */
  burst?: number;
  /** `'close'`, `'drop'`, or a function choosing per event. Default `'close'`. */
  onLimit?: LimitAction | ((kind: LimitKind, scope: WebSocketScope) => LimitAction);
  /** Close code when closing. Default 1008 (policy violation, RFC 6455 §7.4.1). */
  closeCode?: number;
  /** Close reason when closing (≤ 123 UTF-8 bytes). Default `'Rate limit exceeded'`. */
  closeReason?: string;
  /** The clock in ms (monotonic); for tests. Default `performance.now()`. */
  now?: () => number;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'messagesPerSecond',
  'bytesPerSecond',
  'burst',
  'onLimit',
  'closeCode',
  'closeReason',
  'now',
]);

function fail(message: string): never {
  throw new PagiValidationError(`websocketRateLimit(): ${message}`);
}

function rate(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    fail(`expected ${name} to be a number > 0 (or Infinity for no limit), got ${String(value)}`);
  }
  return value;
}

/**
 * Per-connection WebSocket rate limits: a message budget and a byte budget per second (two token
 * buckets per connection), checked for every `websocket.receive` the app reads. Over a limit the
 * message is dropped, or the connection is closed with 1008 and the app's next event is the
 * connection's `websocket.disconnect`. Every other scope type passes through untouched.
 *
 * @throws PagiValidationError for an unknown option or a bad value (when called).
 * @example
 * const app = compose(websocketRateLimit({ messagesPerSecond: 20, bytesPerSecond: 64 * 1024 }))(router.app);
 */
export function websocketRateLimit(options: WebSocketRateLimitOptions = {}): Middleware {
  if (options === null || typeof options !== 'object') fail('expected an options object');
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) fail(`unknown option '${key}'`);
  }
  const messagesPerSecond = rate('messagesPerSecond', options.messagesPerSecond, 100);
  const bytesPerSecond = rate('bytesPerSecond', options.bytesPerSecond, 1024 * 1024);
  const burst = options.burst ?? 2;
  if (typeof burst !== 'number' || !Number.isFinite(burst) || burst < 1) {
    fail(`expected burst to be a finite number ≥ 1, got ${String(burst)}`);
  }
  const onLimit = options.onLimit ?? 'close';
  if (onLimit !== 'close' && onLimit !== 'drop' && typeof onLimit !== 'function') {
    fail(`expected onLimit to be 'close', 'drop' or a function, got ${JSON.stringify(onLimit)}`);
  }
  const closeCode = options.closeCode ?? CloseCode.policyViolation;
  if (!isSendableCloseCode(closeCode))
    fail(`expected closeCode to be a close code an endpoint may send, got ${closeCode}`);
  const closeReason = options.closeReason ?? 'Rate limit exceeded';
  if (typeof closeReason !== 'string' || Buffer.byteLength(closeReason) > MAX_CLOSE_REASON_BYTES) {
    fail(`expected closeReason to be a string of at most ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes`);
  }
  const now = options.now ?? (() => performance.now());
  if (typeof now !== 'function') fail('expected now to be a function');
  const limitMessages = messagesPerSecond !== Number.POSITIVE_INFINITY;
  const limitBytes = bytesPerSecond !== Number.POSITIVE_INFINITY;
  const closeEvent = { type: 'websocket.close', code: closeCode, reason: closeReason } as const;

  return defineMiddleware('websocketRateLimit', {
    websocket: (scope, receive, send, app) => {
      // Per connection (not per message): two buckets and the two wrappers.
      const t = now();
      const messages = limitMessages
        ? new TokenBucket(messagesPerSecond * burst, messagesPerSecond, t)
        : undefined;
      const bytes = limitBytes ? new TokenBucket(bytesPerSecond * burst, bytesPerSecond, t) : undefined;
      let closed = false;

      const limitedReceive: Receive<'websocket'> = async () => {
        for (;;) {
          const event = await receive();
          // After our close only the connection's end matters; messages still in flight are discarded.
          if (closed && event.type === 'websocket.receive') continue;
          if (event.type !== 'websocket.receive') return event;
          const at = now();
          let broke: LimitKind | undefined;
          if (messages !== undefined && !messages.take(1, at)) {
            broke = 'messages';
          } else if (bytes !== undefined) {
            const size = event.bytes !== undefined ? event.bytes.byteLength : Buffer.byteLength(event.text);
            if (!bytes.take(size, at)) {
              broke = 'bytes';
              messages?.refund(1); // a dropped message does not count against the message rate
            }
          }
          if (broke === undefined) return event;
          const action = typeof onLimit === 'function' ? onLimit(broke, scope) : onLimit;
          if (action === 'drop') continue;
          closed = true;
          // The close completes the closing handshake; the server then reports websocket.disconnect
          // (protocol §4.2.6), which the loop hands to the app. A send that fails means the
          // connection is already gone: its disconnect arrives the same way.
          await send(closeEvent).catch(() => {});
        }
      };
      // Once closed, the app's own sends are no-ops (it has not seen the disconnect yet).
      const limitedSend: Send<'websocket'> = (event) => (closed ? Promise.resolve() : send(event));
      return app(scope, limitedReceive, limitedSend);
    },
  });
}
