/**
 * Counting user-space instructions per request under callgrind: the method of
 * `instructions.mjs` (see its header and the README), shared with `legacy.mjs`.
 * `countPerUnit(server, { warmup, requests })` starts `server.args` under callgrind and drives
 * it with the `server.load` client ('http', 'http12', 'users', 'post', 'ws' or 'h2') run as `node callgrind.mjs --drive`.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { rawWsClient, wsClientFrame } from './lib.mjs';

const run = promisify(execFile);
const SELF = fileURLToPath(import.meta.url);

const BROWSER =
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36\r\n' +
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n' +
  'Accept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate, br\r\nCache-Control: max-age=0\r\n' +
  'Cookie: session=3f2a9c0e7b; theme=dark; _ga=GA1.1.123456789.1700000000\r\n' +
  'Referer: http://127.0.0.1/index.html\r\nSec-Fetch-Dest: document\r\nSec-Fetch-Mode: navigate\r\n' +
  'Sec-Fetch-Site: same-origin\r\nUpgrade-Insecure-Requests: 1\r\nDNT: 1\r\n';

// --- load side: a child process that sends exactly `count` requests or messages ----------------

async function driveHttp(port, count, browser, users) {
  const target = users ? '/users/42' : '/';
  // The last bytes of each answer's body: one marker seen = one response complete.
  const marker = users ? '"name":"Ada"}' : 'Hello, World!';
  const request = Buffer.from(
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${browser ? BROWSER : ''}\r\n`,
  );
  let left = count;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      await new Promise((resolve, reject) => {
        let text = '';
        const next = () => {
          if (left <= 0) {
            socket.end();
            resolve();
          } else {
            left--;
            socket.write(request);
          }
        };
        socket.on('data', (chunk) => {
          text += chunk.toString('latin1');
          for (let i = text.indexOf(marker); i !== -1; i = text.indexOf(marker)) {
            text = text.slice(i + marker.length);
            next();
          }
        });
        socket.on('error', reject);
        next();
      });
    }),
  );
}

/**
 * `post`: a 64 KiB POST per request (post-echo.mjs's load), each answer a head plus the echoed
 * 64 KiB body; 10 keep-alive connections, one request in flight each.
 */
async function drivePost(port, count) {
  const size = 65536;
  const request = Buffer.concat([
    Buffer.from(
      `POST /echo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/octet-stream\r\n` +
        `Content-Length: ${size}\r\n\r\n`,
    ),
    Buffer.alloc(size, 0x61),
  ]);
  let left = count;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      await new Promise((resolve, reject) => {
        let head = '';
        let bodyLeft = -1;
        const next = () => {
          if (left <= 0) {
            socket.end();
            resolve();
          } else {
            left--;
            socket.write(request);
          }
        };
        socket.on('data', (chunk) => {
          let offset = 0;
          while (offset < chunk.length) {
            if (bodyLeft < 0) {
              const text = chunk.toString('latin1', offset, Math.min(chunk.length, offset + 512));
              const joined = head + text;
              const end = joined.indexOf('\r\n\r\n');
              if (end === -1) {
                head = joined;
                offset += text.length;
                continue;
              }
              if (!joined.startsWith('HTTP/1.1 200'))
                return reject(new Error(`bad answer: ${joined.slice(0, 80)}`));
              offset += end + 4 - head.length;
              head = '';
              bodyLeft = size;
            }
            const take = Math.min(bodyLeft, chunk.length - offset);
            bodyLeft -= take;
            offset += take;
            if (bodyLeft === 0) {
              bodyLeft = -1;
              next();
            }
          }
        });
        socket.on('error', reject);
        next();
      });
    }),
  );
}

