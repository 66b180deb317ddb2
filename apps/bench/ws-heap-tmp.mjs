import { connect } from 'node:net';
import { once } from 'node:events';
import v8 from 'node:v8';
import { createServer } from '@pagi/server';
const proto = process.argv[2] ?? 'ws';
const app = async (scope, receive, send) => {
  await receive();
  if (scope.type === 'websocket') await send({ type: 'websocket.accept' }); else await send({ type: 'sse.start' });
  for (;;) { const e = await receive(); if (e.type.endsWith('disconnect')) return; }
};
const server = createServer(app, { host: '127.0.0.1', port: 0, lifespan: 'off', logLevel: 'warn', maxConnections: 0 });
await server.listen();
const req = proto === 'ws' ? 'GET /idle HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n' : 'GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n';
const N = 1000; const socks = [];
for (let i = 0; i < N; i++) { const s = connect(server.port, '127.0.0.1'); s.write(req); await once(s, 'data'); socks.push(s); }
gc(); gc();
v8.writeHeapSnapshot('/tmp/heap-' + proto + '.heapsnapshot');
process.exit(0);
