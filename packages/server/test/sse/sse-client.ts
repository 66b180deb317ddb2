import { connect, type Socket } from 'node:net';
import { createEventStreamParser, type ParsedStream } from './event-stream-parser.js';

/**
 * A raw HTTP/1.1 client for event streams: it keeps the exact bytes (to check chunk framing and
 * the terminator), de-chunks the body and feeds it to the EventSource-style parser.
 */
export interface SseClient {
  socket: Socket;
  status: number;
  headers: Record<string, string>;
  raw: () => string;
  body: () => string;
  stream: ParsedStream;
  /** true once the zero-length chunk arrived. */
  terminated: () => boolean;
  /** Resolves when `check` holds, re-checked on every chunk; rejects if the socket closes first. */
  until(check: (client: SseClient) => boolean): Promise<void>;
  closed: Promise<void>;
}

export function openSse(
  port: number,
  path = '/events',
  extra = '',
  accept = 'text/event-stream',
  method = 'GET',
): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('latin1');
    const parser = createEventStreamParser();
    let raw = '';
    let pending = '';
    let headDone = false;
    let body = '';
    let terminated = false;
    let closedFlag = false;
    const waiters = new Set<() => void>();
    const client: SseClient = {
      socket,
      status: 0,
      headers: {},
      raw: () => raw,
      body: () => body,
      stream: parser.result,
      terminated: () => terminated,
      until(check) {
        return new Promise((ok, fail) => {
          const test = (): void => {
            if (check(client)) {
              waiters.delete(test);
              ok();
            } else if (closedFlag) {
              waiters.delete(test);
              fail(
                new Error(`stream closed before the condition held; body so far: ${JSON.stringify(body)}`),
              );
            }
          };
          waiters.add(test);
          test();
        });
      },
      closed: new Promise((ok) => socket.once('close', () => ok())),
    };
    const chunked = (): boolean => client.headers['transfer-encoding'] === 'chunked';
    const decode = (): void => {
      if (!chunked()) {
        body += pending;
        parser.feed(Buffer.from(pending, 'latin1').toString('utf8'));
        pending = '';
        return;
      }
      for (;;) {
        const lineEnd = pending.indexOf('\r\n');
        if (lineEnd === -1) return;
        const size = Number.parseInt(pending.slice(0, lineEnd), 16);
        if (pending.length < lineEnd + 2 + size + 2) return;
        const data = pending.slice(lineEnd + 2, lineEnd + 2 + size);
        pending = pending.slice(lineEnd + 2 + size + 2);
        if (size === 0) {
          terminated = true;
          return;
        }
        body += data;
        parser.feed(Buffer.from(data, 'latin1').toString('utf8'));
      }
    };
    socket.on('data', (chunk: string) => {
      raw += chunk;
      if (!headDone) {
        pending += chunk;
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const lines = pending.slice(0, end).split('\r\n');
        client.status = Number(lines[0]!.split(' ')[1]);
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          client.headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        pending = pending.slice(end + 4);
        headDone = true;
        resolve(client);
      } else pending += chunk;
      decode();
      for (const waiter of [...waiters]) waiter();
    });
    socket.on('close', () => {
      closedFlag = true;
      for (const waiter of [...waiters]) waiter();
    });
    socket.on('error', reject);
    socket.write(`${method} ${path} HTTP/1.1\r\nHost: x\r\nAccept: ${accept}\r\n${extra}\r\n`);
  });
}
