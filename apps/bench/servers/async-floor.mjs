// The least any `async (scope, receive, send)` adapter over node:http can do for the hello world:
// a scope literal with the header list the protocol requires (lowercase [name, value] pairs),
// receive/send closures, two awaited sends, the start event's headers flattened and the body
// written with writeHead + end, the app's promise watched with .then. No validation, no limits,
// no backstop, no pipelining order: a floor to read the real server's cost against, not a server
// (http-hello.mjs, instructions.mjs).
import { createServer } from 'node:http';

const headers = [['content-type', 'text/plain']];
const app = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers });
  await send({ type: 'http.response.body', body: 'Hello, World!' });
};
const RESOLVED = Promise.resolve();
const EMPTY = { type: 'http.request', body: new Uint8Array(0), more: false };
class Exchange {
  constructor(res) {
    this.res = res;
    this.status = 0;
    this.flat = undefined;
  }
  send(event) {
    if (event.type === 'http.response.start') {
      this.status = event.status;
      const flat = [];
      for (const [name, value] of event.headers) flat.push(name, value);
      this.flat = flat;
      return RESOLVED;
    }
    const body = event.body;
    this.flat.push('content-length', String(Buffer.byteLength(body)));
    this.res.writeHead(this.status, this.flat);
    this.res.end(body);
    return RESOLVED;
  }
}
const settled = () => {};
function headerList(raw) {
  const list = [];
  for (let i = 0; i < raw.length; i += 2) list.push([raw[i].toLowerCase(), raw[i + 1]]);
  return list;
}
const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const url = req.url;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const ex = new Exchange(res);
  const scope = {
    type: 'http',
    http_version: req.httpVersion,
    method: req.method,
    path,
    raw_path: path,
    query_string: q === -1 ? '' : url.slice(q + 1),
    root_path: '',
    headers: headerList(req.rawHeaders),
    state: {},
  };
  app(
    scope,
    () => Promise.resolve(EMPTY),
    (event) => ex.send(event),
  ).then(settled, settled);
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('SIGTERM', () => process.exit(0));
process.on('message', (m) => {
  if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
});
