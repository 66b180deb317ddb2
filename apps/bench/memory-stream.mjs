// Peak server RSS while streaming 1 GiB to a slow reader and while receiving a 1 GiB upload.
// Usage: node apps/bench/memory-stream.mjs [--gib 1]   (build packages/spec and packages/server first)
// Pass: both peaks under 150 MB. The server runs in its own process (core 0 when taskset exists).
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startChild, stopChild } from './lib.mjs';

const { values } = parseArgs({ options: { gib: { type: 'string', default: '1' } } });
const TOTAL = Math.round(Number(values.gib) * 1024 * 1024 * 1024);
const LIMIT = 150 * 1024 * 1024;

function ask(child, message) {
  return new Promise((resolve) => {
    const onMessage = (m) => {
      if (m && typeof m.peak === 'number') {
        child.off('message', onMessage);
        resolve(m.peak);
      }
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

/** Reads the whole response, pausing 5 ms after every 8 MiB so the server outpaces the reader. */
function slowDownload(port) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let seen = 0;
    let sincePause = 0;
    socket.on('error', reject);
    socket.on('data', (data) => {
      seen += data.length;
      sincePause += data.length;
      if (sincePause >= 8 * 1024 * 1024) {
        sincePause = 0;
        socket.pause();
        setTimeout(() => socket.resume(), 5);
      }
    });
    socket.on('close', () => resolve(seen));
    socket.write(`GET /download?bytes=${TOTAL} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n`);
  });
}

function upload(port) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setEncoding('latin1');
    socket.on('error', reject);
    socket.on('data', (d) => {
      reply += d;
    });
    socket.on('close', () => resolve(reply));
    socket.write(
      `POST /upload HTTP/1.1\r\nHost: bench\r\nContent-Length: ${TOTAL}\r\nConnection: close\r\n\r\n`,
    );
    const chunk = Buffer.alloc(256 * 1024, 0x79);
    let written = 0;
    const pump = () => {
      while (written < TOTAL) {
        const n = Math.min(chunk.length, TOTAL - written);
        written += n;
        if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n)))
          return socket.once('drain', pump);
      }
    };
    pump();
  });
}

const here = fileURLToPath(new URL('.', import.meta.url));
const { child, port } = await startChild(`${here}servers/pagi-stream.mjs`, 0);
try {
  const idle = await ask(child, 'reset');
  let t = performance.now();
  const seen = await slowDownload(port);
  const downloadPeak = await ask(child, 'peak');
  const downloadSecs = (performance.now() - t) / 1000;
  if (seen < TOTAL) throw new Error(`download: got ${seen} bytes, expected more than ${TOTAL}`);
  await ask(child, 'reset');
  t = performance.now();
  const reply = await upload(port);
  const uploadPeak = await ask(child, 'peak');
  const uploadSecs = (performance.now() - t) / 1000;
  if (!reply.endsWith(`\r\n\r\n${TOTAL}`))
    throw new Error(`upload: unexpected reply ${JSON.stringify(reply.slice(-200))}`);
  const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  console.log(`node ${process.version}, ${(TOTAL / 1024 ** 3).toFixed(2)} GiB each way`);
  console.log(`idle server RSS            ${mb(idle)}`);
  console.log(`download to a slow reader  peak RSS ${mb(downloadPeak)}  (${downloadSecs.toFixed(1)} s)`);
  console.log(`upload to a discarding app peak RSS ${mb(uploadPeak)}  (${uploadSecs.toFixed(1)} s)`);
  const ok = downloadPeak < LIMIT && uploadPeak < LIMIT;
  console.log(ok ? 'PASS: peak RSS < 150 MB' : 'FAIL: peak RSS >= 150 MB');
  process.exitCode = ok ? 0 : 1;
} finally {
  await stopChild(child);
}
