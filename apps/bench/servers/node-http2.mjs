// Bare node:http2 (h2c), its core stream API: the hello world with nothing in between.
import { createServer } from 'node:http2';

const server = createServer({ settings: { maxConcurrentStreams: 100 } });
server.on('stream', (stream) => {
  stream.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': 13 });
  stream.end('Hello, World!');
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('SIGTERM', () => process.exit(0));
process.on('message', (m) => {
  if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
  if (m === 'rss') process.send({ rss: process.memoryUsage().rss });
});
