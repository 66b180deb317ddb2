/**
 * `@pagi/app-ws-echo`: a WebSocket app that sends every message back as it came (text as text,
 * binary as binary), with an optional size limit.
 */
import {
  CloseCode,
  PagiValidationError,
  type Receive,
  type Scope,
  type Send,
  type WebSocketScope,
} from '@pagi/spec';
import { refuseScope } from '@pagi/spec/middleware';

export interface WsEchoOptions {
  /**
   * Largest message echoed, in bytes (UTF-8 bytes for text). A larger one closes the connection
   * with 1009 (message too big). Default: no limit of its own (the server's `maxWsFrameSize` applies).
   */
  maxMessageBytes?: number;
  /** Called once the connection is accepted. */
  onConnect?: (scope: WebSocketScope) => void | Promise<void>;
  /** Called once the connection has ended, with the close code the app saw. */
  onDisconnect?: (scope: WebSocketScope, code: number) => void | Promise<void>;
}

const KNOWN: ReadonlySet<string> = new Set(['maxMessageBytes', 'onConnect', 'onDisconnect']);

/**
 * Creates the echo app.
 *
 * @throws PagiValidationError for an unknown option or a bad value (the message names it).
 * @example
 * export default wsEcho({ maxMessageBytes: 64 * 1024 });
 */
export function wsEcho(options: WsEchoOptions = {}) {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new PagiValidationError(`wsEcho(): unknown option '${key}'`);
  }
  const { maxMessageBytes, onConnect, onDisconnect } = options;
  if (maxMessageBytes !== undefined && (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 0)) {
    throw new PagiValidationError(
      `wsEcho(): expected maxMessageBytes to be a whole number ≥ 0, got ${String(maxMessageBytes)}`,
    );
  }
  for (const [name, fn] of [
    ['onConnect', onConnect],
    ['onDisconnect', onDisconnect],
  ] as const) {
    if (fn !== undefined && typeof fn !== 'function') {
      throw new PagiValidationError(`wsEcho(): expected ${name} to be a function, got ${typeof fn}`);
    }
  }
  const limit = maxMessageBytes ?? Number.POSITIVE_INFINITY;

  return async function wsEchoApp(scope: Scope, receive: Receive, send: Send): Promise<void> {
    if (scope.type === 'lifespan') return; // nothing to start: lifespan declined
    if (await refuseScope(scope, send, 'websocket')) return;
    const ws = scope as WebSocketScope;
    const recv = receive as Receive<'websocket'>;
    const out = send as Send<'websocket'>;
    await recv(); // websocket.connect
    await out({ type: 'websocket.accept' });
    await onConnect?.(ws);
    let code: number = CloseCode.abnormal;
    for (;;) {
      const event = await recv();
      if (event.type === 'websocket.disconnect') {
        code = event.code;
        break;
      }
      if (event.type !== 'websocket.receive') continue;
      // Text length in UTF-16 units is at most its UTF-8 size; only measure when it could matter.
      const size =
        event.text !== undefined
          ? event.text.length * 3 > limit
            ? Buffer.byteLength(event.text)
            : 0
          : event.bytes.byteLength;
      if (size > limit) {
        code = CloseCode.messageTooBig;
        await out({ type: 'websocket.close', code, reason: 'message too big' });
        break;
      }
      await out(
        event.text !== undefined
          ? { type: 'websocket.send', text: event.text }
          : { type: 'websocket.send', bytes: event.bytes },
      );
    }
    await onDisconnect?.(ws, code);
  };
}
