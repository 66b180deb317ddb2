// Bare node:http "what users write": GET /users/:id answering JSON {id, name}, the URL parsed by
// hand (no router); `/` answers the hello world. The baseline of the users benchmark.
import { createServer } from 'node:http';
import { serving } from './_cpu.mjs';

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const url = req.url;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (req.method === 'GET' && path.startsWith('/users/') && path.indexOf('/', 7) === -1 && path.length > 7) {
    const body = JSON.stringify({ id: path.slice(7), name: 'Ada' });
    res.writeHead(200, [
      'content-type',
      'application/json',
      'content-length',
      String(Buffer.byteLength(body)),
    ]);
    res.end(body);
    return;
  }
  if (path === '/') {
    res.writeHead(200, ['content-type', 'text/plain', 'content-length', '13']);
    res.end('Hello, World!');
    return;
  }
  res.writeHead(404, ['content-length', '0']);
  res.end();
});
server.listen(0, '127.0.0.1', () => serving(server.address().port));
