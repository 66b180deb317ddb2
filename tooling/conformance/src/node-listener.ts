import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeAdapter, type NodeAdapter } from '@pagi/server';
import type { App } from '@pagi/spec';
import { Agent } from 'undici';
import { HostApp } from './internal/host-app.js';
import { socketRequest, socketStream } from './internal/socket-http.js';
import { socketHttp10Request } from './internal/socket-http10.js';
import { socketSse } from './internal/socket-sse.js';
import { socketWebSocket } from './internal/socket-websocket.js';
import type { ConformanceClient, Transport } from './transport.js';

/**
 * The listener transport: `@pagi/server`'s `createNodeAdapter` mounted in a plain `node:http`
 * server the transport owns (request listener + upgrade listener), reached with the same clients
 * as the socket transport. It holds the listeners to the same behaviour as the full server.
 *
 * @example
 * describeConformance('node listener', nodeListener);
 */
export function nodeListener(): Transport {
  const host = new HostApp();
  const adapter: NodeAdapter = createNodeAdapter(host.app, { logLevel: 'silent', shutdownTimeout: 2000 });
  const server: Server = createHttpServer(adapter.listener);
  server.on('upgrade', adapter.upgradeListener);
  let agent: Agent | undefined;
  let origin = '';
  const client: ConformanceClient = {
    request: (method, path, options = {}) =>
      options.httpVersion === '1.0'
        ? socketHttp10Request(origin, method, path, options)
        : socketRequest(agent!, origin, method, path, options),
    stream: (method, path, options = {}) => socketStream(agent!, origin, method, path, options),
    websocket: (path, options = {}) =>
      socketWebSocket(`${origin.replace(/^http/, 'ws')}${path}`, options.subprotocols),
    sse: (path, options = {}) => socketSse(origin, path, options.headers, options.method),
  };
  return {
    async start() {
      await adapter.startup();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      agent = new Agent();
    },
    serve(app: App) {
      host.install(app);
      return client;
    },
    async stop() {
      await agent?.destroy();
      await adapter.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
