import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import type { ConformanceMessage, ConformanceWebSocket } from '../transport.js';
import { AsyncQueue } from '@pagi/spec';
import { fromRawHeaders } from './raw-headers.js';

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of res) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/**
 * Opens a WebSocket with the `ws` client and resolves once the handshake has an answer: open, or
 * an HTTP response that refused it (read in full).
 */
export function socketWebSocket(
  url: string,
  subprotocols: string[] | undefined,
): Promise<ConformanceWebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, subprotocols ?? []);
    const messages = new AsyncQueue<ConformanceMessage>();
    let acceptHeaders: [string, string][] = [];
    ws.on('upgrade', (res) => {
      acceptHeaders = fromRawHeaders(res.rawHeaders);
    });
    let resolveClosed!: (info: { code: number; reason: string }) => void;
    const closed = new Promise<{ code: number; reason: string }>((r) => {
      resolveClosed = r;
    });
    ws.on('message', (data, isBinary) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      messages.push(isBinary ? { bytes: buffer } : { text: buffer.toString('utf8') });
    });
    ws.on('close', (code, reason) => {
      messages.end();
      resolveClosed({ code, reason: reason.toString('utf8') });
    });
    ws.on('unexpected-response', (req, res) => {
      readAll(res).then(
        (body) => {
          req.destroy();
          resolveClosed({ code: 1006, reason: '' });
          resolve({
            accepted: false,
            subprotocol: undefined,
            acceptHeaders: [],
            denial: { status: res.statusCode ?? 0, headers: fromRawHeaders(res.rawHeaders), body },
            sendText: () => Promise.reject(new Error('expected an open WebSocket, got a refused handshake')),
            sendBytes: () => Promise.reject(new Error('expected an open WebSocket, got a refused handshake')),
            receive: () => Promise.reject(new Error('expected an open WebSocket, got a refused handshake')),
            close: async () => {},
            drop: async () => {},
            closed,
          });
        },
        (error: unknown) => reject(error),
      );
    });
    ws.on('error', (error) => reject(error));
    ws.on('open', () => {
      resolve({
        accepted: true,
        subprotocol: ws.protocol === '' ? undefined : ws.protocol,
        acceptHeaders,
        denial: undefined,
        sendText: (text) => sendOne(ws, text, false),
        sendBytes: (bytes) => sendOne(ws, Buffer.from(bytes), true),
        async receive() {
          const message = (await messages.next()).value;
          if (message === undefined)
            throw new Error('expected a WebSocket message, got the connection closed');
          return message;
        },
        async close(code, reason) {
          ws.close(code, reason);
          await closed;
        },
        async drop() {
          // terminate() destroys the socket: no Close frame, the server must report 1006.
          ws.terminate();
          await closed;
        },
        closed,
      });
    });
  });
}

function sendOne(ws: WebSocket, data: string | Buffer, binary: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.send(data, { binary }, (error) => (error ? reject(error) : resolve()));
  });
}
