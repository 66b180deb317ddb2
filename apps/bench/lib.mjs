// Shared plumbing for the benchmarks: start a server child pinned to a core, run a load tool.
import { execFile, execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { cpus } from 'node:os';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);

export function hasCommand(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const canPin = hasCommand('taskset') && cpus().length >= 2;

/** Forks `file` (pinned to `core` when possible) and resolves with { child, port } once it listens. */
export function startChild(file, core = 0, execArgv = []) {
  const child = canPin
    ? spawn('taskset', ['-c', String(core), process.execPath, ...execArgv, file], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
    : fork(file, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before listening`)));
    child.on('message', (m) => {
      if (m && typeof m.port === 'number') resolve({ child, port: m.port });
    });
  });
}

export function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The knobs every HTTP load benchmark takes: --rounds, --duration (s), --connections, --warmup (s). */
export function loadOptions() {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '50' },
      warmup: { type: 'string', default: '2' },
    },
  });
  return {
    rounds: Number(values.rounds),
    duration: Number(values.duration),
    connections: Number(values.connections),
    warmup: Number(values.warmup),
  };
}

export const useWrk = hasCommand('wrk');

/**
 * Loads `url` for `seconds` with wrk (on core `pinCore` when given and pinning works), else
 * autocannon; fails on any non-2xx answer. Resolves with { rps, p99 (ms), requests }.
 */
export async function loadHttp(url, { seconds, connections, headers = [], pinCore }) {
  if (useWrk) {
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
    for (const [k, v] of headers) args.push('-H', `${k}: ${v}`);
    args.push(url);
    const { stdout } =
      pinCore !== undefined && canPin
        ? await run('taskset', ['-c', String(pinCore), 'wrk', ...args])
        : await run('wrk', args);
    const errors = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
    if (errors) throw new Error(`wrk saw ${errors[1]} non-2xx responses`);
    return {
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]),
      p99: parseLatency(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? ''),
      requests: Number(/(\d+) requests in/.exec(stdout)?.[1]),
    };
  }
  const autocannon = (await import('autocannon')).default;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers: Object.fromEntries(headers),
  });
  if (result.non2xx > 0) throw new Error(`autocannon saw ${result.non2xx} non-2xx responses`);
  return { rps: result.requests.average, p99: result.latency.p99, requests: result.requests.total };
}

/** wrk prints latencies as `1.23ms`, `456.00us` or `1.20s`; milliseconds out. */
export function parseLatency(text) {
  const m = /^\s*([\d.]+)(us|ms|s)$/.exec(text);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A masked client text frame (RFC 6455 §5.2), built once: the generator only copies bytes. */
export function wsClientFrame(size) {
  const payload = Buffer.alloc(size, 'x');
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
  return Buffer.concat([Buffer.from([0x81, 0x80 | size]), mask, masked]);
}

/** A raw loopback socket that completed a WebSocket handshake (checked: 101), Nagle off. */
export async function rawWsClient(port) {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  socket.write(
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  let head = '';
  while (!head.includes('\r\n\r\n')) head += String((await once(socket, 'data'))[0]);
  if (!head.startsWith('HTTP/1.1 101')) throw new Error(`handshake refused: ${head.split('\r\n')[0]}`);
  return socket;
}
