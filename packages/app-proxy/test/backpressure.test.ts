/**
 * Nothing is buffered: with a client that stops reading (@pagi/test's backpressure emulation,
 * highWaterMark 0) the backend's writes stall far short of the body; with a backend that stops
 * reading, the client's body is pulled no further. Then everything arrives intact.
 */
import { createHash } from 'node:crypto';
import { TestClient } from '@pagi/test';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ProxyApp, proxy } from '../src/index.js';
import { BIG_CHUNK, type Backend, patternChunk, startBackend, until } from './backend.js';

const CHUNKS = 768; // 48 MiB
const TOTAL = CHUNKS * BIG_CHUNK;
// Loopback socket buffers plus undici's stream buffer hold a few MiB; half the body is far past that.
const BOUND = TOTAL / 2;

let backend: Backend;
let app: ProxyApp;
beforeAll(async () => {
  backend = await startBackend();
  app = proxy({ target: backend.url });
});
afterAll(async () => {
  await app.close();
  await backend.close();
});

/** Waits until `value()` has stopped changing for 300 ms (bounded), then returns it. */
async function settled(value: () => number): Promise<number> {
  let last = -1;
  let sameSince = Date.now();
  await until(
    () => {
      const v = value();
      if (v !== last) {
        last = v;
        sameSince = Date.now();
      }
      return v > 0 && Date.now() - sameSince > 300;
    },
    20_000,
    'the transfer to stall',
  );
  return last;
}

it('response body: a client that stops reading stalls the backend; the whole 48 MiB then arrives intact', async () => {
  const client = new TestClient(app, { timeout: 30_000 });
  const res = await client.stream('GET', `/big?chunks=${CHUNKS}`, { highWaterMark: 0 });
  expect(res.status).toBe(200);
  const it = res[Symbol.asyncIterator]();
  const first = await it.next();
  const written = await settled(() => backend.bigWritten);
  expect(written).toBeLessThan(BOUND);
  const expected = createHash('sha256');
  for (let i = 0; i < CHUNKS; i++) expected.update(patternChunk(i));
  const got = createHash('sha256').update(first.value as Buffer);
  let length = (first.value as Buffer).length;
  for (let step = await it.next(); !step.done; step = await it.next()) {
    got.update(step.value);
    length += step.value.length;
  }
  expect(length).toBe(TOTAL);
  expect(got.digest('hex')).toBe(expected.digest('hex'));
  expect(res.flow!.maxBuffered).toBeLessThanOrEqual(BIG_CHUNK * 2);
}, 60_000);

it('request body: a backend that does not read stops the pulling of the client body; then it all arrives', async () => {
  let yielded = 0;
  const expected = createHash('sha256');
  async function* upload() {
    for (let i = 0; i < CHUNKS; i++) {
      const chunk = patternChunk(i);
      expected.update(chunk);
      yielded += chunk.length;
      yield chunk;
    }
  }
  const client = new TestClient(app, { timeout: 30_000 });
  const pending = client.post('/upload', { body: upload() });
  const pulled = await settled(() => yielded);
  expect(pulled).toBeLessThan(BOUND);
  backend.releaseUpload();
  const res = await pending;
  expect(res.status).toBe(200);
  expect(res.json()).toEqual({ length: TOTAL, sha256: expected.digest('hex') });
}, 60_000);
