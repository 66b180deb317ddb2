import { WebSocketServer } from 'ws';
import { once } from 'node:events';
const mode = process.env.MODE;
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => {
  if (mode === 'micro') queueMicrotask(() => ws.send(data, { binary: isBinary }));
  else if (mode === 'immediate') setImmediate(() => ws.send(data, { binary: isBinary }));
  else ws.send(data, { binary: isBinary });
}));
await once(wss, 'listening');
console.log(wss.address().port);
const c0 = process.cpuUsage();
setTimeout(() => { const c = process.cpuUsage(c0); console.log('cpu ms', (c.user + c.system) / 1000); process.exit(0); }, 6000);
