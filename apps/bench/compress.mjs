// Compression micro-benchmark: a 100 MiB body streamed in 64 KiB chunks through
// `@pagi/middleware-compress` (gzip, level 6) against the same chunks piped through a bare
// `zlib.createGzip()` (stream.pipeline into a byte-counting sink). The middleware pays for the
// kit's pump (one awaited send per output chunk), the header decision and the promise per
// step; the target is `ratio compress/zlib` ≥ 0.9 (throughput, higher is better).
//
//   (cd packages/spec && npx tsup) && (cd packages/middleware-compress && npx tsup) && node apps/bench/compress.mjs
//   # knobs: MIB=100 ROUNDS=5
//
// Indicative only: one process, rounds interleaved, median reported; the machine is shared.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const { compress } = await import('../../packages/middleware-compress/dist/index.js');

const MIB = Number(process.env.MIB ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const CHUNK = 64 * 1024;
const COUNT = (MIB * 1024 * 1024) / CHUNK;

// 1 MiB of random words (compresses ~3×, like real text); chunks are slices of it.
const WORDS = ['pagi', 'stream', 'gateway', 'async', 'scope', 'receive', 'send', 'body', 'header', 'zlib'];
let text = '';
while (text.length < 1024 * 1024) text += `${WORDS[Math.floor(Math.random() * WORDS.length)]} `;
const source = Buffer.from(text.slice(0, 1024 * 1024));
const chunkAt = (i) => source.subarray((i * CHUNK) % source.length, ((i * CHUNK) % source.length) + CHUNK);

async function viaZlib() {
  let bytes = 0;
  const chunks = (function* () {
    for (let i = 0; i < COUNT; i++) yield chunkAt(i);
  })();
  await pipeline(
    Readable.from(chunks),
    createGzip({ level: 6 }),
    new Writable({
      write(chunk, _enc, done) {
        bytes += chunk.length;
        done();
      },
    }),
  );
  return bytes;
}

const app = async (_scope, _receive, send) => {
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
  for (let i = 0; i < COUNT; i++) await send({ type: 'http.response.body', body: chunkAt(i), more: true });
  await send({ type: 'http.response.body' });
};
const wrapped = compress({ encodings: ['gzip'], level: 6 })(app);

async function viaCompress() {
  let bytes = 0;
  const scope = {
    type: 'http',
    pagi: { version: '0.3', spec_version: '0.3' },
    http_version: '1.1',
    method: 'GET',
    scheme: 'http',
    path: '/',
    raw_path: '/',
    query_string: '',
    root_path: '',
    headers: [['accept-encoding', 'gzip']],
    client: null,
    server: null,
    state: {},
    extensions: {},
    'pagi.keys': null,
  };
  // A send that, like a socket with room, resolves at once.
  await wrapped(
    scope,
    async () => ({ type: 'http.disconnect' }),
    async (event) => {
      if (event.type === 'http.response.body' && event.body) bytes += event.body.byteLength;
    },
  );
  return bytes;
}

async function time(run) {
  const t = process.hrtime.bigint();
  const bytes = await run();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, bytes };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await time(viaZlib); // warm-up
await time(viaCompress);
const z = [];
const c = [];
for (let r = 0; r < ROUNDS; r++) {
  const a = await time(viaZlib);
  const b = await time(viaCompress);
  z.push(a.ms);
  c.push(b.ms);
  console.log(
    `round ${r + 1}: zlib ${a.ms.toFixed(0)} ms (${a.bytes} B out), compress ${b.ms.toFixed(0)} ms (${b.bytes} B out)`,
  );
}
const mbps = (ms) => ((MIB / ms) * 1000).toFixed(1);
console.log(`zlib pipe       ${mbps(median(z))} MiB/s (median of ${ROUNDS})`);
console.log(`compress (gzip) ${mbps(median(c))} MiB/s`);
console.log(`ratio compress/zlib ${(median(z) / median(c)).toFixed(2)}`);
