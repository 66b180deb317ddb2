import {
  type BodyInput,
  type HeaderList,
  isSendableCloseCode,
  MAX_CLOSE_REASON_BYTES,
  PagiStateError,
  PagiValidationError,
  type Receive,
  type Send,
  type WebSocketScope,
} from '@pagi/spec';
import { ClientDisconnectError, WebSocketError } from '../errors.js';
import { firstHeader, type HeaderInit, toHeaderList } from '../internal/headers.js';

/** One whole message: text frames give a string, binary frames a Uint8Array. */
export type WebSocketMessage = string | Uint8Array;

/** Where the helper is in the connection's life. */
export type WebSocketState = 'connecting' | 'connected' | 'closed';

/** Options of {@link WebSocket.accept}. */
export interface AcceptOptions {
  /** Must be one of `scope.subprotocols` (RFC 6455 §4.2.2). */
  subprotocol?: string;
  headers?: HeaderInit;
}

/**
 * A WebSocket connection over `scope/receive/send`. Iterate it for messages; the loop ends when
 * the client disconnects. Empty and `"0"` messages are messages like any other (the upstream
 * truthiness bug is not copied).
 *
 * @example
 * const ws = new WebSocket(scope, receive, send);
 * await ws.accept();
 * for await (const msg of ws) await ws.sendText(`echo: ${String(msg)}`);
 * console.log(ws.closeCode, ws.closeReason);
 */
export class WebSocket implements AsyncIterable<WebSocketMessage> {
  readonly scope: WebSocketScope;
  readonly #receive: Receive<'websocket'>;
  readonly #send: Send<'websocket'>;
  #state: WebSocketState = 'connecting';
  #connectSeen = false;
  #closeSent = false;
  #disconnectSeen = false;
  #closeCode: number | undefined;
  #closeReason: string | undefined;

  constructor(
    scope: WebSocketScope,
    receive: Receive<'websocket'> | Receive,
    send: Send<'websocket'> | Send,
  ) {
    if (scope.type !== 'websocket') {
      throw new PagiValidationError(`expected a 'websocket' scope, got '${String(scope.type)}'`);
    }
    this.scope = scope;
    this.#receive = receive as Receive<'websocket'>;
    this.#send = send as Send<'websocket'>;
  }

  /** `connecting`, `connected` or `closed`. */
  get state(): WebSocketState {
    return this.#state;
  }

  /** true between accept and the end of the connection. */
  get isConnected(): boolean {
    return this.#state === 'connected';
  }

  /** The close code once the connection ended (the peer's, or ours when we closed first). */
  get closeCode(): number | undefined {
    return this.#closeCode;
  }

  /** The close reason once the connection ended. */
  get closeReason(): string | undefined {
    return this.#closeReason;
  }

  /** Subprotocols the client offered. */
  get subprotocols(): string[] {
    return this.scope.subprotocols ?? [];
  }

  /** The first value of handshake header `name`. */
  header(name: string): string | undefined {
    return firstHeader(this.scope.headers, name);
  }

