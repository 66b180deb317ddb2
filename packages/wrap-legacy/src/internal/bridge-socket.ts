import { EventEmitter } from 'node:events';
import type { HttpScope } from '@pagi/spec';

/**
 * The `req.socket` / `res.socket` a wrapped Node handler sees. It carries the addresses from the
 * scope (`req.socket.remoteAddress`, Express's `req.ip`, `req.protocol` through `encrypted`) and
 * the `close`/`error` events that `on-finished` and friends listen to. It moves no bytes: the
 * request body comes from `receive()` and the response goes to `send()`.
 */
export class BridgeSocket extends EventEmitter {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly remoteFamily: string | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  /** Set only for https, as on a `TLSSocket`: Express reads `req.connection.encrypted`. */
  readonly encrypted: true | undefined;
  readable = true;
  writable = true;
  destroyed = false;
  readonly writableLength = 0;
  readonly readableHighWaterMark = 16384;
  /** `res.write()` returns false once this many bytes wait for `send()` (Node's default). */
  readonly writableHighWaterMark = 16384;
  /** Called by `destroy()`: the bridge aborts the response. */
  onDestroy: ((error?: Error) => void) | undefined;

  constructor(scope: HttpScope) {
    super();
    const client = scope.client;
    this.remoteAddress = client?.[0];
    this.remotePort = client?.[1];
    this.remoteFamily = client === undefined ? undefined : client[0].includes(':') ? 'IPv6' : 'IPv4';
    const server = scope.server;
    this.localAddress = server?.[0];
    this.localPort = server?.[1] ?? undefined;
    this.encrypted = scope.scheme === 'https' ? true : undefined;
  }

  address(): { address: string; family: string; port: number } | Record<string, never> {
    if (this.localAddress === undefined) return {};
    return {
      address: this.localAddress,
      family: this.localAddress.includes(':') ? 'IPv6' : 'IPv4',
      port: this.localPort ?? 0,
    };
  }

  /** Marks the socket gone and emits `close` once (client disconnect or abort). */
  markClosed(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.readable = false;
    this.writable = false;
    this.emit('close', false);
  }

  destroy(error?: Error): this {
    if (!this.destroyed) this.onDestroy?.(error);
    return this;
  }

  destroySoon(): void {
    this.destroy();
  }
  end(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  cork(): void {}
  uncork(): void {}
}
