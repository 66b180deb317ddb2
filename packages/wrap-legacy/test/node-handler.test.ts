/** fromNodeHandler with plain node:http handlers, under @pagi/server over real sockets. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { Router } from '@pagi/router';
import { request } from 'undici';
import { afterEach, expect, test } from 'vitest';
import { fromNodeHandler } from '../src/index.js';
import { recordingLogger, serve } from './support/serve.js';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function start(
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
  logger = recordingLogger(),
) {
  const served = await serve(fromNodeHandler(handler, { logger: logger.logger }));
  stop = served.close;
  return { ...served, lines: logger.lines };
}

test('writeHead with repeated headers, setHeader/appendHeader, status message dropped', async () => {
  const { url } = await start((_req, res) => {
    res.setHeader('X-One', '1');
    res.appendHeader('Set-Cookie', 'a=1');
    res.appendHeader('Set-Cookie', 'b=2');
    res.writeHead(201, 'Made It', ['X-Rep', 'a', 'X-Rep', 'b', 'Transfer-Encoding', 'chunked']);
    res.end('done');
  });
  const res = await request(`${url}/`);
  expect(res.statusCode).toBe(201);
  expect(res.headers['x-one']).toBe('1');
  expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  expect(res.headers['x-rep']).toEqual(['a', 'b']);
  expect(res.headers['content-length']).toBe('4');
  expect(await res.body.text()).toBe('done');
});

test('streams a response chunk by chunk; write() returns false under backpressure and drain follows', async () => {
  let sawFalse = false;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const { url } = await start((_req, res) => {
    let i = 0;
    const more = (): void => {
      while (i < 64) {
        i++;
        if (!res.write(chunk)) {
          sawFalse = true;
          res.once('drain', more);
          return;
        }
      }
      res.end();
    };
    more();
  });
  const res = await request(`${url}/`);
  let total = 0;
  for await (const part of res.body) total += part.byteLength;
  expect(total).toBe(64 * chunk.byteLength);
  expect(sawFalse).toBe(true);
});

test('request body arrives as a stream: req pauses receive() until it is read', async () => {
  const { url } = await start(async (req, res) => {
    let total = 0;
    for await (const part of req) total += (part as Buffer).byteLength;
    res.end(String(total));
  });
  const big = Buffer.alloc(3 * 1024 * 1024, 0x62);
  const res = await request(`${url}/upload`, { method: 'POST', body: big });
  expect(await res.body.text()).toBe(String(big.byteLength));
});

test('trailers declared with the Trailer header reach the client', async () => {
  const { url } = await start((_req, res) => {
    res.setHeader('Trailer', 'x-checksum');
    res.write('abc');
    res.addTrailers({ 'X-Checksum': '900150983cd24fb0' });
    res.end();
  });
  const res = await request(`${url}/`);
  expect(await res.body.text()).toBe('abc');
  expect(res.trailers['x-checksum']).toBe('900150983cd24fb0');
});

test('flushHeaders starts the response; later writes stream after it', async () => {
  const { url } = await start((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.flushHeaders();
    expect(res.headersSent).toBe(true);
    expect(() => res.setHeader('x-late', '1')).toThrow(/headers/i);
    setTimeout(() => res.end('late'), 10);
  });
  const res = await request(`${url}/`);
  expect(res.statusCode).toBe(200);
  expect(res.headers['x-late']).toBeUndefined();
  expect(await res.body.text()).toBe('late');
});

test('req.socket.remoteAddress, req.url, req.headers, req.httpVersion', async () => {
  const { url } = await start((req, res) => {
    res.end(
      JSON.stringify({
        addr: req.socket.remoteAddress,
        url: req.url,
        host: req.headers.host,
        version: req.httpVersion,
        method: req.method,
      }),
    );
  });
  const res = await request(`${url}/a%20b?x=1&y=2`);
  const body = (await res.body.json()) as Record<string, string>;
  expect(body.addr).toMatch(/127\.0\.0\.1|::1/);
  expect(body.url).toBe('/a%20b?x=1&y=2');
  expect(body.host).toBe(new URL(url).host);
  expect(body.version).toBe('1.1');
  expect(body.method).toBe('GET');
});

test('mounted under a prefix, req.url is relative to it', async () => {
  const router = new Router();
  const logger = recordingLogger();
  router.mount(
    '/legacy',
    fromNodeHandler((req, res) => res.end(`${req.url}`), { logger: logger.logger }),
  );
  const served = await serve(router.app);
  stop = served.close;
  expect(await (await request(`${served.url}/legacy/users/7?full=1`)).body.text()).toBe('/users/7?full=1');
  expect(await (await request(`${served.url}/legacy`)).body.text()).toBe('/');
});

test('a handler that throws before responding gives a 500 and is logged', async () => {
  const { url, lines } = await start(() => {
    throw new Error('boom');
  });
  const res = await request(`${url}/`);
  expect(res.statusCode).toBe(500);
  expect(await res.body.text()).toBe('Internal Server Error');
  expect(lines).toHaveLength(1);
  expect(lines[0]?.message).toContain('boom');
  expect((lines[0]?.error as { code?: string } | undefined)?.code).toBe('PAGI_ERR_LEGACY_HANDLER');
});

test('a handler that rejects after starting: the app rejects, so the server ends the connection (D-12)', async () => {
  const { url, lines } = await start(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial');
    await new Promise((r) => setTimeout(r, 20));
    throw new Error('late boom');
  });
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  let data = '';
  socket.on('data', (d) => {
    data += d;
  });
  // The server closes the connection instead of keeping it alive for the next request.
  await new Promise((r) => socket.once('close', r));
  expect(data).toContain('partial');
  expect(lines.some((l) => l.message.includes('late boom'))).toBe(true);
});

test('a response never ended is closed when the client goes away', async () => {
  let resolveClosed!: (what: string[]) => void;
  const closed = new Promise<string[]>((r) => {
    resolveClosed = r;
  });
  const { url } = await start((req, res) => {
    const seen: string[] = [];
    req.on('aborted', () => seen.push('req aborted'));
    res.on('close', () => {
      seen.push('res close');
      resolveClosed(seen);
    });
    res.write('never ends');
  });
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise<void>((r) => socket.once('data', () => r()));
  socket.destroy();
  expect(await closed).toContain('res close');
});

test('write after end does not crash the server and reports to the callback', async () => {
  let seen: unknown;
  const { url } = await start((_req, res) => {
    res.end('once');
    res.write('twice', (error) => {
      seen = error;
    });
  });
  const res = await request(`${url}/`);
  expect(await res.body.text()).toBe('once');
  await new Promise((r) => setTimeout(r, 20));
  expect((seen as { code: string }).code).toBe('ERR_STREAM_WRITE_AFTER_END');
});

test('a header with CR/LF is refused by Node before it can reach the wire', async () => {
  const { url, lines } = await start((_req, res) => {
    res.setHeader('x-bad', 'a\r\nInjected: 1');
    res.end('no');
  });
  const res = await request(`${url}/`);
  expect(res.statusCode).toBe(500);
  expect(res.headers.injected).toBeUndefined();
  expect(lines).toHaveLength(1);
});
