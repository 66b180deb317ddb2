// Fastify with its defaults (logger off), same route and body.
import Fastify from 'fastify';

const app = Fastify({ logger: false, keepAliveTimeout: 60_000 });
app.get('/', (_req, reply) => {
  reply.header('content-type', 'text/plain').send('Hello, World!');
});
await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ port: app.server.address().port });
process.on('SIGTERM', () => process.exit(0));
// The benchmark asks for CPU time to compute CPU per request, which machine load skews less than req/s.
process.on('message', (m) => {
  if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
});
