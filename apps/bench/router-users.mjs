#!/usr/bin/env node
// Instructions per call, in process (no sockets), of issue 12's "what users write" figure split
// into its parts: GET /users/42 answered {id, name} as JSON by
//   raw            a hand-written PAGI app (servers/pagi-users.mjs)
//   raw-helpers    the same path parsing, answered with @pagi/helpers' Response.json
//   router-raw     @pagi/router's `get('/users/:id')`, answered by hand
//   router         @pagi/router + Response.json (servers/pagi-router.mjs)
//   hello, router-hello   `/` by the raw hello app, and the same app behind the router
// The send is a server-like stub (reads every header pair, returns @pagi/spec's SETTLED), so
// the differences are the router's and the helper's own work.
//
//   for p in spec router helpers; do (cd packages/$p && npx tsup); done
//   node apps/bench/router-users.mjs [raw router ...] [--n 20000]
// KEEP=<dir> (plus CG_EXTRA / NODE_EXTRA, as in callgrind.mjs) keeps each dump for profiling.
import { serverLikeScope, serveLoop } from './loop-child.mjs';
import { fileURLToPath } from 'node:url';
import { countLoops } from './callgrind.mjs';

const VARIANTS = ['raw', 'raw-helpers', 'router-raw', 'router', 'hello', 'router-hello'];

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]));
else await main();

async function main() {
  const here = fileURLToPath(import.meta.url);
  const args = process.argv.slice(2);
  const nIndex = args.indexOf('--n');
  const N = nIndex === -1 ? 20000 : Number(args.splice(nIndex, 2)[1]);
  const names = args.length > 0 ? args : VARIANTS;
  const results = await countLoops(names, (name) => [here, '--child', name, String(N * 2)], N);
  for (const n of names) {
    const base = n === 'hello' || n === 'router-hello' ? results.hello : results.raw;
    const extra = base === undefined ? '' : `  +${Math.round(results[n] - base).toLocaleString('en-US')}`;
    console.log(`${n.padEnd(14)} ${Math.round(results[n]).toLocaleString('en-US').padStart(8)}${extra}`);
  }
}

async function child(which, warm) {
  const { Response } = await import('@pagi/helpers');
  const { getParams, Router } = await import('@pagi/router');
  const TEXT = [['content-type', 'text/plain']];
  const JSON_TYPE = [['content-type', 'application/json']];
  const hello = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: TEXT });
    await send({ type: 'http.response.body', body: 'Hello, World!' });
  };
  const userId = (path) =>
    path.startsWith('/users/') && path.length > 7 && path.indexOf('/', 7) === -1 ? path.slice(7) : undefined;
  const apps = {
    raw: async (scope, _receive, send) => {
      if (scope.type !== 'http') return;
      const id = userId(scope.path);
      if (id === undefined) return;
      const body = JSON.stringify({ id, name: 'Ada' });
      await send({
        type: 'http.response.start',
        status: 200,
        headers: [['content-type', 'application/json']],
      });
      await send({ type: 'http.response.body', body });
    },
    'raw-helpers': async (scope, receive, send) => {
      if (scope.type !== 'http') return;
      const id = userId(scope.path);
      if (id === undefined) return;
      await Response.json({ id, name: 'Ada' }).send(scope, receive, send);
    },
    'router-raw': new Router().get('/', hello).get('/users/:id', async (scope, _receive, send) => {
      const body = JSON.stringify({ id: getParams(scope).id, name: 'Ada' });
      await send({ type: 'http.response.start', status: 200, headers: JSON_TYPE });
      await send({ type: 'http.response.body', body });
    }),
    router: new Router().get('/', hello).get('/users/:id', async (scope, receive, send) => {
      await Response.json({ id: getParams(scope).id, name: 'Ada' }).send(scope, receive, send);
    }),
    hello,
    'router-hello': new Router().get('/', hello).get('/users/:id', hello),
  };
  const picked = apps[which];
  if (picked === undefined) throw new Error(`unknown variant ${which}; one of ${VARIANTS.join(', ')}`);
  const app = typeof picked === 'function' ? picked : picked.app;
  const path = which === 'hello' || which === 'router-hello' ? '/' : '/users/42';
  const reqHeaders = [['host', '127.0.0.1:8000']];
  // A server hands the app a new path string per request (not internalized, no cached hash).
  const fresh = (p) => `${p.slice(0, 1)}${p.slice(1)}`;
  const scopeOf = () => {
    const p = fresh(path);
    return serverLikeScope('GET', p, reqHeaders);
  };
  const receive = async () => ({ type: 'http.request', body: new Uint8Array(0), more: false });
  // The server's send returns @pagi/spec's shared SETTLED when it took the event synchronously
  // (a build without it: a resolved promise of our own, as before).
  const { SETTLED } = await import('@pagi/spec');
  const RESOLVED = SETTLED ?? Promise.resolve();
  let sink = 0;
  const send = (event) => {
    const headers = event.headers;
    if (headers !== undefined) for (let i = 0; i < headers.length; i++) sink += headers[i][1].length;
    else sink += event.body?.length ?? 0;
    return RESOLVED;
  };
  await serveLoop(
    () => app(scopeOf(), receive, send),
    warm,
    () => sink,
  );
}
