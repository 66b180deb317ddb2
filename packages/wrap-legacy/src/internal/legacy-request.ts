import { IncomingMessage } from 'node:http';
import type { HttpScope, Receive, ReceiveEvent } from '@pagi/spec';
import type { BridgeSocket } from './bridge-socket.js';
import { fullTarget, relativeTarget } from './request-target.js';

/**
 * A real `http.IncomingMessage` (so Express's and Koa's prototype tricks work) whose body is
 * pulled from `receive()` one event at a time: `_read()` asks for the next `http.request` only
 * when the stream wants more, so a handler that stops reading stops the reads (backpressure)
 * and nothing is buffered beyond the stream's high-water mark.
 */
export class LegacyRequest extends IncomingMessage {
  /** Express reads it when set; it is the URL before the mount prefix was removed. */
  originalUrl: string;
  #receive: Receive<'http'>;
  #reading = false;
  #onDisconnect: () => void;

  constructor(socket: BridgeSocket, scope: HttpScope, receive: Receive<'http'>, onDisconnect: () => void) {
    super(socket as never);
    this.#receive = receive;
    this.#onDisconnect = onDisconnect;
    this.method = scope.method;
    this.url = relativeTarget(scope);
    this.originalUrl = fullTarget(scope);
    const version = scope.http_version;
    this.httpVersion = version === '2' ? '2.0' : version;
    this.httpVersionMajor = version === '1.0' || version === '1.1' ? 1 : Number.parseInt(version, 10) || 1;
    this.httpVersionMinor = version === '1.0' ? 0 : version === '1.1' ? 1 : 0;
    const raw: string[] = [];
    for (const [name, value] of scope.headers) raw.push(name, value);
    // Node's lazy `headers`/`headersDistinct` getters count what this call records.
    (this as unknown as { _addHeaderLines(h: string[], n: number): void })._addHeaderLines(raw, raw.length);
    // Own property: Express replaces the prototype of `req` with its own (see LegacyResponse).
    this._read = LegacyRequest.prototype._read;
  }

  override _read(): void {
    if (this.#reading) return;
    this.#reading = true;
    this.#receive().then(this.#onEvent, this.#onError);
  }

  readonly #onEvent = (event: ReceiveEvent<'http'>): void => {
    this.#reading = false;
    if (this.destroyed) return;
    if (event.type === 'http.request') {
      const body = event.body;
      let wantsMore = true;
      if (body !== undefined && body.byteLength > 0)
        wantsMore = this.push(
          Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        );
      if (event.more !== true) {
        this.complete = true;
        this.push(null);
      } else if (wantsMore) {
        this._read();
      }
      return;
    }
    // http.disconnect before the body ended: the client is gone.
    this.#onDisconnect();
  };

  readonly #onError = (error: unknown): void => {
    this.#reading = false;
    this.destroy(error instanceof Error ? error : new Error(String(error)));
  };
}

/** The error a Node server gives a request whose client vanished mid-body. */
export function abortedError(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}
