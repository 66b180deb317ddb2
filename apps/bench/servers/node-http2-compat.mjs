// Bare node:http2 (h2c) through its compatibility API (req, res): what @pagi/server --http2 builds on.
import { createServer } from 'node:http2';

const server = createServer({ settings: { maxConcurrentStreams: 100 } }, (_req, res) => {
  res.writeHead(200, ['content-type', 'text/plain', 'content-length', '13']);
  res.end('Hello, World!');
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('SIGTERM', () => process.exit(0));
process.on('message', (m) => {
  if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
  if (m === 'rss') process.send({ rss: process.memoryUsage().rss });
});
