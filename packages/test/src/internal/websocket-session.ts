import {
  type App,
  type HeaderList,
  type ReceiveEvent,
  type SendValidator,
  SETTLED,
  type WebSocketScope,
  createSendValidator,
  parseSubprotocols,
  toBytes,
} from '@pagi/spec';
import { randomBytes } from 'node:crypto';
import type { WebSocketOptions } from '../options.js';
import { AppInbox } from './app-inbox.js';
import { AsyncQueue } from './async-queue.js';
import type { ClientConfig } from './config.js';
import { createTransportState } from './connection-state.js';
import { type Deferred, createDeferred } from './deferred.js';
import { allHeaders } from './headers.js';
import { baseScope } from './scope.js';
import { sharedReceive } from './shared-receive.js';
import { appendAnswer, type BufferedAnswer, startAnswer } from './buffered-answer.js';

/** How the app answered `websocket.connect`. */
export type HandshakeResult =
  | { accepted: true; subprotocol: string | undefined; headers: HeaderList }
  | { accepted: false; denial: { status: number; headers: HeaderList; body: Buffer } };

/** One message the app sent over an accepted WebSocket. */
export interface WebSocketMessage {
  text?: string;
  bytes?: Buffer;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

type WsPhase = 'connecting' | 'denying' | 'open' | 'closed';

/**
 * One in-process WebSocket connection, playing the server: `websocket.connect` first, the client's
 * messages after accept, then a terminal `websocket.disconnect` that repeats (protocol.md §4.2,
 * §5.2). Every `send()` is checked by the spec validator; after the client is gone it is a no-op.
 */
export class WebSocketSession {
  readonly scope: WebSocketScope;
  readonly events: object[] = [];
  readonly handshake: Deferred<HandshakeResult> = createDeferred<HandshakeResult>();
  /** Messages from the app to the test. */
  readonly messages = new AsyncQueue<WebSocketMessage>();
  /** How the connection closed, as the test client saw it. */
  readonly closed: Deferred<CloseInfo> = createDeferred<CloseInfo>();
  readonly appDone: Promise<void>;
  appError: { error: unknown } | undefined;
  phase: WsPhase = 'connecting';
  /** The test side closed or dropped the connection. */
  clientGone = false;

  private readonly inbox = new AppInbox<ReceiveEvent<'websocket'>>();
  private readonly validator: SendValidator;
  readonly raiseAppErrors: boolean;
  /** The close the test side observed last (for error messages). */
  lastClose: CloseInfo | undefined;
  private denial: BufferedAnswer | undefined;

  constructor(
    app: App,
    config: ClientConfig,
    state: Record<string, unknown>,
    path: string,
    opts: WebSocketOptions,
  ) {
    this.raiseAppErrors = config.raiseAppErrors;
    const extra: HeaderList = [
      ['upgrade', 'websocket'],
      ['connection', 'Upgrade'],
      ['sec-websocket-key', randomBytes(16).toString('base64')],
      ['sec-websocket-version', '13'],
    ];
    if (opts.subprotocols && opts.subprotocols.length > 0) {
      extra.push(['sec-websocket-protocol', opts.subprotocols.join(', ')]);
    }
    const base = baseScope(config, state, {
      path,
      query: opts.query,
      headers: opts.headers,
      scheme: config.scheme === 'https' ? 'wss' : 'ws',
      extra,
    });
    this.scope = {
      type: 'websocket',
      ...base,
      subprotocols: parseSubprotocols(allHeaders(base.headers, 'sec-websocket-protocol')),
      extensions: { 'websocket.http.response': {}, ...config.extensions },
      'pagi.transport': createTransportState(),
    };
    this.validator = createSendValidator(this.scope);
    this.inbox.push({ type: 'websocket.connect' });
    // Rejections here are always read through the client's own calls; never crash on them.
    this.handshake.promise.catch(() => {});
    this.closed.promise.catch(() => {});
    const receive = sharedReceive(() => this.inbox.take());
    const send = (event: unknown) => this.send(event);
    this.appDone = Promise.resolve()
      .then(() => app(this.scope, receive, send))
      .then(
        () => this.onAppSettled(undefined),
        (error: unknown) => this.onAppSettled({ error }),
      );
  }

  /** A message from the test to the app. */
  clientSend(message: { text: string } | { bytes: Buffer }): void {
    this.inbox.push({ type: 'websocket.receive', ...message } as ReceiveEvent<'websocket'>);
  }

