import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { App } from '@pagi/spec';
import type { ServerOptions } from '../../src/options.js';
import { createServer, type PagiServer } from '../../src/server.js';

export interface StartedServer {
  server: PagiServer;
  url: string;
  port: number;
  /** Lines written to the server log (logLevel debug unless overridden). */
  logs: string[];
  close(): Promise<void>;
}

/** A writable that collects lines, for asserting on logs. */
export function lineSink(lines: string[]): Writable {
  return new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line !== '') lines.push(line);
      cb();
    },
  });
}

/**
 * Starts a server on 127.0.0.1 port 0 with the log captured (not printed).
 *
 * @example
 * const { url, close } = await startServer(app);
 */
export async function startServer(app: App, options: ServerOptions = {}): Promise<StartedServer> {
  const logs: string[] = [];
  const server = createServer(app, {
    host: '127.0.0.1',
    port: 0,
    logLevel: 'debug',
    logStream: lineSink(logs),
    shutdownTimeout: 2000,
    lifespan: 'off',
    ...options,
  });
  await server.listen();
  return { server, url: server.url, port: server.port, logs, close: () => server.close() };
}

/** A raw TCP client: write bytes, collect everything until the server closes. */
export interface RawClient {
  socket: Socket;
  /** Everything received so far, latin1. */
  data(): string;
  /** Resolves with all bytes once the server closed the connection. */
  closed: Promise<string>;
  /** Resolves once the received text matches `pattern`. */
  waitFor(pattern: RegExp | string): Promise<string>;
}

export async function rawClient(port: number, localAddress?: string): Promise<RawClient> {
  const socket = connect({
    port,
    host: '127.0.0.1',
    ...(localAddress === undefined ? {} : { localAddress }),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buffer = '';
  const waiters: Array<() => void> = [];
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (const w of waiters.slice()) w();
  });
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(buffer)));
  return {
    socket,
    data: () => buffer,
    closed,
    waitFor(pattern) {
      const test = (): boolean =>
        typeof pattern === 'string' ? buffer.includes(pattern) : pattern.test(buffer);
      if (test()) return Promise.resolve(buffer);
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (test()) {
            waiters.splice(waiters.indexOf(check), 1);
            resolve(buffer);
          }
        };
        waiters.push(check);
        closed.then(() => {
          if (!test())
            reject(
              new Error(`connection closed before ${String(pattern)} arrived; got ${JSON.stringify(buffer)}`),
            );
        });
      });
    },
  };
}

/** A deferred promise, for waiting on events from inside an app. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The hello-world app used across tests. */
export const helloApp: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') throw new Error(`unsupported scope ${scope.type}`);
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
  await send({ type: 'http.response.body', body: 'Hello, World!' });
};
