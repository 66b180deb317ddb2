// Route-matching micro-benchmark: @pagi/router against find-my-way (Fastify's router) and
// Hono's TrieRouter and RegExpRouter, on the GitHub REST API route table (github-routes.mjs).
//
//   (cd packages/router && npx tsup) && node apps/bench/router-match.mjs
//
// Before timing, every router must find, for every request of the mix, the handler of the route
// the request was made from; a router that disagrees aborts the run. Hono's RegExpRouter rejects
// part of the GitHub table (UnsupportedPathError: a static and a parameter segment at the same
// place with longer routes behind them; a Hono app's SmartRouter then falls back to TrieRouter),
// so it runs on a second table: the routes it accepts.
//
// Indicative only: one process, no isolation from other load on the machine.
import { createRequire } from 'node:module';
import os from 'node:os';
import { githubRoutes, samplePath } from './github-routes.mjs';

// find-my-way and hono are dev dependencies of @pagi/router; resolve them from there.
const require = createRequire(new URL('../../packages/router/package.json', import.meta.url));
const FindMyWay = require('find-my-way');
const { RegExpRouter } = require('hono/router/reg-exp-router');
const { TrieRouter } = require('hono/router/trie-router');
const { Router } = await import('../../packages/router/dist/index.js');

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const PASSES = Number(process.env.PASSES ?? 1000);
// A server hands the router a new string per request (no cached hash, not yet flattened).
// FRESH=0 reuses the same string objects instead, which flatters hash-map lookups.
const FRESH = process.env.FRESH !== '0';

/** Static segments before parameters, position by position: the order first-match routers need. */
function specificity(path) {
  return path
    .split('/')
    .map((s) => (s.startsWith(':') ? '1' : '0'))
    .join('');
}

// One distinct handler per route of the full table, so "same handler" means "same route".
const handlers = githubRoutes.map((_, i) => {
  const h = async () => i;
  h.id = i;
  return h;
});

// Every router reads the table in the same order: most specific first (Hono returns every
// matching handler in registration order and we take the first; the others do not care).
const fullTable = githubRoutes
  .map(([method, path], index) => ({ method, path, index }))
  .sort((a, b) =>
    specificity(a.path) < specificity(b.path) ? -1 : specificity(a.path) > specificity(b.path) ? 1 : 0,
  );

const builders = {
  'pagi-router'(table) {
    const r = new Router();
    for (const { method, path, index } of table) r.route(method, path, handlers[index]);
    r.compile();
    return (method, url) => r.match(method, url)?.app.id;
  },
  'find-my-way'(table) {
    const r = FindMyWay();
    for (const { method, path, index } of table) r.on(method, path, handlers[index]);
    return (method, url) => r.find(method, url)?.handler.id;
  },
  'hono-trie'(table) {
    const r = new TrieRouter();
    for (const { method, path, index } of table) r.add(method, path, handlers[index]);
    return (method, url) => r.match(method, url)[0][0]?.[0].id;
  },
  'hono-regexp'(table) {
    const r = new RegExpRouter();
    for (const { method, path, index } of table) r.add(method, path, handlers[index]);
    r.match('GET', '/'); // RegExpRouter compiles lazily; make it throw here, not in the timing loop.
    return (method, url) => r.match(method, url)[0][0]?.[0].id;
  },
};

/** The routes RegExpRouter accepts: drop the path it rejects, rebuild, until it builds. */
function regexpSubset(table) {
  let rest = table;
  for (;;) {
    try {
      builders['hono-regexp'](rest);
      return rest;
    } catch (err) {
      if (err?.constructor?.name !== 'UnsupportedPathError') throw err;
      rest = rest.filter((r) => r.path !== err.message);
    }
  }
}

function time(find, requests) {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let p = 0; p < PASSES; p++) {
    if (FRESH) {
      for (let i = 0; i < requests.length; i++) {
        const { method, url } = requests[i];
        sink += find(method, `/${url.slice(1)}`);
      }
    } else {
      for (let i = 0; i < requests.length; i++) sink += find(requests[i].method, requests[i].url);
    }
  }
  const ns = Number(process.hrtime.bigint() - start);
  if (sink === -1) console.log('unreachable');
  return (PASSES * requests.length * 1e9) / ns;
}

function run(label, table, names) {
  // The request mix: one request per route, in table order, repeated PASSES times.
  const requests = table.map(({ method, path, index }) => ({
    method,
    url: samplePath(path),
    expected: index,
  }));
  const candidates = names.map((name) => ({ name, find: builders[name](table) }));
  for (const c of candidates) {
    for (const { method, url, expected } of requests) {
      const got = c.find(method, url);
      if (got !== expected) {
        console.error(
          `${c.name}: ${method} ${url} matched route ${got}, expected ${expected} (${githubRoutes[expected].join(' ')})`,
        );
        process.exit(1);
      }
    }
  }
  // Warm up, then interleave rounds so drift hits every router alike; report the median.
  for (const c of candidates) time(c.find, requests);
  const samples = new Map(candidates.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of candidates) samples.get(c.name).push(time(c.find, requests));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const result = Object.fromEntries([...samples].map(([name, xs]) => [name, median(xs)]));
  console.log(
    `\n${label}: ${table.length} routes, ${requests.length} requests per pass, ${PASSES} passes, median of ${ROUNDS} rounds, ${FRESH ? 'fresh' : 'reused'} path strings`,
  );
  for (const [name, ops] of Object.entries(result)) {
    console.log(`  ${name.padEnd(12)} ${Math.round(ops).toLocaleString('en-US').padStart(12)} ops/s`);
  }
  const honoNames = names.filter((n) => n.startsWith('hono'));
  const hono = Math.max(...honoNames.map((n) => result[n]));
  console.log(
    `  ratio pagi-router/find-my-way ${(result['pagi-router'] / result['find-my-way']).toFixed(2)}`,
  );
  console.log(
    `  ratio pagi-router/hono ${(result['pagi-router'] / hono).toFixed(2)} (fastest of ${honoNames.join(', ')})`,
  );
}

const cpus = os.cpus();
console.log(
  `node ${process.version}, ${cpus[0]?.model ?? 'unknown cpu'} x${cpus.length}, ${os.platform()} ${os.arch()}`,
);
run('full GitHub table', fullTable, ['pagi-router', 'find-my-way', 'hono-trie']);
const subset = regexpSubset(fullTable);
run('routes RegExpRouter accepts', subset, ['pagi-router', 'find-my-way', 'hono-trie', 'hono-regexp']);
