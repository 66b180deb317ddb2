// srvx 1 (node adapter) with its FastResponse: `/` answers the hello world, `/users/:id` JSON
// {id, name} with the path parsed by hand (srvx has no router).
import { FastResponse, serve } from 'srvx';
import { serving } from './_cpu.mjs';

const TEXT = { headers: { 'content-type': 'text/plain' } };
const server = serve({
  port: 0,
  hostname: '127.0.0.1',
  silent: true,
  node: { keepAliveTimeout: 60_000 },
  fetch(req) {
    const url = req.url; // absolute: http://host:port/path?query
    const start = url.indexOf('/', url.indexOf('//') + 2);
    const q = url.indexOf('?', start);
    const path = q === -1 ? url.slice(start) : url.slice(start, q);
    if (path.startsWith('/users/') && path.length > 7 && path.indexOf('/', 7) === -1) {
      return FastResponse.json({ id: path.slice(7), name: 'Ada' });
    }
    if (path === '/') return new FastResponse('Hello, World!', TEXT);
    return new FastResponse(null, { status: 404 });
  },
});
await server.ready();
serving(server.node.server.address().port);
