import { connect } from 'node:net';
import { once } from 'node:events';
import v8 from 'node:v8';
import { WebSocketServer } from 'ws';
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', () => {});
await once(wss, 'listening');
const req = 'GET /idle HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
const N = 1000; const socks = [];
for (let i = 0; i < N; i++) { const s = connect(wss.address().port, '127.0.0.1'); s.write(req); await once(s, 'data'); socks.push(s); }
gc(); gc();
v8.writeHeapSnapshot('/tmp/heap-bare.heapsnapshot');
process.exit(0);
