// Scope-extension micro-benchmark: what does a middleware layer pay to hand its inner app a
// shallow copy of a 16-key scope (17 with the kit's `pagi.keys` slot) with one more key (protocol.md §1.7), against a pass-through
// layer that makes a plain `{ ...scope }` copy? Chose the pattern behind `withKey()` in
// `@pagi/spec/middleware` (the target: at most 1.5× the plain copy).
//
//   (cd packages/spec && npx tsup) && node apps/bench/scope-extend.mjs
//
// Each variant is one layer function called in a hand loop (process.hrtime.bigint around many
// iterations, after a warm-up), and also a second plain-spread layer below it, because the
// object one layer builds is the one the next layer copies: a pattern that leaves a slow
// (dictionary-mode) object behind makes every later layer slow too.
//
// Indicative only: one process, no isolation from other load on the machine.
import os from 'node:os';

const { scopeKey, withKey } = await import('../../packages/spec/dist/middleware/index.js');

const ITERATIONS = Number(process.env.ITERATIONS ?? 500_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

/** A scope shaped like the server's: 16 keys, dotted ones included, built by one literal. */
function makeScope(i) {
  return {
    type: 'http',
    pagi: { version: '0.3', spec_version: '0.3' },
    http_version: '1.1',
    method: 'GET',
    scheme: 'http',
    path: `/items/${i}`,
    raw_path: `/items/${i}`,
    query_string: '',
    root_path: '',
    headers: [['host', 'example.test']],
    client: ['127.0.0.1', 50000],
    server: ['127.0.0.1', 8000],
    state: {},
    extensions: {},
    'pagi.connection': {},
    'pagi.transport': {},
    // The slot the kit's scope keys live in (null: no key set yet, D-5). See `withKey()`.
    'pagi.keys': null,
  };
}

const KEY = 'auth.user';
const USER_KEY = scopeKey('auth.user');
const SYM = Symbol('auth.user');
const user = { id: 1 };

/** Each variant: one layer's scope copy. The key is a closure constant, as a key object holds it. */
const variants = {
  'plain {...scope}': (s) => ({ ...s }),
  '{...scope, auth_user: v} (static key)': (s) => ({ ...s, auth_user: user }),
  "{...scope, 'auth.user': v} (static quoted)": (s) => ({ ...s, 'auth.user': user }),
  '{...scope, [key]: v} (computed)': (s) => ({ ...s, [KEY]: user }),
  '{...scope, [sym]: v} (symbol)': (s) => ({ ...s, [SYM]: user }),
  'c = {...scope}; c[key] = v': (s) => {
    const c = { ...s };
    c[KEY] = user;
    return c;
  },
  "c = {...scope}; c['auth.user'] = v": (s) => {
    const c = { ...s };
    c['auth.user'] = user;
    return c;
  },
  'Object.assign({}, scope, {[key]: v})': (s) => Object.assign({}, s, { [KEY]: user }),
  '{[key]: v, ...scope}': (s) => ({ [KEY]: user, ...s }),
  // The kit's design: the value goes on an immutable list in a slot the scope already has, so the
  // copy keeps the plain spread's hidden class (an existing key is overwritten, none is added).
  "{...scope, 'pagi.keys': node}": (s) => ({
    ...s,
    'pagi.keys': { key: KEY, value: user, next: s['pagi.keys'] },
  }),
  'kit withKey(scope, KEY, v)': (s) => withKey(s, USER_KEY, user),
  "c = {...scope}; c['pagi.keys'] = node": (s) => {
    const c = { ...s };
    c['pagi.keys'] = { key: KEY, value: user, next: c['pagi.keys'] };
    return c;
  },
};

let sink = 0;

function time(layer, below, scopes) {
  const n = scopes.length;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    const out = below(layer(scopes[i % n]));
    sink += out.path.length;
  }
  return Number(process.hrtime.bigint() - start) / ITERATIONS;
}

const identity = (s) => s;
const spread = (s) => ({ ...s });
// Fresh scope objects (the server makes one per request), all of the same shape.
const scopes = Array.from({ length: 1024 }, (_, i) => makeScope(i));

console.log(
  `node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu?'}, ${ITERATIONS} iterations, best of ${ROUNDS}`,
);
// Every variant runs once per round, rounds interleaved, best round kept: load that drifts during
// the run then hits all variants alike instead of whichever happened to run last.
const results = Object.entries(variants).map(([name, fn]) => {
  // Each variant gets its own function copies so type feedback from another variant can't leak in.
  const layer = new Function('user', 'KEY', 'SYM', 'withKey', 'USER_KEY', `return ${fn.toString()}`)(
    user,
    KEY,
    SYM,
    withKey,
    USER_KEY,
  );
  const next = new Function(`return ${spread.toString()}`)();
  time(layer, identity, scopes); // warm-up
  time(layer, next, scopes);
  return { name, layer, next, one: Number.POSITIVE_INFINITY, two: Number.POSITIVE_INFINITY };
});
for (let r = 0; r < ROUNDS; r++) {
  for (const v of results) {
    v.one = Math.min(v.one, time(v.layer, identity, scopes));
    v.two = Math.min(v.two, time(v.layer, v.next, scopes));
  }
}
const base = results[0];
console.log(
  'variant'.padEnd(44),
  'ns/op'.padStart(8),
  'ratio'.padStart(7),
  '+next {...}'.padStart(12),
  'ratio'.padStart(7),
);
for (const r of results) {
  console.log(
    r.name.padEnd(44),
    r.one.toFixed(1).padStart(8),
    `${(r.one / base.one).toFixed(2)}×`.padStart(7),
    r.two.toFixed(1).padStart(12),
    `${(r.two / base.two).toFixed(2)}×`.padStart(7),
  );
}
if (sink === 42) console.log('');
