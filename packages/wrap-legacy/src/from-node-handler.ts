import type { IncomingMessage, ServerResponse } from 'node:http';
import { type App, type HttpScope, type Receive, type Send, UnsupportedScopeError } from '@pagi/spec';
import { WrapLegacyError } from './errors.js';
import { BridgeSocket } from './internal/bridge-socket.js';
import { LegacyRequest, abortedError } from './internal/legacy-request.js';
import { LegacyResponse, type ResponseOwner } from './internal/legacy-response.js';
import { type LegacyLogger, consoleLogger } from './logger.js';

/** A Node request listener: Express and Connect apps, Koa's `app.callback()`, plain handlers. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** Options of {@link fromNodeHandler}. */
export interface FromNodeHandlerOptions {
  /** Where handler errors are reported. Default `console.error`. */
  logger?: LegacyLogger;
}

/**
 * Runs a Node `(req, res)` handler as a PAGI `http` app. `req` is a real `IncomingMessage` whose
 * body is read from `receive()` on demand; `res` is a real `ServerResponse` whose output becomes
 * `send()` events, with backpressure both ways. `req.url` is relative to the mount
 * (`root_path`), `req.originalUrl` is the full target.
 *
 * A handler that throws or rejects gets a 500 when nothing was sent yet, and has its response
 * aborted otherwise (D-12); both are logged. When the client goes away, `req` and `res` emit
 * `close` (and `req` `aborted`) and the app returns, even if the handler never ends `res`.
 *
 * @throws UnsupportedScopeError for scopes other than `http` (mount it on an HTTP route only).
 * @example
 * import express from 'express';
 * const web = express();
 * web.get('/', (req, res) => res.send('hello'));
 * export default fromNodeHandler(web);
 */
export function fromNodeHandler(handler: NodeHandler, options?: FromNodeHandlerOptions): App {
  if (typeof handler !== 'function')
    throw new TypeError(`fromNodeHandler: expected a (req, res) function, got ${typeof handler}`);
  const logger = options?.logger ?? consoleLogger;
  return function nodeHandlerApp(scope, receive, send) {
    if (scope.type !== 'http') throw new UnsupportedScopeError(scope.type);
    return new NodeBridge(scope, receive as Receive<'http'>, send as Send<'http'>, logger).run(handler);
  };
}

/** One request through a Node handler; settles the app's promise exactly once. */
class NodeBridge implements ResponseOwner {
  readonly #socket: BridgeSocket;
  readonly #req: LegacyRequest;
  readonly #res: LegacyResponse;
  readonly #logger: LegacyLogger;
  #settled = false;
  #resolve!: () => void;
  #reject!: (error: unknown) => void;

  constructor(scope: HttpScope, receive: Receive<'http'>, send: Send<'http'>, logger: LegacyLogger) {
    this.#logger = logger;
    this.#socket = new BridgeSocket(scope);
    this.#socket.onDestroy = this.#onSocketDestroy;
    this.#req = new LegacyRequest(this.#socket, scope, receive, this.clientGone);
    this.#res = new LegacyResponse(
      this.#req,
      this.#socket,
      send,
      this,
      scope.extensions.fullflush !== undefined,
    );
    scope['pagi.connection']?.on_disconnect(this.clientGone);
  }

  run(handler: NodeHandler): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    try {
      const result = handler(this.#req, this.#res as unknown as ServerResponse);
      if (result !== null && typeof (result as Promise<unknown>)?.then === 'function')
        (result as Promise<unknown>).then(undefined, this.#onHandlerError);
    } catch (error) {
      this.#onHandlerError(error);
    }
    return done;
  }

  finished(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve();
  }

  failed(error: unknown): void {
    this.#fail(error, 'send() rejected an event from the Node handler');
  }

  /** The client went away: end everything the handler holds, let the app return (§5.5). */
  readonly clientGone = (): void => {
    if (this.#settled) return;
    this.#settled = true;
    LegacyResponse.kill(this.#res);
    // The socket first: a request destroyed over a live socket would try to destroy it too.
    this.#socket.markClosed();
    const req = this.#req;
    if (!req.readableEnded) req.destroy(abortedError());
    process.nextTick(emitClose, this.#res);
    this.#resolve();
  };

  readonly #onHandlerError = (error: unknown): void => {
    this.#fail(error, 'the Node handler threw');
  };

  readonly #onSocketDestroy = (error?: Error): void => {
    this.#fail(
      error ?? new Error('the handler destroyed the response'),
      'the Node handler destroyed its socket',
    );
  };

  #fail(cause: unknown, what: string): void {
    if (this.#settled) return;
    const error = new WrapLegacyError('PAGI_ERR_LEGACY_HANDLER', `${what}: ${messageOf(cause)}`, { cause });
    this.#logger(error.message, error);
    const res = this.#res;
    if (!LegacyResponse.started(res)) {
      // Nothing reached the client yet: answer 500 (D-12); finished() then lets the app return.
      LegacyResponse.sendInternalError(res);
      return;
    }
    this.#settled = true;
    LegacyResponse.kill(res);
    this.#socket.markClosed();
    process.nextTick(emitClose, res);
    // Started but not finished: rejecting makes the server abort the response (D-12).
    this.#reject(error);
  }
}

function emitClose(res: LegacyResponse): void {
  res.emit('close');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
