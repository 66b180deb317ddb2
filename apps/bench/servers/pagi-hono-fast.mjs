// The Hono hello world on @pagi/server through fromFetchHandler, with installFastResponse()
// (the lightweight global Response, as @hono/node-server installs its own).
import { createServer } from '@pagi/server';
import { fromFetchHandler, installFastResponse } from '@pagi/wrap-legacy';
import { announce, honoHello } from './legacy-apps.mjs';

installFastResponse();
const server = createServer(fromFetchHandler(honoHello().fetch), {
  host: '127.0.0.1',
  port: 0,
  lifespan: 'off',
  keepAliveTimeout: 60_000,
});
await server.listen();
announce(server.port);
