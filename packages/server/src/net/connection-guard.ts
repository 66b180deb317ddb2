import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { DisconnectReason } from '@pagi/spec';
import { type DeadlineSlot, type DeadlineSocket, kReadSince } from '../http/deadlines.js';
import type { HeaderList } from '@pagi/spec';
import { refuse, refuseRaw } from '../http/simple-response.js';
import { headerListFrom } from '../internal/scope-base.js';
import { trustedForwardedInfo } from './proxy-headers.js';
import { readDeadlinePassed } from './read-clock.js';
import type { Logger } from '../internal/context.js';
import type { TrustedProxies } from './trusted-proxies.js';
import { now as clockNow } from '../internal/clock.js';

/** The part of a request slot (src/http/request-handler.ts) the guard reads. */
export interface GuardedSlot extends DeadlineSlot {
  readonly socket: Socket;
  current: GuardedExchange | undefined;
  foreign: unknown;
  closeAfter: boolean;
}
/** The part of an HTTP exchange the guard may end. */
export interface GuardedExchange {
  readonly req: IncomingMessage;
  readonly untouched: boolean;
  fail(reason: DisconnectReason): void;
  abort(reason: DisconnectReason): void;
}

export interface GuardSettings {
  requestReadTimeout: number;
  sendTimeout: number;
  maxConnections: number;
  maxConnectionsPerAddress: number;
}

const kGuard: unique symbol = Symbol('pagi.guard');
/** Per-socket guard state, kept on the socket (no map lookups, no closures per connection). */
type GuardSocket = DeadlineSocket & {
  [kGuard]?: ConnectionGuard;
  /** The address this socket is counted under in the per-address table. */
  pagiCountedAs?: string | undefined;
  /** A raw TLS socket whose handshake has not finished. */
  pagiHandshaking?: boolean;
  /** true once admitted (so the TLS socket and the raw one are not counted twice). */
  pagiAdmitted?: boolean;
  /** true once {@link onGuardedClose} is attached (one listener per socket, memory per idle connection). */
  pagiListening?: boolean;
  /** Bytes the kernel had taken at the last sweep, and since when nothing more was taken. */
  pagiSent?: number;
  pagiStallSince?: number;
};

const RETRY_AFTER = '5';
/** How long a refused cleartext socket may linger so the client reads its 503 before the close. */
const REFUSED_LINGER_MS = 1000;

/** The one 'close' listener the guard puts on a socket, whatever it tracks it for. */
function onGuardedClose(this: GuardSocket): void {
  const guard = this[kGuard];
  if (guard === undefined) return;
  guard.release(this);
  guard.upgraded.delete(this);
}
function listen(socket: GuardSocket): void {
  if (socket.pagiListening === true) return;
  socket.pagiListening = true;
  socket.on('close', onGuardedClose);
}
/**
 * The send-timeout fields exist from admission on, before node:http adds its own: the sweep
 * writing them for the first time later would give every live socket a new shape mid-connection,
 * and node's stream code, which sees the socket on every write, more shapes to dispatch on.
 */
function initSendClock(socket: GuardSocket): void {
  socket.pagiSent = 0;
  socket.pagiStallSince = undefined;
}
function destroyThis(this: Socket): void {
  this.destroy();
}
/** A proxied request's response ended: its forwarded client's count goes. */
const kCountedAs: unique symbol = Symbol('pagi.countedAs');
type CountedResponse = ServerResponse & { [kCountedAs]?: string; [kGuard]?: ConnectionGuard };
function onCountedResponseClose(this: CountedResponse): void {
  const address = this[kCountedAs];
  if (address === undefined) return;
  this[kCountedAs] = undefined;
  this[kGuard]?.decrement(address);
}

/**
 * Keeps slow and greedy clients from holding the server (hardening issue items 4 and 5):
 *
 * - **Admission at accept** (the TCP `connection` event, before any TLS handshake): at most
 *   `maxConnectionsPerAddress` connections per client address, and TLS handshakes in progress
 *   count toward `maxConnections`. A refused cleartext connection gets `503` + `Retry-After`
 *   without its request being read; a refused TLS connection is closed (no handshake is spent).
 *   Connections from a trusted proxy (`proxyHeaders`) are not counted per address: the proxy
 *   speaks for many clients.
 * - **Whole-request deadline** (`requestReadTimeout`): request line, headers and body must
 *   arrive within it, counted from when the connection became ready for the request.
 * - **Send timeout** (`sendTimeout`): queued response bytes that the client takes none of for
 *   that long cut the connection (`write_timeout`; `await send()` is released).
 *
 * Both timeouts are checked by one sweep timer per server over the open connections, not by a
 * timer per request or per write.
 */