  /**
   * The test ends the connection: with a Close frame (`code`/`reason` reach the app as sent) or
   * abruptly (the app sees 1006 `client_closed`, the test sees 1006).
   */
  clientClose(code: number, reason: string, abrupt: boolean): void {
    if (this.clientGone || this.phase === 'closed') return;
    this.clientGone = true;
    this.phase = 'closed';
    this.inbox.terminate({
      type: 'websocket.disconnect',
      code,
      reason: abrupt ? 'client_closed' : reason,
    });
    this.resolveClosed({ code, reason: abrupt ? '' : reason });
    this.messages.end();
  }

  /**
   * The app's `send()`: every event is handled synchronously, so it returns @pagi/spec's shared
   * `SETTLED` as the server does; a refused event returns a rejected promise, never a throw.
   */
  private send(event: unknown): Promise<void> {
    try {
      this.accept(event);
      return SETTLED;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private accept(event: unknown): void {
    // D-6: the peer is gone; the app learns it from websocket.disconnect.
    if (this.clientGone) return;
    const verdict = this.validator.check(event);
    const ev = event as Record<string, unknown> & { type: string };
    this.events.push({ ...ev });
    if (verdict === 'ignore') return;
    switch (ev.type) {
      case 'websocket.accept': {
        this.phase = 'open';
        const headers = ((ev.headers as HeaderList | undefined) ?? []).map(([n, v]): [string, string] => [
          n,
          v,
        ]);
        this.handshake.resolve({
          accepted: true,
          subprotocol: ev.subprotocol as string | undefined,
          headers,
        });
        return;
      }
      case 'websocket.send': {
        if (typeof ev.text === 'string') this.messages.push({ text: ev.text });
        else this.messages.push({ bytes: Buffer.from(toBytes(ev.bytes as Uint8Array | string)) });
        return;
      }
      case 'websocket.close': {
        const code = (ev.code as number | undefined) ?? 1000;
        const reason = (ev.reason as string | undefined) ?? '';
        if (this.phase === 'connecting') {
          // Close before accept: the handshake is refused with a bare 403 (protocol.md §4.2.6).
          this.deny(403, [], []);
        } else {
          // The client answers the Close frame with the same code and reason, as `ws` does.
          this.phase = 'closed';
          this.inbox.terminate({ type: 'websocket.disconnect', code, reason });
          this.resolveClosed({ code, reason });
          this.messages.end();
        }
        return;
      }
      case 'websocket.http.response.start':
        this.phase = 'denying';
        this.denial = startAnswer(ev);
        return;
      case 'websocket.http.response.body': {
        const denial = this.denial!;
        if (appendAnswer(denial, ev)) this.deny(denial.status, denial.headers, denial.parts);
        return;
      }
      default:
        // websocket.keepalive: pings are answered by any client; nothing to emulate in-process.
        return;
    }
  }

  private resolveClosed(info: CloseInfo): void {
    this.lastClose ??= info;
    this.closed.resolve(info);
  }

  /** The handshake ends in an HTTP response; the app gets 1006 if it keeps reading (§4.3 [TS]). */
  private deny(status: number, headers: HeaderList, parts: Buffer[]): void {
    this.phase = 'closed';
    this.handshake.resolve({ accepted: false, denial: { status, headers, body: Buffer.concat(parts) } });
    this.inbox.terminate({ type: 'websocket.disconnect', code: 1006, reason: '' });
    this.resolveClosed({ code: 1006, reason: '' });
    this.messages.end();
  }

  private onAppSettled(outcome: { error: unknown } | undefined): void {
    this.appError = outcome;
    const raise = outcome !== undefined && this.raiseAppErrors;
    if (this.phase === 'connecting' || this.phase === 'denying') {
      if (raise) {
        this.phase = 'closed';
        this.handshake.reject(outcome.error);
        this.closed.reject(outcome.error);
        this.messages.fail(outcome.error);
        this.inbox.terminate({ type: 'websocket.disconnect', code: 1006, reason: 'server_error' });
      } else if (this.phase === 'denying') {
        // A denial begun but not finished: send what the app gave.
        const d = this.denial!;
        this.deny(d.status, d.headers, d.parts);
      } else {
        // D-12: no answer to the handshake → 500.
        this.deny(
          500,
          [['content-type', 'text/plain; charset=utf-8']],
          [Buffer.from('Internal Server Error\n')],
        );
      }
      return;
    }
    if (this.phase === 'open') {
      // The app returned with the socket open: the server closes it, 1011 after an exception.
      this.phase = 'closed';
      const code = outcome ? 1011 : 1000;
      this.inbox.terminate({ type: 'websocket.disconnect', code, reason: '' });
      if (raise) {
        this.closed.reject(outcome.error);
        this.messages.fail(outcome.error);
      } else {
        this.resolveClosed({ code, reason: '' });
        this.messages.end();
      }
    }
  }
}
