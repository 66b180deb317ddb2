/**
 * A `websocket` session relayed to the backend with the `ws` client: the backend handshake
 * happens before the client is accepted (its subprotocol choice and refusals pass through),
 * then frames flow both ways as they are (text stays text, binary stays binary) and close
 * codes cross over. Backpressure both ways: the backend socket is paused while frames wait for
 * the client, and the client is not read while the backend's send buffer is over its mark.
 */
import type { IncomingMessage } from 'node:http';
import {
  CloseCode,
  type HeaderList,
  isSendableCloseCode,
  type Receive,
  type ReceiveEvent,
  type Send,
  type WebSocketScope,
  type WebSocketSendEvent,
  withoutHopByHop,
} from '@pagi/spec';
import { respond, statusPhrase } from '@pagi/spec/middleware';
import WebSocket from 'ws';
import { type Backend, upstreamPath } from './backend.js';
import type { ProxyContext } from './context.js';
import { upstreamHeaders } from './request-headers.js';
import { gatewayStatus } from './upstream-errors.js';

/** Bytes queued towards the backend past which the client is not read until they are written. */
const HIGH_WATER = 1024 * 1024;

type Handshake =
  | { kind: 'open'; headers: HeaderList }
  | { kind: 'refused'; status: number; headers: HeaderList; body: Buffer }
  | { kind: 'failed'; error: unknown }
  | { kind: 'client-gone' };

/** Response header fields that describe the handshake itself, not the application. */
function relayableHeaders(res: IncomingMessage): HeaderList {
  const list: HeaderList = [];
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name.startsWith('sec-websocket-')) continue;
    list.push([name, raw[i + 1]!]);
  }
  return withoutHopByHop(list);
}

function handshake(socket: WebSocket, maxBody: number): Promise<Handshake> {
  return new Promise((resolve) => {
    let headers: HeaderList = [];
    socket.once('upgrade', (res: IncomingMessage) => {
      headers = relayableHeaders(res);
    });
    socket.once('open', () => resolve({ kind: 'open', headers }));
    socket.once('unexpected-response', (_req, res: IncomingMessage) => {
      // The backend refused the upgrade with an ordinary response: pass it on, body bounded.
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size <= maxBody) chunks.push(chunk);
      });
      res.on('end', () => {
        socket.terminate();
        if (size > maxBody) {
          resolve({
            kind: 'failed',
            error: new Error(`the backend's refusal body is larger than ${maxBody} bytes`),
          });
        } else {
          resolve({
            kind: 'refused',
            status: res.statusCode ?? 502,
            headers: relayableHeaders(res),
            body: Buffer.concat(chunks),
          });
        }
      });
      res.on('error', (error) => resolve({ kind: 'failed', error }));
    });
    socket.on('error', (error) => {
      const timeout = /handshake has timed out/i.test(error.message);
      resolve({
        kind: 'failed',
        error: timeout ? Object.assign(error, { code: 'PROXY_WS_HANDSHAKE_TIMEOUT' }) : error,
      });
    });
  });
}

/** The code the client gets when the backend closed with `code` (1005/1006 cannot be sent). */
function clientCloseCode(code: number): number | undefined {
  if (isSendableCloseCode(code)) return code;
  if (code === CloseCode.noStatus) return undefined; // a plain close
  return CloseCode.badGateway; // the backend dropped without a closing handshake
}

