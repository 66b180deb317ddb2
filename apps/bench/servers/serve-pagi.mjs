// Serves a PAGI app on @pagi/server (built dist) the way every wrapped legacy server here does.
// Its own file, not in legacy-apps.mjs: the peers' servers (express.mjs, hono-node.mjs) import
// that one and must not load @pagi/server into their process.
import { createServer } from '@pagi/server';
import { announce } from './legacy-apps.mjs';

export async function servePagi(app) {
  const server = createServer(app, { host: '127.0.0.1', port: 0, lifespan: 'off', keepAliveTimeout: 60_000 });
  await server.listen();
  announce(server.port);
}
