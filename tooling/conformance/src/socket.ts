import { type PagiServer, createServer } from '@pagi/server';
import type { App } from '@pagi/spec';
import { Agent } from 'undici';
import { HostApp } from './internal/host-app.js';
import { socketRequest, socketStream } from './internal/socket-http.js';
import { socketHttp10Request } from './internal/socket-http10.js';
import { socketSse } from './internal/socket-sse.js';
import { socketWebSocket } from './internal/socket-websocket.js';
import type { ConformanceClient, Transport } from './transport.js';

/**
 * The socket transport: the real `@pagi/server` on 127.0.0.1 with a port picked by the OS,
 * reached with undici (HTTP), `ws` (WebSocket) and a raw `node:http` read parsed as an event
 * stream (SSE). One server per test file; `stop()` closes it.
 *
 * @example
 * describeConformance('socket', socket);
 */
export function socket(): Transport {
  const host = new HostApp();
  const server: PagiServer = createServer(host.app, {
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    shutdownTimeout: 2000,
  });
  let agent: Agent | undefined;
  const origin = (): string => server.url;
  const client: ConformanceClient = {
    request: (method, path, options = {}) =>
      options.httpVersion === '1.0'
        ? socketHttp10Request(origin(), method, path, options)
        : socketRequest(agent!, origin(), method, path, options),
    stream: (method, path, options = {}) => socketStream(agent!, origin(), method, path, options),
    websocket: (path, options = {}) =>
      socketWebSocket(`${origin().replace(/^http/, 'ws')}${path}`, options.subprotocols),
    sse: (path, options = {}) => socketSse(origin(), path, options.headers, options.method),
  };
  return {
    async start() {
      await server.listen();
      agent = new Agent();
    },
    serve(app: App) {
      host.install(app);
      return client;
    },
    async stop() {
      await agent?.destroy();
      await server.close();
    },
  };
}