export async function proxyWebSocket(
  ctx: ProxyContext,
  backend: Backend,
  scope: WebSocketScope,
  receive: Receive,
  send: Send,
): Promise<void> {
  const first = await receive();
  if (first.type !== 'websocket.connect') return;
  const path = upstreamPath(scope, backend);
  if (path === undefined)
    return respond(scope, send, 400, { body: 'Bad Request: expected an origin-form request target (/path)' });
  const headers: Record<string, string> = {};
  for (const [name, value] of upstreamHeaders(scope, backend, ctx.options, true)) {
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const socket = new WebSocket(backend.wsOrigin + path, scope.subprotocols, {
    headers,
    perMessageDeflate: false,
    followRedirects: false,
    maxPayload: ctx.options.maxWebSocketMessageSize,
    handshakeTimeout: ctx.options.connectTimeout + ctx.options.headersTimeout,
  });
  socket.binaryType = 'nodebuffer';
  // Before accept only a disconnect can arrive; after, this same pending receive() (D-15) brings
  // the client's first frame, so the relay starts from it.
  const pending = receive();
  const clientGone = pending.then((): Handshake => ({ kind: 'client-gone' }));
  const result = await Promise.race([handshake(socket, ctx.options.maxRefusalBodySize), clientGone]);
  if (result.kind === 'client-gone') {
    socket.terminate();
    return;
  }
  if (result.kind === 'failed') {
    socket.terminate();
    ctx.options.onError(result.error, scope);
    const status = gatewayStatus(result.error);
    return respond(scope, send, status, { body: statusPhrase(status) });
  }
  if (result.kind === 'refused') {
    return respond(scope, send, result.status, {
      headers: result.headers.filter((h) => h[0] !== 'content-length'),
      body: result.body,
    });
  }
  await send({
    type: 'websocket.accept',
    subprotocol: socket.protocol === '' ? undefined : socket.protocol,
    headers: result.headers,
  });
  await new Relay(socket, send, receive).run(pending);
}

/** The accepted session: two pumps, one per direction, ending together. */
class Relay {
  private readonly queue: WebSocketSendEvent[] = [];
  private pumping = false;
  private backendClosed = false;
  private closeEvent: { code: number | undefined; reason: string } | undefined;
  private clientDone = false;
  private finished!: () => void;

  constructor(
    private readonly socket: WebSocket,
    private readonly send: Send,
    private readonly receive: Receive,
  ) {}

  run(first: Promise<ReceiveEvent>): Promise<void> {
    const done = new Promise<void>((resolve) => {
      this.finished = resolve;
    });
    this.socket.on('message', (data: Buffer, isBinary: boolean) => this.fromBackend(data, isBinary));
    this.socket.on('close', (code: number, reason: Buffer) => this.backendClose(code, reason.toString()));
    this.socket.on('error', () => {
      // 'close' (1006) follows every error; the close handler answers the client.
    });
    void this.fromClient(first);
    return done;
  }

  private fromBackend(data: Buffer, isBinary: boolean): void {
    this.queue.push(
      isBinary
        ? { type: 'websocket.send', bytes: data }
        : { type: 'websocket.send', text: data.toString('utf8') },
    );
    if (!this.pumping) void this.pump();
  }

  /** Sends queued frames in order, then a pending close; the backend is paused meanwhile. */
  private async pump(): Promise<void> {
    this.pumping = true;
    this.socket.pause();
    try {
      while (this.queue.length > 0) await this.send(this.queue.shift()!);
      if (this.closeEvent !== undefined) {
        const { code, reason } = this.closeEvent;
        this.closeEvent = undefined;
        await this.send({ type: 'websocket.close', code, reason });
      }
    } catch {
      // The client is gone; its disconnect event ends the other direction.
      this.queue.length = 0;
    } finally {
      this.pumping = false;
      if (!this.backendClosed) this.socket.resume();
    }
  }

  private backendClose(code: number, reason: string): void {
    this.backendClosed = true;
    if (this.clientDone) {
      this.finished();
      return;
    }
    const mapped = clientCloseCode(code);
    this.closeEvent = {
      code: mapped,
      reason: mapped === undefined || mapped === CloseCode.badGateway ? '' : reason,
    };
    if (!this.pumping) void this.pump();
  }

  private async fromClient(first: Promise<ReceiveEvent>): Promise<void> {
    const socket = this.socket;
    let next = first;
    for (;;) {
      const event = (await next) as ReceiveEvent<'websocket'>;
      if (event.type === 'websocket.receive') {
        const binary = event.bytes !== undefined;
        const data = binary ? event.bytes : event.text;
        if (socket.readyState === WebSocket.OPEN) {
          // Over the mark: wait until this frame is written before reading the client again.
          if (socket.bufferedAmount > HIGH_WATER) {
            await new Promise<void>((resolve) => socket.send(data, { binary }, () => resolve()));
          } else {
            socket.send(data, { binary });
          }
        }
        next = this.receive();
        continue;
      }
      if (event.type !== 'websocket.disconnect') {
        next = this.receive();
        continue;
      }
      this.clientDone = true;
      if (this.backendClosed) {
        this.finished();
        return;
      }
      // The client's code crosses over; a drop without a handshake becomes 1001 (going away).
      if (isSendableCloseCode(event.code)) socket.close(event.code, event.reason);
      else if (event.code === CloseCode.noStatus) socket.close();
      else socket.close(CloseCode.goingAway);
      return;
    }
  }
}
