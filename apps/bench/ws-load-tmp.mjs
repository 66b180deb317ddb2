import { connect } from 'node:net';
import { once } from 'node:events';
const port = Number(process.argv[2]);
const size = 32;
const payload = Buffer.alloc(size, 'x'); const mask = Buffer.from([1,2,3,4]);
const frame = Buffer.concat([Buffer.from([0x81, 0x80 | size]), mask, Buffer.from(payload.map((b,i)=>b^mask[i%4]))]);
let n = 0, run = true;
const socks = [];
for (let i = 0; i < 50; i++) {
  const s = connect(port, '127.0.0.1'); s.setNoDelay(true); await once(s, 'connect');
  s.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  let head = ''; while (!head.includes('\r\n\r\n')) head += String((await once(s, 'data'))[0]);
  let pending = 0;
  s.on('data', (c) => { pending += c.length; while (pending >= 34) { pending -= 34; n++; if (run) s.write(frame); } });
  socks.push(s);
}
for (const s of socks) s.write(frame);
await new Promise(r => setTimeout(r, 4000));
run = false; console.log('msgs/s', n/4);
for (const s of socks) s.destroy();
