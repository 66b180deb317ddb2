import type { ClientHttp2Session } from 'node:http2';
import { type PagiServer, createServer } from '@pagi/server';
import type { App } from '@pagi/spec';
import { h2Request, h2Session, h2Sse, h2Stream, h2WebSocket } from './internal/h2-client.js';
import { HostApp } from './internal/host-app.js';
import { socketHttp10Request } from './internal/socket-http10.js';
import type { ConformanceClient, Transport } from './transport.js';

/**
 * The HTTP/2 transport: the real `@pagi/server` with `http2: true`, reached over h2c (prior
 * knowledge) with `node:http2`, all streams on one connection; WebSocket by RFC 8441. HTTP/1.0
 * cases go over a bare TCP socket to the same port (the server serves both versions there).
 *
 * @example
 * describeConformance('http2', http2);
 */
export function http2(): Transport {
  const host = new HostApp();
  const server: PagiServer = createServer(host.app, {
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    shutdownTimeout: 2000,
    http2: true,
  });
  let session: ClientHttp2Session | undefined;
  const current = async (): Promise<ClientHttp2Session> => {
    if (session === undefined || session.closed || session.destroyed) session = await h2Session(server.url);
    return session;
  };
  const client: ConformanceClient = {
    request: async (method, path, options = {}) =>
      options.httpVersion === '1.0'
        ? socketHttp10Request(server.url, method, path, options)
        : h2Request(await current(), method, path, options),
    stream: async (method, path, options = {}) => h2Stream(await current(), method, path, options),
    websocket: async (path, options = {}) => h2WebSocket(await current(), path, options.subprotocols),
    sse: async (path, options = {}) => h2Sse(await current(), path, options.headers, options.method),
  };
  return {
    httpVersion: '2',
    async start() {
      await server.listen();
    },
    serve(app: App) {
      host.install(app);
      return client;
    },
    async stop() {
      session?.destroy();
      await server.close();
    },
  };
}
