// In-process: the Hono hello world through @pagi/wrap-legacy's fromFetchHandler (with
// installFastResponse()), called in a loop on a fresh server-like scope with a no-op send, no
// sockets; run under callgrind by fetch-bridge.mjs. Variants:
//   bare        the plain PAGI hello world (the floor: a PAGI app that sends the same two events)
//   hono-plain  Hono's fetch called with a plain { url, method } object, its lightweight Response
//               read directly and sent as the same two events (what a free bridge would cost)
//   bridge      fromFetchHandler(hono.fetch)
//   bridge-body fromFetchHandler(hono.fetch), the handler reading the request headers and text()
//   default     fromFetchHandler(hono.fetch) as documented, without calling installFastResponse()
// With `--alloc` instead of a count, prints the bytes allocated per call (heap growth over 2,000
// calls with a new space large enough that no scavenge runs in between; run it with
// `node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 fetch-bridge-loop.mjs <variant> --alloc`).
import { serverLikeScope, serveLoop } from './loop-child.mjs';
import { fromFetchHandler, installFastResponse } from '@pagi/wrap-legacy';
import { Hono } from 'hono';

const which = process.argv[2] ?? 'bridge';
if (which !== 'default') installFastResponse();
const hono = new Hono();
hono.get('/', (c) => c.text('Hello, World!'));
hono.post('/', async (c) => c.text(`${c.req.header('content-type')} ${(await c.req.text()).length}`));

const helloHeaders = [['content-type', 'text/plain']];
const hello = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers: helloHeaders });
  await send({ type: 'http.response.body', body: 'Hello, World!' });
};
const TEXT = [['content-type', 'text/plain;charset=UTF-8']];
const honoPlain = async (scope, _receive, send) => {
  const response = hono.fetch({ url: `http://127.0.0.1:8000${scope.raw_path}`, method: scope.method });
  await send({ type: 'http.response.start', status: response.status, headers: TEXT.slice() });
  await send({ type: 'http.response.body', body: 'Hello, World!', more: false });
};
const app = which === 'bare' ? hello : which === 'hono-plain' ? honoPlain : fromFetchHandler(hono.fetch);
const post = which === 'bridge-body';

const getHeaders = [['host', '127.0.0.1:8000']];
const postHeaders = [
  ['host', '127.0.0.1:8000'],
  ['content-type', 'text/plain'],
  ['content-length', '5'],
];
const scopeOf = () => serverLikeScope(post ? 'POST' : 'GET', '/', post ? postHeaders : getHeaders);
const body = new TextEncoder().encode('hello');
const receive = async () => ({ type: 'http.request', body, more: false });
let sink = 0;
// As @pagi/server's send(): synchronous, returning one settled promise.
const SENT = Promise.resolve();
const send = (event) => {
  sink += event.type.length;
  return SENT;
};
const call = () => app(scopeOf(), receive, send);
if (process.argv[3] === '--alloc') {
  const { allocPerCall } = await import('./alloc.mjs');
  console.log(`${which} ${Math.round(await allocPerCall(call))} bytes/call`);
} else {
  await serveLoop(call, Number(process.argv[3] ?? 30000), () => sink);
}
