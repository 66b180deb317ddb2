// Hono on @hono/node-server: `/` answers the hello world, `/users/:id` JSON {id, name} through
// Hono's router (its default SmartRouter).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { serving } from './_cpu.mjs';

const app = new Hono();
app.get('/', (c) => c.text('Hello, World!'));
app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), name: 'Ada' }));
serve(
  { fetch: app.fetch, port: 0, hostname: '127.0.0.1', serverOptions: { keepAliveTimeout: 60_000 } },
  (info) => serving(info.port),
);
