// @pagi/router + @pagi/helpers on @pagi/server, the way their READMEs show: `/` is the raw hello
// app behind the router; `/users/:id` answers Response.json({id, name}).
import { Response } from '@pagi/helpers';
import { getParams, Router } from '@pagi/router';
import { createServer } from '@pagi/server';
import { serving } from './_cpu.mjs';

const TEXT = [['content-type', 'text/plain']];
const router = new Router();
router.get('/', async (_scope, _receive, send) => {
  await send({ type: 'http.response.start', status: 200, headers: TEXT });
  await send({ type: 'http.response.body', body: 'Hello, World!' });
});
router.get('/users/:id', async (scope, receive, send) => {
  await Response.json({ id: getParams(scope).id, name: 'Ada' }).send(scope, receive, send);
});
const server = createServer(router.app, {
  host: '127.0.0.1',
  port: 0,
  lifespan: 'off',
  keepAliveTimeout: 60_000,
});
await server.listen();
serving(server.port);