async function driveWs(port, count) {
  const size = 32;
  const frame = wsClientFrame(size);
  let left = count;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      const socket = await rawWsClient(port);
      await new Promise((resolve) => {
        let pending = 0;
        socket.on('data', (chunk) => {
          pending += chunk.length;
          while (pending >= 2 + size) {
            pending -= 2 + size;
            if (left-- > 0) socket.write(frame);
            else {
              socket.destroy();
              return resolve();
            }
          }
        });
        left--;
        socket.write(frame);
      });
    }),
  );
}

/** h2c: exactly `count` GET / over 10 connections x 10 concurrent streams (h2load, Debian nghttp2-client). */
async function driveH2(port, count) {
  const { stdout } = await run('h2load', [
    '-n',
    String(count),
    '-c',
    '10',
    '-m',
    '10',
    `http://127.0.0.1:${port}/`,
  ]);
  const done = /(\d+) succeeded, (\d+) failed/.exec(stdout);
  if (done === null || Number(done[1]) !== count) throw new Error(`h2load did not complete:\n${stdout}`);
}

// --- measuring side ----------------------------------------------------------------------------

/** Starts `args` under callgrind; resolves with the child and its port (IPC message or stdout line). */
export async function startUnderCallgrind(args, outDir) {
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${join(outDir, 'cg.out')}`,
      '--smc-check=all-non-file',
      // Profiling (see README): CG_EXTRA='--dump-instr=yes --compress-pos=no --compress-strings=no'
      // NODE_EXTRA=--perf-basic-prof KEEP=DIR keeps each counted dump as DIR/<name>.cg.
      ...(process.env.CG_EXTRA ? process.env.CG_EXTRA.split(' ') : []),
      process.execPath,
      ...(process.env.NODE_EXTRA ? process.env.NODE_EXTRA.split(' ') : []),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'ignore', 'ipc'] },
  );
  const port = await new Promise((resolve, reject) => {
    child.on('message', (m) => typeof m?.port === 'number' && resolve(m.port));
    child.stdout.on('data', (d) => {
      const n = Number(String(d).trim());
      if (Number.isInteger(n) && n > 0) resolve(n);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  return { child, port };
}

/**
 * Instructions per request (or message) of `server`, counted in `windows` windows of `requests`
 * each, in one process: `warmup` requests, a settling round (not counted), then each window
 * zeroed before and dumped after. Returns every window's figure, in order.
 *
 * One window alone swings by 2-35k instructions per request when a mark-compact, a TurboFan
 * compile or V8's concurrent marking lands in it (session 7: node-http2 98.6k and 121k in two runs
 * against 85k, the middleware stack 7k); such an event is rare and lands on either side of a
 * comparison. The median of windows counted the same way for every server drops it, while the
 * frequent scavenges (several per window) stay in every window. KEEP keeps the median window.
 */
export async function countWindows(server, { warmup, requests, windows = 1 }) {
  const outDir = mkdtempSync(join(tmpdir(), 'pagi-cg-'));
  const { child, port } = await startUnderCallgrind(server.args, outDir);
  const drive = (n) => run(process.execPath, [SELF, '--drive', server.load, String(port), String(n)]);
  const control = (flag) => run('callgrind_control', [flag, String(child.pid)]);
  try {
    await drive(warmup);
    await control('-z');
    await drive(requests); // settles what the warm-up left behind; not counted
    const texts = [];
    for (let w = 0; w < windows; w++) {
      await control('-z');
      await drive(requests);
      await control('-d');
      const seen = new Set(texts.map((t) => t.file));
      const file = readdirSync(outDir).find((f) => f !== 'cg.out' && !seen.has(f));
      texts.push({ file, text: readFileSync(join(outDir, file), 'utf8') });
    }
    const per = texts.map(({ text }) => Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1]) / requests);
    if (process.env.KEEP) {
      const name = (server.name ?? 'server').replace(/[^\w.-]+/g, '_');
      writeFileSync(join(process.env.KEEP, `${name}.cg`), texts[per.indexOf(median(per))].text);
      console.error(
        `kept ${name}.cg (pid ${child.pid}: /tmp/perf-${child.pid}.map with NODE_EXTRA=--perf-basic-prof)`,
      );
    }
    return per;
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** The median (lower middle) of `values`. */
export function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[(sorted.length - 1) >> 1];
}

/** {@link countWindows}' median window; with `windows` > 1 every window is printed too. */
export async function countPerUnit(server, opts) {
  const per = await countWindows(server, opts);
  if (per.length > 1) {
    const mean = per.reduce((x, y) => x + y, 0) / per.length;
    console.log(
      `  ${server.name ?? 'server'} windows ${per.map((n) => Math.round(n)).join(', ')} (mean ${Math.round(mean)})`,
    );
  }
  return median(per);
}

if (process.argv[1] === SELF) {
  const driveIndex = process.argv.indexOf('--drive');
  const [load, port, count] = process.argv.slice(driveIndex + 1);
  if (load === 'ws') await driveWs(Number(port), Number(count));
  else if (load === 'h2') await driveH2(Number(port), Number(count));
  else if (load === 'post') await drivePost(Number(port), Number(count));
  else await driveHttp(Number(port), Number(count), load === 'http12', load === 'users');
}

/**
 * Instructions per call of an in-process loop under callgrind (no sockets): `args` start a child
 * that prints `ready`, then, for each number `n` written to its stdin, runs `n` calls and prints
 * `done`. One round settles the JIT and is not counted; the second is. The method of
 * `middleware-layers.mjs`, `router-users.mjs` and `fetch-bridge.mjs`; `KEEP`, `CG_EXTRA` and
 * `NODE_EXTRA` work as for servers (the dump is kept as `<name>.cg`).
 */
export async function countLoop(name, args, n) {
  const out = mkdtempSync(join(tmpdir(), 'pagi-loop-'));
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${join(out, 'cg.out')}`,
      '--smc-check=all-non-file',
      ...(process.env.CG_EXTRA ? process.env.CG_EXTRA.split(' ') : []),
      process.execPath,
      ...(process.env.NODE_EXTRA ? process.env.NODE_EXTRA.split(' ') : []),
      ...args,
    ],
    { stdio: ['pipe', 'pipe', 'ignore'] },
  );
  const wait = (word) =>
    new Promise((resolve) => {
      const on = (d) => {
        if (String(d).includes(word)) {
          child.stdout.off('data', on);
          resolve();
        }
      };
      child.stdout.on('data', on);
    });
  const control = (flag) => run('callgrind_control', [flag, String(child.pid)]);
  try {
    await wait('ready');
    await control('-z');
    child.stdin.write(`${n}\n`);
    await wait('done');
    await control('-z');
    child.stdin.write(`${n}\n`);
    await wait('done');
    await control('-d');
    const dump = readdirSync(out).find((f) => f !== 'cg.out');
    const text = readFileSync(join(out, dump), 'utf8');
    if (process.env.KEEP) {
      writeFileSync(join(process.env.KEEP, `${name}.cg`), text);
      console.error(
        `kept ${name}.cg (pid ${child.pid}: /tmp/perf-${child.pid}.map with NODE_EXTRA=--perf-basic-prof)`,
      );
    }
    return Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1]) / n;
  } finally {
    // Wait for the exit: callgrind writes its last file while it shuts down, and removing the
    // directory under it fails with ENOTEMPTY.
    const exited = child.exitCode !== null || child.signalCode !== null ? undefined : once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * {@link countLoop} for each name, two at a time (one per core of the bench machine); `argsOf(name)`
 * gives the child's arguments. Returns instructions per call by name.
 */
export async function countLoops(names, argsOf, n) {
  const results = {};
  for (let i = 0; i < names.length; i += 2) {
    const pair = names.slice(i, i + 2);
    const counts = await Promise.all(pair.map((name) => countLoop(name, argsOf(name), n)));
    pair.forEach((name, k) => {
      results[name] = counts[k];
    });
  }
  return results;
}
