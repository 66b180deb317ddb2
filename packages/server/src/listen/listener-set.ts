import { unlinkSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { TlsMaterial } from '../tls/secure-context.js';
import type { ListenSpec } from './listen-spec.js';
import { unixPathOfFd } from './fd-path.js';
import { listenUnix } from './unix-socket.js';

const unixPaths = new WeakMap<net.Socket, string>();

/**
 * The path of the Unix listener that accepted `socket`, for `scope.server = [path, null]`.
 * (node:http overwrites `socket.server` with itself, so the listener cannot be found from it.)
 *
 * @example
 * unixListenerPath(req.socket); // '/run/app.sock'
 */
export function unixListenerPath(socket: net.Socket): string | undefined {
  return unixPaths.get(socket);
}

/** Where one listener ended up. */
export type BoundAddress =
  | { kind: 'tcp'; host: string; port: number; tls: boolean }
  | { kind: 'unix'; path: string };

export interface ListenerSetOptions {
  specs: ListenSpec[];
  backlog: number;
  /** Mode for every Unix socket this process binds. Default: what the umask gives. */
  socketMode?: number | undefined;
  /** TLS for every listener that is not a Unix socket (Unix sockets stay cleartext, like upstream). */
  tls?: TlsMaterial | undefined;
  /**
   * true in a cluster worker: every `listen()` is routed to the master, which binds (and, for
   * Unix sockets, owns the file and its mode), so nothing is unlinked or chmod-ed here.
   */
  shared?: boolean | undefined;
  /** Receives every accepted (and, for TLS listeners, handshaken) socket. */
  onConnection(socket: net.Socket): void;
  /**
   * Sees every raw socket at accept, before any TLS handshake; returning false drops it (the
   * hook has already answered or closed it). This is where connection limits count a TLS
   * connection from its TCP connect rather than from its finished handshake.
   */
  onAccept?(socket: net.Socket, tls: boolean): boolean;
  /** Handshake failures are the client's problem: logged at debug, never fatal (§1.8). */
  onTlsError?(error: Error): void;
}

/**
 * Several listeners feeding one connection handler (the HTTP server), so `--listen` can be
 * repeated. TLS listeners share one `tls.Server` that never listens itself: every raw socket is
 * handed to it, so the whole process uses a single SecureContext and `reloadTls()` swaps it for
 * every listener at once.
 *
 * @example
 * const set = new ListenerSet({ specs, backlog: 511, onConnection: (s) => http.emit('connection', s) });
 * const addresses = await set.listen();
 */
export class ListenerSet {
  readonly #options: ListenerSetOptions;
  readonly #servers: net.Server[] = [];
  readonly #ownedPaths: string[] = [];
  #tlsFront: tls.Server | undefined;
  #addresses: BoundAddress[] = [];

  constructor(options: ListenerSetOptions) {
    this.#options = options;
  }

  /** Where each listener is bound, in spec order. Empty before `listen()`. */
  get addresses(): readonly BoundAddress[] {
    return this.#addresses;
  }

  /** Binds (or adopts) every listener. Rejects with the first bind error after closing the others. */
  async listen(): Promise<BoundAddress[]> {
    const o = this.#options;
    if (o.tls !== undefined) {
      const { handshakeTimeout, ...server } = o.tls.server;
      this.#tlsFront = tls.createServer({
        ...o.tls.context,
        ...server,
        // node treats 0 as "use the default" (120 s); "off" is the largest timer node accepts.
        handshakeTimeout: handshakeTimeout > 0 ? handshakeTimeout : 2_147_483_647,
      });
      this.#tlsFront.on('secureConnection', (socket: tls.TLSSocket) => {
        o.onConnection(socket);
      });
      this.#tlsFront.on('tlsClientError', (error, socket) => {
        o.onTlsError?.(error);
        // node reports a handshake timeout here but leaves the socket open (a bare TCP connect
        // then stays forever); every handshake failure ends the connection.
        socket.destroy();
      });
    }
    try {
      for (const spec of o.specs) {
        // Nagle off, as node:http does for the sockets it accepts itself: these listeners accept
        // for the HTTP server, whose own `noDelay` option never sees the socket.
        const server = net.createServer({ noDelay: true });
        this.#servers.push(server);
        await this.#bind(server, spec);
        const address = this.#describe(server, spec);
        const front = address.kind === 'tcp' ? this.#tlsFront : undefined;
        server.on('connection', (socket: net.Socket) => {
          if (address.kind === 'unix') unixPaths.set(socket, address.path);
          if (o.onAccept !== undefined && !o.onAccept(socket, front !== undefined)) return;
          if (front !== undefined) front.emit('connection', socket);
          else o.onConnection(socket);
        });
        this.#addresses.push(address);
      }
    } catch (error) {
      await this.close();
      throw error;
    }
    return this.#addresses;
  }

  async #bind(server: net.Server, spec: ListenSpec): Promise<void> {
    const o = this.#options;
    if (spec.kind === 'unix' && o.shared !== true) {
      await listenUnix(server, spec.path, o.socketMode, o.backlog);
      this.#ownedPaths.push(spec.path);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const ready = () => {
        server.off('error', reject);
        resolve();
      };
      if (spec.kind === 'tcp') server.listen({ host: spec.host, port: spec.port, backlog: o.backlog }, ready);
      else if (spec.kind === 'unix') server.listen({ path: spec.path, backlog: o.backlog }, ready);
      else server.listen({ fd: spec.fd, backlog: o.backlog }, ready);
    });
  }

  #describe(server: net.Server, spec: ListenSpec): BoundAddress {
    const address = server.address();
    // An inherited Unix socket has no name in node (`''`): ask the OS.
    const inherited = spec.kind === 'fd' ? unixPathOfFd(spec.fd) : '';
    if (typeof address === 'string') return { kind: 'unix', path: address || inherited };
    if (address === null) return { kind: 'unix', path: inherited };
    return { kind: 'tcp', host: address.address, port: address.port, tls: this.#tlsFront !== undefined };
  }

  /** Swaps the certificate/key/CA for every TLS listener; open connections keep their session. */
  reloadTls(material: TlsMaterial): void {
    this.#tlsFront?.setSecureContext(material.context);
  }

  /**
   * Stops accepting on every listener and removes the Unix socket files this process created.
   * Open connections are not waited for (`net.Server#close`'s callback would wait for them all);
   * the owner of the connections decides how to drain them.
   */
  async close(): Promise<void> {
    for (const server of this.#servers.splice(0)) {
      if (server.listening) server.close();
    }
    for (const path of this.#ownedPaths.splice(0)) {
      try {
        unlinkSync(path);
      } catch {
        // already gone: nothing to clean
      }
    }
  }
}

/** `http://127.0.0.1:8000`, `https://[::1]:8443` or `unix:/run/app.sock` for logs and banners. */
export function addressUrl(address: BoundAddress): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${address.tls ? 'https' : 'http'}://${host}:${address.port}`;
}
