/** A real node:http + ws backend for the proxy tests, with routes for each behaviour under test. */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface Backend {
  url: string;
  port: number;
  server: Server;
  /** Every request the backend saw: method, url and raw headers (lowercased names). */
  seen: { method: string; url: string; headers: [string, string][] }[];
  /** Bytes written so far by the current `/big` response. */
  bigWritten: number;
  /** Bytes of request body read so far by `/upload`; `release()` lets it read. */
  uploadRead: number;
  releaseUpload: () => void;
  /** The open `/sse` response: the test writes to it. */
  sse: ServerResponse | undefined;
  sseOpened: Promise<ServerResponse>;
  close: () => Promise<void>;
}

export const BIG_CHUNK = 64 * 1024;
/** Byte `i` of every generated body, so the far end can check content without storing it. */
export function patternChunk(index: number, size = BIG_CHUNK): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) b.writeUInt32BE((index * size + i) >>> 0, i);
  return b;
}

function headersOf(req: IncomingMessage): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    out.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
  return out;
}

export async function startBackend(): Promise<Backend> {
  let releaseUpload!: () => void;
  let uploadGate = new Promise<void>((r) => {
    releaseUpload = r;
  });
  let openSse!: (res: ServerResponse) => void;
  const state: Backend = {
    url: '',
    port: 0,
    server: undefined as never,
    seen: [],
    bigWritten: 0,
    uploadRead: 0,
    releaseUpload: () => releaseUpload(),
    sse: undefined,
    sseOpened: new Promise((r) => {
      openSse = r;
    }),
    close: async () => {},
  };
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    state.seen.push({ method: req.method!, url: req.url!, headers: headersOf(req) });
    switch (url.pathname.startsWith('/echo') ? '/echo' : url.pathname) {
      case '/echo': {
        const hash = createHash('sha256');
        let length = 0;
        for await (const chunk of req) {
          hash.update(chunk);
          length += chunk.length;
        }
        const body = JSON.stringify({
          method: req.method,
          url: req.url,
          headers: headersOf(req),
          length,
          sha256: hash.digest('hex'),
        });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      case '/hop':
        res.setHeader('Connection', 'keep-alive, X-Internal');
        res.setHeader('X-Internal', 'secret');
        res.setHeader('Keep-Alive', 'timeout=5');
        res.setHeader('Proxy-Connection', 'keep-alive');
        res.setHeader('Upgrade', 'h2c');
        res.setHeader('Trailer', 'x-sum');
        res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/']);
        res.setHeader('X-Kept', 'yes');
        res.end('hop');
        return;
      case '/status': {
        const text = `status ${url.searchParams.get('code')}`;
        const code = Number(url.searchParams.get('code'));
        res.writeHead(
          code,
          code === 204 ? {} : { 'content-type': 'text/plain', 'content-length': text.length },
        );
        res.end(text);
        return;
      }
      case '/big': {
        const chunks = Number(url.searchParams.get('chunks'));
        state.bigWritten = 0;
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': chunks * BIG_CHUNK,
        });
        for (let i = 0; i < chunks; i++) {
          const chunk = patternChunk(i);
          state.bigWritten += chunk.length;
          if (!res.write(chunk)) await once(res, 'drain');
        }
        res.end();
        return;
      }
      case '/upload': {
        await uploadGate;
        uploadGate = Promise.resolve();
        const hash = createHash('sha256');
        for await (const chunk of req) {
          hash.update(chunk);
          state.uploadRead += chunk.length;
        }
        res.end(JSON.stringify({ length: state.uploadRead, sha256: hash.digest('hex') }));
        return;
      }
      case '/early': // answers before reading the request body, then closes
        res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' });
        res.end('too large');
        return;
      case '/hang': // never answers: the proxy's headersTimeout fires
        return;
      case '/die': // starts a body, then the connection drops
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 1000 });
        res.write('partial');
        setTimeout(() => res.socket?.destroy(), 50);
        return;
      case '/stall': // starts a body, then goes silent: the proxy's idleTimeout fires
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        return;
      case '/sse':
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          'x-from': 'backend',
        });
        res.flushHeaders();
        state.sse = res;
        openSse(res);
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('no such route');
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('chat.v2') ? 'chat.v2' : false),
  });
  server.on('upgrade', (req, socket, head) => {
    state.seen.push({ method: req.method!, url: req.url!, headers: headersOf(req) });
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/ws-refuse') {
      socket.end(
        'HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 4\r\nx-reason: policy\r\n\r\nnope',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wsRoute(path, ws, req));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  state.port = port;
  state.url = `http://127.0.0.1:${port}`;
  state.server = server;
  state.close = async () => {
    for (const c of wss.clients) c.terminate();
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  };
  return state;
}

function wsRoute(path: string, ws: WebSocket, req: IncomingMessage): void {
  if (path === '/ws-echo') {
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? undefined : data.toString();
      if (text === 'close-4001') ws.close(4001, 'bye from backend');
      else if (text === 'drop') (ws as unknown as { _socket: import('node:net').Socket })._socket.destroy();
      else if (text === 'whoami')
        ws.send(JSON.stringify({ host: req.headers.host, xff: req.headers['x-forwarded-for'] }));
      else ws.send(data, { binary: isBinary });
    });
    ws.on('close', (code, reason) => {
      lastWsClose = { code, reason: reason.toString() };
      wsClosed?.();
    });
  } else {
    ws.close(1008, 'no such route');
  }
}

export let lastWsClose: { code: number; reason: string } | undefined;
let wsClosed: (() => void) | undefined;
/** Resolves when the backend's next WebSocket session closes, with its code and reason. */
export function nextBackendClose(): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    wsClosed = () => resolve(lastWsClose!);
  });
}

/** Polls `check` every 20 ms until it is true; fails after `ms` (a generous bound, not a wait). */
export async function until(check: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
