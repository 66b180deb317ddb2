// Bare node:http baseline: the same hello world every other server answers.
import { createServer } from 'node:http';

const body = 'Hello, World!';
const server = createServer({ keepAliveTimeout: 60_000 }, (_req, res) => {
  res.writeHead(200, ['content-type', 'text/plain', 'content-length', '13']);
  res.end(body);
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('SIGTERM', () => process.exit(0));
// The benchmark asks for CPU time to compute CPU per request, which machine load skews less than req/s.
process.on('message', (m) => {
  if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
});
