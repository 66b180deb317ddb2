// The backend of proxy.mjs: bare node:http answering `GET /` with a 13-byte hello and `GET /big`
// with 1 MiB, keep-alive.
import { createServer } from 'node:http';
import { serving } from './_cpu.mjs';

const hello = Buffer.from('Hello, World!');
const big = Buffer.alloc(1024 * 1024, 'x');
const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const body = req.url === '/big' ? big : hello;
  res.writeHead(200, ['content-type', 'text/plain', 'content-length', String(body.length)]);
  res.end(body);
});
server.listen(0, '127.0.0.1', () => serving(server.address().port));
