// Hono hello world on @hono/node-server.
import { serve } from '@hono/node-server';
import { announce, honoHello } from './legacy-apps.mjs';

const server = serve({ fetch: honoHello().fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
  announce(info.port),
);
server.keepAliveTimeout = 60_000;