export class ConnectionGuard {
  readonly upgraded = new Set<Socket>();
  private readonly handshakes = new Set<Socket>();
  private readonly perAddress = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: GuardSettings,
    private readonly slots: ReadonlySet<GuardedSlot>,
    /** Every open connection except handshakes (HTTP + upgraded): the `maxConnections` count. */
    private readonly openCount: () => number,
    private readonly proxies: TrustedProxies | undefined,
    private readonly logger: Logger,
  ) {}

  /** TLS handshakes in progress (they count toward `maxConnections`). */
  get handshaking(): number {
    return this.handshakes.size;
  }

  /**
   * A socket was accepted. `tls` true for a raw socket about to be handshaken. Returns false
   * when the socket was refused (and answered or closed here).
   */
  admit(socket: Socket, tls: boolean): boolean {
    const s = socket as GuardSocket;
    if (s.pagiAdmitted === true) return true;
    const secured = (socket as { _parent?: GuardSocket })._parent;
    if ((socket as { encrypted?: boolean }).encrypted === true && secured?.pagiAdmitted === true) {
      // The TLS socket of a connection admitted as raw TCP: it was counted then.
      this.secured(secured);
      initSendClock(s);
      s.pagiAdmitted = true;
      s[kReadSince] = clockNow();
      return true;
    }
    const o = this.settings;
    const address = socket.remoteAddress;
    if (o.maxConnectionsPerAddress > 0 && address !== undefined && this.proxies?.trusts(address) !== true) {
      if (!this.increment(address)) {
        this.refuse(socket, tls, this.overLimit(address));
        return false;
      }
      s.pagiCountedAs = address;
    }
    s[kGuard] = this;
    if (tls) {
      if (o.maxConnections > 0 && this.openCount() + this.handshakes.size + 1 > o.maxConnections) {
        this.release(s);
        this.logger.debug(`refused a TLS connection at accept: over maxConnections (${o.maxConnections})`);
        socket.destroy();
        return false;
      }
      s.pagiHandshaking = true;
      this.handshakes.add(socket);
    }
    if (s.pagiCountedAs !== undefined || tls) listen(s);
    initSendClock(s);
    s.pagiAdmitted = true;
    s[kReadSince] = clockNow();
    return true;
  }

  /**
   * Behind a trusted proxy the TCP peer is the proxy, so the per-address limit is applied here,
   * per request, to the client the proxy headers name: its in-flight requests, SSE streams and
   * WebSockets together may not exceed `maxConnectionsPerAddress`. Answers 503 and returns
   * false over it. Only installed when `proxyHeaders` and the limit are both on.
   */
  admitRequest(req: IncomingMessage, res: ServerResponse, headers: HeaderList): boolean {
    const address = this.forwardedClient(req, headers);
    if (address === undefined) return true;
    if (!this.increment(address)) {
      refuse(res, 503, this.overLimit(address), ['retry-after', RETRY_AFTER]);
      return false;
    }
    const counted = res as CountedResponse;
    counted[kCountedAs] = address;
    counted[kGuard] = this;
    res.once('close', onCountedResponseClose);
    return true;
  }

  /**
   * {@link admitRequest} for an HTTP/2 stream (a request, SSE stream or WebSocket): a proxied
   * HTTP/2 connection carries many clients at once, so each stream counts under the client its
   * proxy headers name until the stream closes. Returns the refusal text over the limit (the
   * caller answers 503 on the stream), else undefined.
   */
  admitStream(
    stream: NodeJS.EventEmitter,
    peer: string | undefined,
    headers: HeaderList,
  ): string | undefined {
    if (this.proxies === undefined) return undefined;
    const address = trustedForwardedInfo(this.proxies, peer === undefined ? undefined : [peer, 0], headers)
      ?.client?.[0];
    if (address === undefined) return undefined;
    if (!this.increment(address)) return this.overLimit(address);
    const counted = stream as unknown as CountedResponse;
    counted[kCountedAs] = address;
    counted[kGuard] = this;
    stream.on('close', onCountedResponseClose); // fires once; no wrapper closure per stream
    return undefined;
  }

  /** {@link admitRequest} for a WebSocket upgrade: counted until the socket closes. */
  admitUpgrade(req: IncomingMessage, socket: Socket): string | undefined {
    if (this.proxies === undefined || this.settings.maxConnectionsPerAddress <= 0) return undefined;
    const address = this.forwardedClient(req, headerListFrom(req.rawHeaders));
    if (address === undefined) return undefined;
    if (!this.increment(address)) return this.overLimit(address);
    const s = socket as GuardSocket;
    s.pagiCountedAs = address;
    s[kGuard] = this;
    listen(s);
    return undefined;
  }

  private forwardedClient(req: IncomingMessage, headers: HeaderList): string | undefined {
    if (this.proxies === undefined) return undefined;
    const peer = req.socket.remoteAddress;
    return trustedForwardedInfo(this.proxies, peer === undefined ? undefined : [peer, 0], headers)
      ?.client?.[0];
  }

  private overLimit(address: string): string {
    this.logger.debug(
      `refused a request from ${address}: over maxConnectionsPerAddress (${this.settings.maxConnectionsPerAddress})`,
    );
    return `too many connections from your address (limit ${this.settings.maxConnectionsPerAddress})`;
  }

  private increment(address: string): boolean {
    const n = (this.perAddress.get(address) ?? 0) + 1;
    if (n > this.settings.maxConnectionsPerAddress) return false;
    this.perAddress.set(address, n);
    return true;
  }

  decrement(address: string): void {
    const n = (this.perAddress.get(address) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(address);
    else this.perAddress.set(address, n);
  }

  /** The handshake of `raw` finished: it now counts as an HTTP connection. */
  private secured(raw: GuardSocket): void {
    if (raw.pagiHandshaking !== true) return;
    raw.pagiHandshaking = false;
    this.handshakes.delete(raw);
  }

  /** The socket closed: its per-address and handshake counts go. */
  release(socket: Socket): void {
    const s = socket as GuardSocket;
    const address = s.pagiCountedAs;
    if (address !== undefined) {
      s.pagiCountedAs = undefined;
      this.decrement(address);
    }
    this.secured(s);
  }

  private refuse(socket: Socket, tls: boolean, detail: string): void {
    socket.on('error', destroyThis);
    if (tls) {
      socket.destroy();
      return;
    }
    // Answer without reading the request, keep discarding what the client sends until it has
    // had time to read the answer (closing with unread input would reset the connection and
    // could wipe the 503 from the client's receive buffer), then close.
    socket.end(
      'HTTP/1.1 503 Service Unavailable\r\n' +
        `Date: ${new Date().toUTCString()}\r\n` +
        `Retry-After: ${RETRY_AFTER}\r\n` +
        'Content-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(detail) + 1}\r\n` +
        'Connection: close\r\n\r\n' +
        `${detail}\n`,
    );
    socket.resume();
    socket.setTimeout(REFUSED_LINGER_MS, destroyThis);
    socket.once('end', destroyThis);
  }

  /** A socket became a WebSocket: only the send timeout applies to it from now on. */
  trackUpgraded(socket: Socket): void {
    if (this.settings.sendTimeout <= 0) return;
    (socket as GuardSocket)[kGuard] = this;
    this.upgraded.add(socket);
    listen(socket as GuardSocket);
  }

  /** Starts the sweep (when a timeout is on). */
  start(): void {
    const { requestReadTimeout: read, sendTimeout: send } = this.settings;
    const smallest = Math.min(read > 0 ? read : Infinity, send > 0 ? send : Infinity);
    if (smallest === Infinity || this.timer !== undefined) return;
    // A quarter of the shortest timeout, between 25 ms and 1 s: a timeout fires at most ~25 %
    // late, and a server with default settings wakes once a second.
    const every = Math.max(25, Math.min(1000, Math.floor(smallest / 4)));
    this.timer = setInterval(() => this.sweep(), every);
    this.timer.unref();
  }

  /** Stops the sweep and drops handshakes still in progress (graceful stop). */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    for (const socket of this.handshakes) socket.destroy();
  }

  /** One pass over every connection: whole-request deadlines, then stalled sends. */
  sweep(): void {
    const now = clockNow();
    const { requestReadTimeout: read, sendTimeout: send } = this.settings;
    for (const slot of this.slots) {
      if (read > 0 && this.readExpired(slot, now, read)) continue;
      if (send > 0) this.checkSend(slot.socket as GuardSocket, slot, now, send);
    }
    if (send > 0)
      for (const socket of this.upgraded) this.checkSend(socket as GuardSocket, undefined, now, send);
  }

  /** true when the slot's request ran past its deadline (and was ended here). */
  private readExpired(slot: GuardedSlot, now: number, limit: number): boolean {
    if (slot.foreign !== undefined) return false; // an SSE stream: its request is complete
    const ex = slot.current;
    const req = ex?.req;
    const socket = slot.socket as GuardSocket;
    if (req?.complete) return false;
    // Paused while bytes wait for the app (src/net/read-clock.ts, shared with HTTP/2).
    if (!readDeadlinePassed(slot, req, now, limit)) return false;
    slot.closeAfter = true;
    this.logger.debug(`request not received within requestReadTimeout (${limit} ms); closing`);
    if (ex === undefined || ex.untouched) {
      if (socket.writable) {
        refuseRaw(socket, 408, `request not received within ${limit} ms`);
        socket.once('finish', destroyThis);
      } else socket.destroy();
      ex?.fail('client_timeout');
    } else ex.abort('client_timeout');
    return true;
  }

  /**
   * Progress is what the kernel has taken: `bytesWritten` counts bytes handed to the socket,
   * `writableLength` what is still queued in it, so their difference only grows while the client
   * reads. Unchanged with bytes queued for `limit` ms → the client stopped reading.
   */
  private checkSend(socket: GuardSocket, slot: GuardedSlot | undefined, now: number, limit: number): void {
    const queued = socket.writableLength;
    if (queued === 0) {
      socket.pagiStallSince = undefined;
      return;
    }
    const sent = socket.bytesWritten - queued;
    if (socket.pagiStallSince === undefined || socket.pagiSent !== sent) {
      socket.pagiSent = sent;
      socket.pagiStallSince = now;
      return;
    }
    if (now - socket.pagiStallSince < limit) return;
    socket.pagiStallSince = undefined;
    this.logger.debug(`client took no response bytes for sendTimeout (${limit} ms); closing`);
    const ex = slot?.current;
    if (ex !== undefined) ex.abort('write_timeout');
    else socket.destroy();
  }
}
