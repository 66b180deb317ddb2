/**
 * The outbound state machine of a `websocket` scope (protocol.md §5.2, §4.3, D-6):
 *
 *   connecting --accept--> open --send* | keepalive*--> open --close--> closed
 *   connecting --close--> closed                     (the server refuses with 403)
 *   connecting --http.response.start--> denying --body(more: true)*--> denying --body--> denied
 *   open/closed-after-accept --denial events--> ignored (the spec: MUST be silently ignored)
 *   closed/denied --close--> ignored                 (a duplicate close is harmless)
 */
import { isSendableCloseCode, MAX_CLOSE_REASON_BYTES } from '../close-codes.js';
import { PagiValidationError } from '../errors.js';
import { ExtensionKeys, WebSocketEvents } from '../event-types.js';
import type { SendValidator, SendVerdict } from '../send-validator.js';
import type { WebSocketScope } from '../types.js';
import { describe, quote } from './describe.js';
import {
  checkBody,
  checkBoolean,
  checkHeaders,
  checkNonNegativeNumber,
  checkStatus,
  checkString,
  type EventRecord,
} from './fields.js';
import { asEvent, expectedBefore, missingExtension, notAllowed, unknownType } from './send-common.js';

export type WebSocketSendState = 'connecting' | 'open' | 'denying' | 'denied' | 'closed';

const KNOWN: readonly string[] = [
  WebSocketEvents.accept,
  WebSocketEvents.send,
  WebSocketEvents.keepalive,
  WebSocketEvents.close,
  WebSocketEvents.httpResponseStart,
  WebSocketEvents.httpResponseBody,
];

/** Handshake headers the server computes itself; an app copy would corrupt the 101 response. */
const FRAMING_HEADERS: ReadonlySet<string> = new Set([
  'sec-websocket-protocol',
  'sec-websocket-accept',
  'upgrade',
  'connection',
]);

interface MaybeWellFormed {
  isWellFormed?: () => boolean;
}

