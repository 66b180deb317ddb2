import type { HeaderList } from '@pagi/spec';
import { TestUnexpectedError, WebSocketClosedError } from './errors.js';
import { quiet, withTimeout } from './internal/timeout.js';
import type {
  CloseInfo,
  HandshakeResult,
  WebSocketMessage,
  WebSocketSession,
} from './internal/websocket-session.js';

/**
 * The test's end of an in-process WebSocket. Created by `TestClient.websocket()` once the app has
 * answered `websocket.connect`, either accepted or denied.
 *
 * @example
 * const ws = await client.websocket('/chat', { subprotocols: ['chat.v1'] });
 * expect(ws.subprotocol).toBe('chat.v1');
 * await ws.sendText('hello');
 * expect(await ws.receiveText()).toBe('echo: hello');
 * await ws.close();
 */
export class TestWebSocket {
  /** true when the app sent `websocket.accept`. */
  readonly accepted: boolean;
  /** The subprotocol the app chose, if any. */
  readonly subprotocol: string | undefined;
  /** The extra headers of `websocket.accept`. */
  readonly acceptHeaders: HeaderList;
  /** The HTTP response that refused the handshake: 403 with an empty body after close-before-accept. */
  readonly denial: { status: number; headers: HeaderList; body: Buffer } | undefined;
  /** Settles when the connection closed: the app's code and reason, or the test's own. */
  readonly closed: Promise<CloseInfo>;
  private readonly session: WebSocketSession;
  private readonly timeout: number;

  /** @internal Created by `TestClient.websocket()`. */
  constructor(session: WebSocketSession, result: HandshakeResult, timeout: number) {
    this.session = session;
    this.timeout = timeout;
    this.closed = session.closed.promise;
    if (result.accepted) {
      this.accepted = true;
      this.subprotocol = result.subprotocol;
      this.acceptHeaders = result.headers;
      this.denial = undefined;
    } else {
      this.accepted = false;
      this.subprotocol = undefined;
      this.acceptHeaders = [];
      this.denial = result.denial;
    }
  }

  /** Every raw event the app sent so far, in order. */
  get events(): object[] {
    return this.session.events;
  }

  async sendText(text: string): Promise<void> {
    this.assertOpen('send a text message');
    this.session.clientSend({ text });
  }

  async sendBytes(bytes: Uint8Array): Promise<void> {
    this.assertOpen('send a binary message');
    this.session.clientSend({ bytes: Buffer.from(bytes) });
  }

  /** Sends `JSON.stringify(value)` as a text message. */
  async sendJson(value: unknown): Promise<void> {
    await this.sendText(JSON.stringify(value));
  }

  /** The next message the app sent; rejects with {@link WebSocketClosedError} once closed. */
  async receive(): Promise<WebSocketMessage> {
    const step = await this.session.messages.next(this.timeout, 'a WebSocket message from the app');
    if (!step.done) return step.value;
    const info = await this.closeInfo();
    throw new WebSocketClosedError('receive a message', info.code, info.reason);
  }

  async receiveText(): Promise<string> {
    const message = await this.receive();
    if (message.text === undefined) {
      throw new TestUnexpectedError(
        `expected a text message, got a binary message of ${message.bytes!.length} bytes`,
      );
    }
    return message.text;
  }

  async receiveBytes(): Promise<Buffer> {
    const message = await this.receive();
    if (message.bytes === undefined) {
      throw new TestUnexpectedError(
        `expected a binary message, got a text message ${JSON.stringify(message.text)}`,
      );
    }
    return message.bytes;
  }

  /** The next message parsed as JSON (a text message, or UTF-8 bytes). */
  async receiveJson<T = unknown>(): Promise<T> {
    const message = await this.receive();
    const text = message.text ?? message.bytes!.toString('utf8');
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new TestUnexpectedError(`expected a JSON message, got ${JSON.stringify(text)}`, { cause: error });
    }
  }

  /**
   * Client-initiated close: the app gets `websocket.disconnect` with this code and reason.
   * Resolves once the app has returned; rejects with its exception under `raiseAppErrors`.
   */
  async close(code = 1000, reason = ''): Promise<void> {
    this.session.clientClose(code, reason, false);
    await this.waitForApp('the app to return after the client closed the WebSocket');
  }

  /**
   * Abrupt loss (no Close frame): the app gets `websocket.disconnect` with 1006 `client_closed`.
   * The returned promise resolves once the app has returned; awaiting it is optional.
   */
  disconnect(): Promise<void> {
    this.session.clientClose(1006, '', true);
    return quiet(this.waitForApp('the app to return after the WebSocket was dropped'));
  }

  private async waitForApp(what: string): Promise<void> {
    await withTimeout(this.session.appDone, this.timeout, what);
    if (this.session.appError && this.session.raiseAppErrors) throw this.session.appError.error;
  }

  private async closeInfo(): Promise<CloseInfo> {
    return withTimeout(this.closed, this.timeout, 'the WebSocket close');
  }

  private assertOpen(action: string): void {
    if (this.session.phase === 'open' && !this.session.clientGone) return;
    if (this.session.phase === 'connecting') {
      throw new WebSocketClosedError(action, 1006, 'not accepted');
    }
    const info = this.session.lastClose ?? { code: 1006, reason: '' };
    throw new WebSocketClosedError(action, info.code, info.reason);
  }
}
