// @pagi/server app for the memory benchmark: /download streams N bytes, /upload discards the body.
// Reports its peak RSS (sampled every 10 ms) when the parent asks over IPC.
import { createServer } from '@pagi/server';

let peak = 0;
const sample = () => {
  peak = Math.max(peak, process.memoryUsage().rss);
};
setInterval(sample, 10).unref();

const chunk = Buffer.alloc(64 * 1024, 0x78);
const app = async (scope, receive, send) => {
  if (scope.type !== 'http') return;
  if (scope.path === '/download') {
    const total = Number(new URLSearchParams(scope.query_string).get('bytes'));
    await send({ type: 'http.response.start', status: 200, headers: [['content-length', String(total)]] });
    for (let sent = 0; sent < total; sent += chunk.length) {
      const body = total - sent >= chunk.length ? chunk : chunk.subarray(0, total - sent);
      await send({ type: 'http.response.body', body, more: sent + chunk.length < total });
    }
    return;
  }
  let received = 0;
  for (;;) {
    const event = await receive();
    if (event.type !== 'http.request') return;
    received += event.body.byteLength;
    if (!event.more) break;
  }
  await send({ type: 'http.response.start', status: 200 });
  await send({ type: 'http.response.body', body: String(received) });
};

const server = createServer(app, { host: '127.0.0.1', port: 0, lifespan: 'off', maxBodySize: 0 });
await server.listen();
process.on('message', (m) => {
  if (m === 'reset') peak = process.memoryUsage().rss;
  if (m === 'peak' || m === 'reset') {
    sample();
    process.send({ peak });
  }
});
process.send({ port: server.port });
process.on('SIGTERM', () => process.exit(0));
