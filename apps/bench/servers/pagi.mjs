// @pagi/server (built dist) with a plain PAGI hello world; lifespan off, access log off.
import { createServer } from '@pagi/server';

const headers = [['content-type', 'text/plain']];
const app = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers });
  await send({ type: 'http.response.body', body: 'Hello, World!' });
};
const server = createServer(app, { host: '127.0.0.1', port: 0, lifespan: 'off', keepAliveTimeout: 60_000 });
await server.listen();
process.send?.({ port: server.port });
process.on('SIGTERM', () => process.exit(0));
// The benchmark asks for CPU time to compute CPU per request, which machine load skews less than req/s.
process.on('message', (m) => {
  if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
});
