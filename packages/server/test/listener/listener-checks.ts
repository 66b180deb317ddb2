import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { expect } from 'vitest';
import WebSocket from 'ws';

/** A raw HTTP/1.1 exchange: the bytes the server sent until it closed the connection. */
export function rawExchange(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

/** The HTTP behaviours every mounting must keep (`base` includes any mount prefix). */
export async function checkHttp(base: string): Promise<void> {
  const echo = await request(`${base}/echo`, { method: 'POST', body: 'hello body' });
  expect(echo.statusCode).toBe(200);
  expect(await echo.body.text()).toBe('hello body');

  const chunked = await request(`${base}/echo`, {
    method: 'POST',
    body: Readable.from(['chunk-a ', 'chunk-b']),
  });
  expect(await chunked.body.text()).toBe('chunk-a chunk-b');

  const stream = await request(`${base}/stream`);
  expect(stream.headers['transfer-encoding']).toBe('chunked');
  expect(await stream.body.text()).toBe('one two three');

  const boom = await request(`${base}/boom`);
  expect(boom.statusCode).toBe(500);
  expect(await boom.body.text()).toBe('Internal Server Error\n');

  const order = await request(`${base}/bad-order`);
  expect(order.statusCode).toBe(409);
  expect(await order.body.text()).toBe('PagiStateError');
}

/** maxBodySize 16 on the listener: a declared and a chunked body over it both get 413. */
export async function checkBodyLimit(base: string): Promise<void> {
  const declared = await request(`${base}/echo`, { method: 'POST', body: 'x'.repeat(100) });
  expect(declared.statusCode).toBe(413);
  await declared.body.text();
  const chunked = await request(`${base}/echo`, {
    method: 'POST',
    body: Readable.from(['x'.repeat(10), 'y'.repeat(10)]),
  });
  expect(chunked.statusCode).toBe(413);
  await chunked.body.text().catch(() => undefined);
}

/** D-12: the client sees a truncated chunked body (no terminating 0-chunk), not a clean end. */
export async function checkAbortedBody(url: string, path: string): Promise<void> {
  const { host } = new URL(url);
  const raw = await rawExchange(url, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  expect(raw.startsWith('HTTP/1.1 200')).toBe(true);
  expect(raw).toContain('partial');
  expect(raw.endsWith('0\r\n\r\n')).toBe(false);
}

/** A WebSocket echo through the upgrade listener; the app saw `path` as its scope path. */
export async function checkWebSocket(url: string, path: string): Promise<void> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const reply = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
  ws.send('ping');
  expect(await reply).toBe('echo:ping');
  const seen = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
  ws.send('path');
  expect(await seen).toBe(path);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.close(1000, 'done');
  expect(await closed).toBe(1000);
}

/** An SSE stream through the request listener: both events, then the end of the stream. */
export async function checkSse(url: string, path: string): Promise<void> {
  const response = await request(url, { headers: { accept: 'text/event-stream' } });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
  const body = await response.body.text();
  expect(body).toContain(`event: greeting\ndata: hello ${path}\n\n`);
  expect(body).toContain('data: second\n\n');
}
