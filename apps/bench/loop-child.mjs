/**
 * The child side of the in-process loops counted by `countLoop` (callgrind.mjs): a server-like
 * `http` scope per call, and the stdin protocol (`ready`, then `done` after each round of `n`
 * calls). Used by layer-loop.mjs, fetch-bridge-loop.mjs and router-users.mjs.
 */
const PAGI = Object.freeze({ version: '0.3', spec_version: '0.3' });

/** `pagi.connection` as the server gives it, with nothing to report. */
class Connection {
  on_disconnect() {}
  disconnect_reason() {
    return undefined;
  }
}

/** A fresh scope of the server's shape (one literal, same key order), as @pagi/server builds it. */
export function serverLikeScope(method, path, headers) {
  return {
    type: 'http',
    pagi: PAGI,
    http_version: '1.1',
    scheme: 'http',
    method,
    path,
    raw_path: path,
    query_string: '',
    root_path: '',
    headers: headers.slice(),
    client: ['127.0.0.1', 5000],
    server: ['127.0.0.1', 8000],
    state: {},
    extensions: {},
    'pagi.connection': new Connection(),
    'pagi.transport': {},
    'pagi.keys': null,
  };
}

/**
 * Runs `call()` `warm` times, prints `ready`, then for each number read on stdin runs that many
 * calls and prints `done <sink()>` (the sink keeps the work observable).
 */
export async function serveLoop(call, warm, sink) {
  const loop = async (n) => {
    for (let i = 0; i < n; i++) await call();
  };
  await loop(warm);
  process.stdout.write('ready\n');
  process.stdin.on('data', async (d) => {
    await loop(Number(String(d).trim()));
    process.stdout.write(`done ${sink()}\n`);
  });
}