/** A lone surrogate would silently turn into U+FFFD on the wire (§4.2.4). */
function isWellFormed(text: string): boolean {
  const native = (text as unknown as MaybeWellFormed).isWellFormed;
  if (native !== undefined) return native.call(text);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** The text last found well-formed, by any connection (one entry: at most one string kept alive). */
let lastWellFormed: string | undefined;
/** The frozen `websocket.send` event whose fields were last checked, by any connection. */
let checkedSend: unknown;

export class WebSocketSendValidator implements SendValidator {
  #state: WebSocketSendState = 'connecting';
  #accepted = false;
  readonly #subprotocols: readonly string[];
  readonly #denial: boolean;
  readonly #fields: boolean;
  readonly #strictCase: boolean;

  constructor(scope: WebSocketScope, fields: boolean, strictCase: boolean) {
    this.#subprotocols = Array.isArray(scope.subprotocols) ? scope.subprotocols : [];
    this.#denial = scope.extensions?.[ExtensionKeys.websocketHttpResponse] !== undefined;
    this.#fields = fields;
    this.#strictCase = strictCase;
  }

  get state(): WebSocketSendState {
    return this.#state;
  }

  get finished(): boolean {
    return this.#state === 'closed' || this.#state === 'denied';
  }

  check(event: unknown): SendVerdict {
    // A broadcast hands one frozen send event to many connections: its fields cannot have changed
    // since they were checked, so only the state is left to check.
    if (event === checkedSend && this.#state === 'open') return 'send';
    const e = asEvent(event, 'websocket', KNOWN);
    switch (e.type) {
      case WebSocketEvents.accept:
        return this.#accept(e);
      case WebSocketEvents.send:
        this.#requireOpen(WebSocketEvents.send);
        if (this.#fields) {
          this.#sendFields(e);
          if (Object.isFrozen(e)) checkedSend = e;
        }
        return 'send';
      case WebSocketEvents.keepalive:
        this.#requireOpen(WebSocketEvents.keepalive);
        if (this.#fields) {
          checkNonNegativeNumber(e.interval, WebSocketEvents.keepalive, 'interval', true);
          checkNonNegativeNumber(e.timeout, WebSocketEvents.keepalive, 'timeout', false);
        }
        return 'send';
      case WebSocketEvents.close:
        return this.#close(e);
      case WebSocketEvents.httpResponseStart:
        return this.#denyStart(e);
      case WebSocketEvents.httpResponseBody:
        return this.#denyBody(e);
      default:
        throw unknownType(e.type as string, 'websocket', KNOWN);
    }
  }

  #requireOpen(type: string): void {
    if (this.#state === 'open') return;
    if (this.#state === 'connecting') throw expectedBefore(`'${WebSocketEvents.accept}'`, type, this.#state);
    throw notAllowed(type, 'once the connection is no longer open', this.#state);
  }

  #accept(e: EventRecord): SendVerdict {
    const type = WebSocketEvents.accept;
    if (this.#state !== 'connecting') {
      throw notAllowed(type, this.#accepted ? 'twice' : 'after the handshake was refused', this.#state);
    }
    if (this.#fields && e.subprotocol !== undefined) {
      checkString(e.subprotocol, type, 'subprotocol', false);
      if (!this.#subprotocols.includes(e.subprotocol as string)) {
        throw new PagiValidationError(
          `'${type}' subprotocol: expected one the client offered (${this.#subprotocols.map(quote).join(', ') || 'none'}), got ${describe(e.subprotocol)}`,
        );
      }
    }
    const headers = e.headers;
    checkHeaders(headers, type, this.#strictCase);
    if (headers !== undefined) {
      for (const [name] of headers as [string, string][]) {
        const lower = name.toLowerCase();
        if (FRAMING_HEADERS.has(lower)) {
          throw new PagiValidationError(
            `'${type}' headers: expected no '${lower}' header (the server writes the handshake; use 'subprotocol'), got one`,
          );
        }
      }
    }
    this.#state = 'open';
    this.#accepted = true;
    return 'send';
  }

  #sendFields(e: EventRecord): void {
    const type = WebSocketEvents.send;
    const hasText = e.text != null;
    const hasBytes = e.bytes != null;
    if (hasText === hasBytes) {
      throw new PagiValidationError(
        `'${type}': expected exactly one of text and bytes, got ${hasText ? 'both' : 'neither'}`,
      );
    }
    if (hasText) {
      if (typeof e.text !== 'string') {
        throw new PagiValidationError(`'${type}' text: expected a string, got ${describe(e.text)}`);
      }
      // A broadcast sends one string to many connections: check it once (strings are immutable).
      if (e.text !== lastWellFormed) {
        if (!isWellFormed(e.text)) {
          throw new PagiValidationError(`'${type}' text: expected well-formed UTF-16, got a lone surrogate`);
        }
        lastWellFormed = e.text;
      }
    } else {
      checkBody(e.bytes, type, 'bytes');
    }
  }

  #close(e: EventRecord): SendVerdict {
    const type = WebSocketEvents.close;
    if (this.#state === 'closed' || this.#state === 'denied') return 'ignore';
    if (this.#state === 'denying') {
      throw expectedBefore(`the final '${WebSocketEvents.httpResponseBody}'`, type, this.#state);
    }
    if (this.#fields) {
      if (e.code !== undefined && !isSendableCloseCode(e.code)) {
        throw new PagiValidationError(
          `'${type}' code: expected a sendable close code (1000–1003, 1007–1014, 3000–4999), got ${describe(e.code)}`,
        );
      }
      checkString(e.reason, type, 'reason', false);
      if (typeof e.reason === 'string' && e.reason.length > MAX_CLOSE_REASON_BYTES / 3) {
        const bytes = Buffer.byteLength(e.reason, 'utf8');
        if (bytes > MAX_CLOSE_REASON_BYTES) {
          throw new PagiValidationError(
            `'${type}' reason: expected at most ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes, got ${bytes}`,
          );
        }
      }
    }
    this.#state = 'closed';
    return 'send';
  }

  #denyStart(e: EventRecord): SendVerdict {
    const type = WebSocketEvents.httpResponseStart;
    if (!this.#denial) throw missingExtension(type, ExtensionKeys.websocketHttpResponse, 'websocket');
    if (this.#accepted) return 'ignore';
    if (this.#state !== 'connecting') {
      throw notAllowed(
        type,
        this.#state === 'closed' ? 'after the handshake was refused' : 'twice',
        this.#state,
      );
    }
    if (this.#fields) checkStatus(e.status, type, true);
    checkHeaders(e.headers, type, this.#strictCase);
    this.#state = 'denying';
    return 'send';
  }

  #denyBody(e: EventRecord): SendVerdict {
    const type = WebSocketEvents.httpResponseBody;
    if (!this.#denial) throw missingExtension(type, ExtensionKeys.websocketHttpResponse, 'websocket');
    if (this.#accepted) return 'ignore';
    if (this.#state === 'connecting') {
      throw expectedBefore(`'${WebSocketEvents.httpResponseStart}'`, type, this.#state);
    }
    if (this.#state !== 'denying') throw notAllowed(type, 'after the denial response ended', this.#state);
    if (this.#fields) {
      checkBody(e.body, type, 'body');
      checkBoolean(e.more, type, 'more');
    }
    if (e.more !== true) this.#state = 'denied';
    return 'send';
  }
}
