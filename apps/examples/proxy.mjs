// @pagi/app-proxy: a reverse proxy in front of a backend. Set PROXY_TARGET to your backend's URL
// (http://host:port); without it, a small demo backend (node:http + ws) starts in this process on
// a free port, serving `GET /` (text), `GET /events` (an event stream) and a WebSocket echo on /ws.
//
//   npx pnpm@10.34.8 --filter @pagi/examples run start:proxy
//   curl localhost:8000/ ; curl -N -H 'accept: text/event-stream' localhost:8000/events
import { createServer } from 'node:http';
import { proxy } from '@pagi/app-proxy';
import { WebSocketServer } from 'ws';

/** The demo backend; resolves with its URL. */
async function startDemoBackend() {
  const server = createServer((req, res) => {
    if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let n = 0;
      const timer = setInterval(() => {
        n++;
        res.write(`event: tick\nid: ${n}\ndata: tick ${n}\n\n`);
        if (n === 3) {
          clearInterval(timer);
          res.end();
        }
      }, 100);
      res.on('close', () => clearInterval(timer));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`hello from the backend, you asked for ${req.url} via ${req.headers['x-forwarded-for']}\n`);
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return `http://127.0.0.1:${server.address().port}`;
}

const target = process.env.PROXY_TARGET ?? (await startDemoBackend());

export default proxy({ target });
