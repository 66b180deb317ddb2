// The same Express 5 hello world on @pagi/server through fromNodeHandler (built dist).
import { createServer } from '@pagi/server';
import { fromNodeHandler } from '@pagi/wrap-legacy';
import { announce, expressHello } from './legacy-apps.mjs';

const server = createServer(fromNodeHandler(expressHello()), {
  host: '127.0.0.1',
  port: 0,
  lifespan: 'off',
  keepAliveTimeout: 60_000,
});
await server.listen();
announce(server.port);
