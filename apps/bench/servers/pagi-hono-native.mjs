// The Hono hello world on @pagi/server through fromFetchHandler with
// `overrideGlobalResponse: false`: the real undici Response, its body read as a stream.
import { createServer } from '@pagi/server';
import { fromFetchHandler } from '@pagi/wrap-legacy';
import { announce, honoHello } from './legacy-apps.mjs';

const server = createServer(fromFetchHandler(honoHello().fetch, { overrideGlobalResponse: false }), {
  host: '127.0.0.1',
  port: 0,
  lifespan: 'off',
  keepAliveTimeout: 60_000,
});
await server.listen();
announce(server.port);
