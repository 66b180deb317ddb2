import { connect } from 'node:net';
import { once } from 'node:events';
import v8 from 'node:v8';
import { createServer } from 'node:http';
const server = createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' }); res.flushHeaders(); res.on('close', () => {}); });
server.listen(0, '127.0.0.1'); await once(server, 'listening');
const req = 'GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n';
const N = 1000; const socks = [];
for (let i = 0; i < N; i++) { const s = connect(server.address().port, '127.0.0.1'); s.write(req); await once(s, 'data'); socks.push(s); }
gc(); gc();
v8.writeHeapSnapshot('/tmp/heap-nsse.heapsnapshot');
process.exit(0);
