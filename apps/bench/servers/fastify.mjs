// Fastify with its defaults (logger off), same route and body.
import Fastify from 'fastify';

const app = Fastify({ logger: false, keepAliveTimeout: 60_000 });
app.get('/', (_req, reply) => {
  reply.header('content-type', 'text/plain').send('Hello, World!');
});
await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ port: app.server.address().port });
process.on('SIGTERM', () => process.exit(0));
