import cluster from 'node:cluster';
import type { Server as HttpServer } from 'node:http';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../internal/context.js';
import { loadTlsMaterial } from '../tls/secure-context.js';
import { type TlsOptions, tlsSettingsOf } from '../tls/tls-options.js';
import type { ListenOptions } from './listen-options.js';
import { type ListenSpec, parseListenSpec, parseSocketMode } from './listen-spec.js';
import { addressUrl, ListenerSet } from './listener-set.js';
import { takeSystemdFds } from './systemd.js';

/** The options {@link startListeners} reads. */
export type ListenerConfig = Required<ListenOptions> &
  Required<TlsOptions> & { host: string; port: number; backlog: number };

const registry = new WeakMap<HttpServer, ListenerSet>();

/**
 * true when the plain `httpServer.listen(host, port)` is not enough: `--listen` given, TLS on,
 * or systemd passed descriptors (`LISTEN_FDS`).
 */
export function wantsListenerSet(o: ListenerConfig, env: NodeJS.ProcessEnv = process.env): boolean {
  return o.listen.length > 0 || tlsSettingsOf(o) !== undefined || env.LISTEN_FDS !== undefined;
}

/** The specs to bind: `--listen`, else systemd's descriptors, else `host:port`. */
export function resolveListenSpecs(o: ListenerConfig, env: NodeJS.ProcessEnv = process.env): ListenSpec[] {
  const fds = takeSystemdFds(env, process.pid);
  if (o.listen.length > 0) return o.listen.map(parseListenSpec);
  if (fds.length > 0) return fds.map((fd) => ({ kind: 'fd', fd }));
  return [{ kind: 'tcp', host: o.host, port: o.port }];
}

/**
 * Binds every listener for `httpServer` and feeds accepted (TLS: handshaken) sockets to it as
 * `connection` events, so one set of request handlers serves every listener.
 *
 * @example
 * const listeners = await startListeners(server.httpServer, options, logger);
 * listeners.addresses; // [{ kind: 'tcp', host: '127.0.0.1', port: 8443, tls: true }, { kind: 'unix', path: '/run/app.sock' }]
 */
export async function startListeners(
  httpServer: HttpServer,
  o: ListenerConfig,
  logger: Logger,
  onAccept?: (socket: net.Socket, tls: boolean) => boolean,
): Promise<ListenerSet> {
  const settings = tlsSettingsOf(o);
  const set = new ListenerSet({
    specs: resolveListenSpecs(o),
    backlog: o.backlog,
    socketMode: o.socketMode === null ? undefined : parseSocketMode(o.socketMode),
    tls: settings === undefined ? undefined : loadTlsMaterial(settings, wantsHttp2(o)),
    shared: cluster.isWorker,
    onConnection: (socket) => {
      httpServer.emit('connection', socket);
    },
    onAccept,
    onTlsError: (error) => logger.debug(`TLS handshake failed: ${error.message}`),
  });
  await set.listen();
  registry.set(httpServer, set);
  return set;
}

/** The listeners started for `httpServer`, if {@link startListeners} was used. */
export function listenersOf(httpServer: HttpServer): ListenerSet | undefined {
  return registry.get(httpServer);
}

/**
 * Stops accepting new connections without touching open ones (unlike `http.Server#close`,
 * which also drops idle keep-alive connections at once). Used to drain a worker before it stops.
 */
export async function stopAccepting(httpServer: HttpServer): Promise<void> {
  const set = registry.get(httpServer);
  if (set !== undefined) {
    await set.close();
    return;
  }
  // The listening handle closes synchronously; the callback would wait for every connection.
  if (httpServer.listening) net.Server.prototype.close.call(httpServer);
}

/** Re-reads the TLS files and swaps the context for new handshakes. Returns false when TLS is off. */
export function reloadTls(httpServer: HttpServer, o: ListenerConfig): boolean {
  const settings = tlsSettingsOf(o);
  const set = registry.get(httpServer);
  if (settings === undefined || set === undefined) return false;
  set.reloadTls(loadTlsMaterial(settings, wantsHttp2(o)));
  return true;
}

/** true for a socket that came through a TLS listener. */
export function isTlsSocket(socket: net.Socket): socket is TLSSocket {
  return (socket as { encrypted?: boolean }).encrypted === true;
}

/** Every address `httpServer` accepts on, as URLs for the startup banner. */
export function listenUrls(httpServer: HttpServer, fallback: string): string[] {
  const set = registry.get(httpServer);
  return set === undefined ? [fallback] : set.addresses.map(addressUrl);
}

/** `http2` on: TLS listeners offer `h2` by ALPN. */
function wantsHttp2(o: object): boolean {
  return (o as { http2?: boolean }).http2 === true;
}
