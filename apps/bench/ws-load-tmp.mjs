import WebSocket from 'ws';
import { once } from 'node:events';
const port = Number(process.argv[2]);
const socks = await Promise.all(Array.from({length: 50}, async () => { const w = new WebSocket(`ws://127.0.0.1:${port}/`); await once(w, 'open'); return w; }));
let n = 0, run = true;
for (const w of socks) { w.on('message', () => { n++; if (run) w.send('x'.repeat(32)); }); w.send('x'.repeat(32)); }
await new Promise(r => setTimeout(r, 4000));
run = false; console.log('msgs/s', n/4);
for (const w of socks) w.terminate();
