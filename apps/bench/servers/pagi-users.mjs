// A raw PAGI app (no router, no helpers) on @pagi/server: GET /users/:id answering JSON {id, name},
// the path parsed by hand; `/` answers the hello world.
import { createServer } from '@pagi/server';
import { serving } from './_cpu.mjs';

const TEXT = [['content-type', 'text/plain']];
const app = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  const path = scope.path;
  if (path.startsWith('/users/') && path.length > 7 && path.indexOf('/', 7) === -1) {
    const body = JSON.stringify({ id: path.slice(7), name: 'Ada' });
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] });
    await send({ type: 'http.response.body', body });
    return;
  }
  if (path === '/') {
    await send({ type: 'http.response.start', status: 200, headers: TEXT });
    await send({ type: 'http.response.body', body: 'Hello, World!' });
    return;
  }
  await send({ type: 'http.response.start', status: 404, headers: [] });
  await send({ type: 'http.response.body', body: '' });
};
const server = createServer(app, { host: '127.0.0.1', port: 0, lifespan: 'off', keepAliveTimeout: 60_000 });
await server.listen();
serving(server.port);
