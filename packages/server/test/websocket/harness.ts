/**
 * A minimal server for the WebSocket and SSE suites: node:http plus the two handlers and a
 * recording ServerContext. It lets these suites run without the rest of the HTTP core, and lets
 * them look at what the server logged and which connections it tracked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { acceptsEventStream, type App } from '@pagi/spec';
import type { AccessLogEntry, LongLivedConnection, ServerContext } from '../../src/internal/context.js';
import { resolveOptions, type ServerOptions } from '../../src/options.js';
import { handleSse } from '../../src/sse/index.js';
import { createWebSocketHandler } from '../../src/websocket/index.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  detail?: unknown;
}

export interface Harness {
  server: Server;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  logs: LogEntry[];
  /** Resolves with the first log entry (already written or still to come) whose message includes `text`. */
  logged(text: string): Promise<LogEntry>;
  access: AccessLogEntry[];
  tracked: Set<LongLivedConnection>;
  /** Graceful stop as the server does it: refuse new long-lived connections, shut the others down. */
  stop(): void;
  close(): Promise<void>;
}

export async function startHarness(app: App, overrides: ServerOptions = {}): Promise<Harness> {
  const logs: LogEntry[] = [];
  const access: AccessLogEntry[] = [];
  const tracked = new Set<LongLivedConnection>();
  let stopping = false;
  const logWaiters = new Set<(entry: LogEntry) => void>();
  const log =
    (level: LogEntry['level']) =>
    (message: string, detail?: unknown): void => {
      const entry = { level, message, detail };
      logs.push(entry);
      for (const waiter of [...logWaiters]) waiter(entry);
    };
  const ctx: ServerContext = {
    app,
    options: resolveOptions({ port: 0, accessLog: 'common', ...overrides }),
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    state: { shared: 'yes' },
    get stopping() {
      return stopping;
    },
    track(connection) {
      tracked.add(connection);
    },
    untrack(connection) {
      tracked.delete(connection);
    },
    accessLog(entry) {
      access.push(entry);
    },
    extensionsFor(type: 'http' | 'websocket' | 'sse', _socket: Socket): Record<string, object> {
      return type === 'websocket' ? { 'websocket.http.response': {} } : { fullflush: {} };
    },
  };
  const ws = createWebSocketHandler(ctx);
  const server = createServer((req, res) => {
    // The real server sends only GETs here (D-14); any method is let through so the body path is testable.
    if (acceptsEventStream(req.headers.accept)) handleSse(ctx, req, res);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  // No keep-alive timer: a connection the handlers should close stays open (and the test hangs)
  // if they don't, instead of closing by itself after 5 s and hiding the bug.
  server.keepAliveTimeout = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req, socket, head) => ws.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    logs,
    logged(text) {
      const seen = logs.find((entry) => entry.message.includes(text));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const waiter = (entry: LogEntry): void => {
          if (!entry.message.includes(text)) return;
          logWaiters.delete(waiter);
          resolve(entry);
        };
        logWaiters.add(waiter);
      });
    },
    access,
    tracked,
    stop() {
      stopping = true;
      for (const connection of [...tracked]) connection.shutdown();
    },
    async close() {
      ws.close();
      // Upgraded sockets are no longer the HTTP server's to close.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A promise with its resolve function outside, for events a test waits on. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
