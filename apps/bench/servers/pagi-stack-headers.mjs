// @pagi/server (built dist) with the hello world of servers/pagi.mjs sending, without any
// middleware, the seven headers the typical stack's response has (pagi-stack.mjs): what the server
// and node's writeHead charge for the extra headers alone, apart from the middleware's own cost.
import { createServer } from '@pagi/server';

const headers = [
  ['content-type', 'text/plain'],
  ['vary', 'Accept-Encoding'],
  ['etag', '"d-CgqfKmdylCVXq1NV12r0Qvj2XgE"'],
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'no-referrer'],
  ['cross-origin-resource-policy', 'same-origin'],
  ['x-request-id', '5f0c7b1e-3a2d-4c8e-9f10-123456789012'],
];
const app = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers });
  await send({ type: 'http.response.body', body: 'Hello, World!' });
};
const server = createServer(app, { host: '127.0.0.1', port: 0, lifespan: 'off', keepAliveTimeout: 60_000 });
await server.listen();
process.send?.({ port: server.port });
process.on('SIGTERM', () => process.exit(0));
