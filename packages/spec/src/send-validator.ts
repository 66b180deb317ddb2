import { UnsupportedScopeError } from './errors.js';
import { HttpSendValidator } from './internal/http-send.js';
import { LifespanSendValidator } from './internal/lifespan-send.js';
import { SseSendValidator } from './internal/sse-send.js';
import { WebSocketSendValidator } from './internal/websocket-send.js';
import type { Scope } from './types.js';

/** Options of {@link createSendValidator}. */
export interface SendValidatorOptions {
  /**
   * Field-by-field checks (types, ranges). The state machine, the unknown-type check, header
   * byte safety and SSE newline checks always run. Default `true`.
   */
  fields?: boolean;
  /** Reject uppercase header names instead of accepting them. Default `true`. */
  strictHeaderCase?: boolean;
}

/** What the server does with a valid event: write it, or drop it without a word. */
export type SendVerdict = 'send' | 'ignore';

/** The per-connection send guard a server runs at the top of every `send()`. */
export interface SendValidator {
  /**
   * Validates one outbound event against the scope's type, its advertised extensions and the
   * per-connection state machine; on success advances the state. Returns `'ignore'` for events
   * the spec says must be silently ignored; throws `PagiValidationError` | `PagiStateError` |
   * `PagiUnknownEventError` otherwise (the state does not advance on a throw).
   */
  check(event: unknown): SendVerdict;
  /** Current state name, for messages and tests (`'init'`, `'started'`, `'body-done'`, `'complete'`, …). */
  readonly state: string;
  /** true once nothing more may be sent (HTTP complete, WS closed/denied, SSE closed/declined, lifespan shut down). */
  readonly finished: boolean;
}

/**
 * Creates the send validator of one connection (or one HTTP request, or the lifespan). It
 * enforces the outbound state machines of protocol.md §5.1–§5.4 and the field rules of §4 and
 * §12.1, reading `scope.type`, `scope.extensions` and (for WebSocket) `scope.subprotocols`
 * once, here. `check()` is synchronous and allocates nothing on the happy path.
 *
 * | scope | states |
 * |---|---|
 * | http | `init` → `started` → (`body-done` →) `complete` |
 * | websocket | `connecting` → `open` → `closed`; `connecting` → `denying` → `denied` |
 * | sse | `init` → `streaming` → `closed`; `init` → `declining` → `done` |
 * | lifespan | `startup-pending` → `running` → `finished` |
 *
 * @throws UnsupportedScopeError for a `scope.type` this package does not know.
 * @example
 * const guard = createSendValidator(scope);
 * const send: Send = async (event) => {
 *   if (guard.check(event) === 'ignore') return;
 *   await writeToSocket(event);
 * };
 */
export function createSendValidator(scope: Scope, options?: SendValidatorOptions): SendValidator {
  const fields = options?.fields !== false;
  const strictCase = options?.strictHeaderCase !== false;
  switch (scope.type) {
    case 'http':
      return new HttpSendValidator(scope, fields, strictCase);
    case 'websocket':
      return new WebSocketSendValidator(scope, fields, strictCase);
    case 'sse':
      return new SseSendValidator(scope, fields, strictCase);
    case 'lifespan':
      return new LifespanSendValidator(fields);
    default:
      throw new UnsupportedScopeError(String((scope as { type?: unknown }).type));
  }
}