  /**
   * Waits for `websocket.connect`, then accepts. Throws `PAGI_ERR_DISCONNECTED` when the client
   * left before that.
   */
  async accept(options: AcceptOptions = {}): Promise<void> {
    if (this.#state !== 'connecting') {
      throw new PagiStateError(`expected a connecting WebSocket to accept, got one ${this.#state}`);
    }
    if (options.subprotocol !== undefined && !this.subprotocols.includes(options.subprotocol)) {
      throw new PagiValidationError(
        `expected a subprotocol the client offered (${this.subprotocols.join(', ') || 'none'}), got '${options.subprotocol}'`,
      );
    }
    await this.#awaitConnect();
    const headers: HeaderList = toHeaderList(options.headers);
    await this.#send({
      type: 'websocket.accept',
      ...(options.subprotocol !== undefined ? { subprotocol: options.subprotocol } : {}),
      ...(headers.length > 0 ? { headers } : {}),
    });
    this.#state = 'connected';
  }

  /**
   * Refuses the handshake with an HTTP response when the server offers the denial extension,
   * otherwise with a bare close (which the server answers 403).
   */
  async deny(status = 403, body: BodyInput = '', headers?: HeaderInit): Promise<void> {
    if (this.#state !== 'connecting') {
      throw new PagiStateError(`expected a connecting WebSocket to deny, got one ${this.#state}`);
    }
    await this.#awaitConnect();
    this.#state = 'closed';
    if (this.scope.extensions?.['websocket.http.response'] !== undefined) {
      await this.#send({ type: 'websocket.http.response.start', status, headers: toHeaderList(headers) });
      await this.#send({ type: 'websocket.http.response.body', body });
    } else {
      this.#closeSent = true;
      await this.#send({ type: 'websocket.close', code: 1008 });
    }
  }

  /**
   * The next message, or `undefined` once the client disconnected (closeCode/closeReason are
   * then set).
   */
  async receive(): Promise<WebSocketMessage | undefined> {
    if (this.#state === 'connecting') {
      throw new PagiStateError('expected an accepted WebSocket before receiving, got one still connecting');
    }
    // After our own close, keep reading until the server reports the end of the closing
    // handshake, so messages already in flight are not lost.
    while (!this.#disconnectSeen && (this.#state === 'connected' || this.#closeSent)) {
      const event = (await this.#receive()) as {
        type: string;
        text?: unknown;
        bytes?: unknown;
        code?: number;
        reason?: string;
      };
      if (event.type === 'websocket.receive') {
        // Decide by type, never by truthiness: '' and '0' are real messages.
        if (typeof event.text === 'string') return event.text;
        if (event.bytes instanceof Uint8Array) return event.bytes;
        continue;
      }
      if (event.type === 'websocket.disconnect') {
        this.#ended(event.code ?? 1005, event.reason ?? '');
        return undefined;
      }
      // A stray connect or a middleware's custom event is not a message.
    }
    return undefined;
  }

  /** The next text message; `WebSocketError(1003)` on a binary one, `PAGI_ERR_DISCONNECTED` at the end. */
  async receiveText(): Promise<string> {
    const msg = await this.#receiveOrThrow();
    if (typeof msg !== 'string') throw new WebSocketError(1003, 'expected a text message, got binary');
    return msg;
  }

  /** The next binary message; `WebSocketError(1003)` on a text one, `PAGI_ERR_DISCONNECTED` at the end. */
  async receiveBytes(): Promise<Uint8Array> {
    const msg = await this.#receiveOrThrow();
    if (typeof msg === 'string') throw new WebSocketError(1003, 'expected a binary message, got text');
    return msg;
  }

  /** The next message (text, or UTF-8 bytes) parsed as JSON; `WebSocketError(1007)` when it is not JSON. */
  async receiveJson<T = unknown>(): Promise<T> {
    const msg = await this.#receiveOrThrow();
    return parseJsonMessage<T>(msg);
  }

  /** Sends a text frame. */
  async sendText(text: string): Promise<void> {
    this.#assertOpen('send text');
    await this.#send({ type: 'websocket.send', text });
  }

  /** Sends a binary frame. */
  async sendBytes(bytes: Uint8Array): Promise<void> {
    this.#assertOpen('send bytes');
    await this.#send({ type: 'websocket.send', bytes });
  }

  /** Sends `value` as JSON in a text frame. */
  async sendJson(value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    if (text === undefined)
      throw new PagiValidationError(`expected a JSON-serialisable value, got ${typeof value}`);
    await this.sendText(text);
  }

  /**
   * Closes the connection (before accept, the server refuses the handshake with 403). Only
   * codes an endpoint may send are allowed (1000–1003, 1007–1014, 3000–4999) and the reason is
   * at most 123 UTF-8 bytes. A second call does nothing.
   */
  async close(code = 1000, reason = ''): Promise<void> {
    if (!isSendableCloseCode(code)) {
      throw new PagiValidationError(
        `expected a sendable close code (1000–1003, 1007–1014, 3000–4999), got ${code}`,
      );
    }
    const bytes = Buffer.byteLength(reason, 'utf8');
    if (bytes > MAX_CLOSE_REASON_BYTES) {
      throw new PagiValidationError(
        `expected a close reason of at most ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes, got ${bytes}`,
      );
    }
    if (this.#closeSent || this.#state === 'closed') return;
    this.#closeSent = true;
    if (this.#state === 'connecting') await this.#awaitConnect().catch(() => {});
    this.#state = 'closed';
    // We ended it, so our code is the connection's close code; the peer's echo does not replace it.
    this.#closeCode = code;
    this.#closeReason = reason;
    await this.#send({ type: 'websocket.close', code, reason });
  }

  /** Asks the server to ping every `interval` seconds and drop the peer after `timeout` without a pong. */
  async keepalive(interval: number, timeout?: number): Promise<void> {
    this.#assertOpen('set keepalive');
    await this.#send({
      type: 'websocket.keepalive',
      interval,
      ...(timeout !== undefined ? { timeout } : {}),
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WebSocketMessage> {
    for (;;) {
      const msg = await this.receive();
      if (msg === undefined) return;
      yield msg;
    }
  }

  async #awaitConnect(): Promise<void> {
    while (!this.#connectSeen) {
      const event = (await this.#receive()) as { type: string; code?: number; reason?: string };
      if (event.type === 'websocket.connect') {
        this.#connectSeen = true;
      } else if (event.type === 'websocket.disconnect') {
        this.#ended(event.code ?? 1006, event.reason ?? '');
        throw new ClientDisconnectError('the client disconnected before the WebSocket was accepted', {
          closeCode: this.#closeCode!,
          reason: this.#closeReason!,
        });
      }
    }
  }

  async #receiveOrThrow(): Promise<WebSocketMessage> {
    const msg = await this.receive();
    if (msg === undefined) {
      throw new ClientDisconnectError(`expected a WebSocket message, got a disconnect (${this.#closeCode})`, {
        closeCode: this.#closeCode!,
        reason: this.#closeReason!,
      });
    }
    return msg;
  }

  #ended(code: number, reason: string): void {
    this.#state = 'closed';
    this.#disconnectSeen = true;
    // When we closed first, our code is what ended the connection; otherwise the peer's.
    if (!this.#closeSent) {
      this.#closeCode = code;
      this.#closeReason = reason;
    }
  }

  #assertOpen(action: string): void {
    if (this.#state !== 'connected') {
      throw new PagiStateError(`expected an accepted, open WebSocket to ${action}, got one ${this.#state}`);
    }
  }
}

/**
 * Parses a message as JSON; `WebSocketError(1007)` (invalid payload data) when it is not.
 *
 * @example
 * parseJsonMessage('{"a":1}') // { a: 1 }
 */
export function parseJsonMessage<T>(msg: WebSocketMessage): T {
  try {
    const text = typeof msg === 'string' ? msg : new TextDecoder('utf-8', { fatal: true }).decode(msg);
    return JSON.parse(text) as T;
  } catch (error) {
    throw new WebSocketError(1007, `expected a JSON message: ${(error as Error).message}`.slice(0, 120), {
      cause: error,
    });
  }
}
