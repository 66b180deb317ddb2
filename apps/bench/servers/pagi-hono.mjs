// The same Hono hello world on @pagi/server through fromFetchHandler as documented (built dist):
// the default swaps in the lightweight global Response, as @hono/node-server does with its own.
import { createServer } from '@pagi/server';
import { fromFetchHandler } from '@pagi/wrap-legacy';
import { announce, honoHello } from './legacy-apps.mjs';

const server = createServer(fromFetchHandler(honoHello().fetch), {
  host: '127.0.0.1',
  port: 0,
  lifespan: 'off',
  keepAliveTimeout: 60_000,
});
await server.listen();
announce(server.port);
