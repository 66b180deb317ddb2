// @pagi/server --http2 (built dist), h2c: the hello world of servers/pagi.mjs, and /big: 100 MiB
// streamed in 64 KiB chunks with `await send()` backpressure (the RSS check of apps/bench/http2.mjs).
import { createServer } from '@pagi/server';

const headers = [['content-type', 'text/plain']];
const CHUNK = Buffer.alloc(64 * 1024, 120);
const BIG = 100 * 1024 * 1024;
const app = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  if (scope.path === '/big') {
    await send({ type: 'http.response.start', status: 200, headers: [['content-length', String(BIG)]] });
    for (let sent = 0; sent < BIG; sent += CHUNK.length) {
      await send({ type: 'http.response.body', body: CHUNK, more: sent + CHUNK.length < BIG });
    }
    return;
  }
  await send({ type: 'http.response.start', status: 200, headers });
  await send({ type: 'http.response.body', body: 'Hello, World!' });
};
const server = createServer(app, {
  host: '127.0.0.1',
  port: 0,
  lifespan: 'off',
  http2: true,
  keepAliveTimeout: 60_000,
});
await server.listen();
process.send?.({ port: server.port });
process.on('SIGTERM', () => process.exit(0));
process.on('message', (m) => {
  if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
  if (m === 'rss') process.send({ rss: process.memoryUsage().rss });
});
