// @pagi/server (built dist) with the hello world of servers/pagi.mjs behind a typical middleware
// stack: request-id, access-log (to a null logger), security-headers, etag, compress. With one
// layer's name as argument (`node pagi-stack.mjs etag`), only that middleware: its cost alone.
import { accessLog } from '@pagi/middleware-access-log';
import { compress } from '@pagi/middleware-compress';
import { etag } from '@pagi/middleware-etag';
import { requestId } from '@pagi/middleware-request-id';
import { securityHeaders } from '@pagi/middleware-security-headers';
import { createServer } from '@pagi/server';
import { compose } from '@pagi/spec/middleware';

const headers = [['content-type', 'text/plain']];
const hello = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers });
  await send({ type: 'http.response.body', body: 'Hello, World!' });
};
const layers = {
  'request-id': () => requestId(),
  'access-log': () => accessLog({ logger: () => {} }),
  'security-headers': () => securityHeaders(),
  etag: () => etag(),
  compress: () => compress(),
};
const only = process.argv[2];
if (only !== undefined && !(only in layers)) throw new Error(`unknown layer ${only}`);
const stack = only === undefined ? Object.values(layers) : [layers[only]];
const app = compose(...stack.map((make) => make()))(hello);
const server = createServer(app, { host: '127.0.0.1', port: 0, lifespan: 'off', keepAliveTimeout: 60_000 });
await server.listen();
process.send?.({ port: server.port });
process.on('SIGTERM', () => process.exit(0));
