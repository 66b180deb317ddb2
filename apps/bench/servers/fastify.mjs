// Fastify with its defaults (logger off): `/` answers the hello world, `/users/:id` JSON
// {id, name} through its router, written the way its docs show (an async handler returning an object).
import Fastify from 'fastify';
import { serving } from './_cpu.mjs';

const app = Fastify({ logger: false, keepAliveTimeout: 60_000 });
app.get('/', (_req, reply) => {
  reply.header('content-type', 'text/plain').send('Hello, World!');
});
app.get('/users/:id', async (req) => ({ id: req.params.id, name: 'Ada' }));
await app.listen({ port: 0, host: '127.0.0.1' });
serving(app.server.address().port);
