// In-process: the hello world behind one middleware configuration, called in a loop on a fresh
// server-like scope with a no-op send; run under callgrind by middleware-layers.mjs.
import { serverLikeScope, serveLoop } from './loop-child.mjs';
import { accessLog } from '@pagi/middleware-access-log';
import { compress } from '@pagi/middleware-compress';
import { etag } from '@pagi/middleware-etag';
import { requestId } from '@pagi/middleware-request-id';
import { securityHeaders } from '@pagi/middleware-security-headers';
import { compose, defineMiddleware } from '@pagi/spec/middleware';

const headers = [['content-type', 'text/plain']];
const hello = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers });
  await send({ type: 'http.response.body', body: 'Hello, World!' });
};
const layers = {
  noop: () => defineMiddleware('noop', { http: (scope, receive, send, app) => app(scope, receive, send) }),
  'request-id': () => requestId(),
  'access-log': () => accessLog({ logger: () => {} }),
  'security-headers': () => securityHeaders(),
  etag: () => etag(),
  compress: () => compress(),
};
const which = process.argv[2] ?? 'stack';
const stack =
  which === 'bare'
    ? []
    : which === 'stack'
      ? Object.values(layers).slice(1)
      : which.split(',').map((n) => layers[n]);
const app = stack.length === 0 ? hello : compose(...stack.map((make) => make()))(hello);
const reqHeaders = [['host', '127.0.0.1:8000']];
const scopeOf = () => serverLikeScope('GET', '/', reqHeaders);
const receive = async () => ({ type: 'http.request', body: new Uint8Array(0), more: false });
let sink = 0;
const send = async (event) => {
  sink += event.type.length;
};
await serveLoop(
  () => app(scopeOf(), receive, send),
  Number(process.argv[3] ?? 30000),
  () => sink,
);
