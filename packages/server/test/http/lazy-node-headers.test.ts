import { createServer, IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PagiIncomingMessage } from '../../src/http/pagi-request.js';

// src/http/lazy-node-headers.ts: node reads `req.headers.expect` on every request; the server's
// IncomingMessage answers that from rawHeaders and builds node's object only when asked for more.
let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

function serve(onRequest: (req: IncomingMessage) => string): Promise<number> {
  server = createServer({ IncomingMessage: PagiIncomingMessage }, (req, res) => {
    res.end(onRequest(req));
  });
  return new Promise((resolve) =>
    server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port)),
  );
}

function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (d) => {
      text += d.toString('latin1');
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('lazy req.headers', () => {
  it('gives node the same expect value, and the same object as node once read', async () => {
    const plain = new Map<string, unknown>();
    const port = await serve((req) => {
      const expectSeen = req.headers.expect;
      const copy = { ...req.headers };
      plain.set('expect', expectSeen);
      plain.set('copy', copy);
      plain.set('keys', Object.keys(req.headers));
      const first = req.headers;
      plain.set('same', first === req.headers);
      plain.set('in', 'x-two' in req.headers);
      return 'ok';
    });
    const text = await raw(
      port,
      'GET / HTTP/1.1\r\nHost: h\r\nX-Two: a\r\nx-two: b\r\nSet-Cookie: c=1\r\nConnection: close\r\n\r\n',
    );
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(plain.get('expect')).toBeUndefined();
    expect(plain.get('copy')).toEqual({
      host: 'h',
      'x-two': 'a, b',
      'set-cookie': ['c=1'],
      connection: 'close',
    });
    expect(plain.get('keys')).toEqual(['host', 'x-two', 'set-cookie', 'connection']);
    expect(plain.get('same')).toBe(true);
    expect(plain.get('in')).toBe(true);
  });

  it('lets node see Expect: 100-continue (answered 100, then the body arrives)', async () => {
    const port = await serve(() => 'done');
    server!.on('checkContinue', (req, res) => {
      res.writeContinue();
      let n = 0;
      req.on('data', (d: Buffer) => {
        n += d.length;
      });
      req.on('end', () => res.end(`got ${n}`));
    });
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(
          'POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\nConnection: close\r\n\r\n',
        ),
      );
      let text = '';
      socket.on('data', (d) => {
        text += d.toString('latin1');
        if (text.includes('100 Continue\r\n\r\n') && !text.includes('abc-sent')) {
          text += 'abc-sent';
          socket.write('abc');
        }
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nabc-sentHTTP\/1\.1 200 OK/);
    expect(text).toMatch(/got 3$/);
  });

  it('keeps a value assigned to req.headers', async () => {
    const port = await serve((req) => {
      req.headers = { replaced: 'yes' };
      return String(req.headers.replaced);
    });
    expect(await raw(port, 'GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')).toMatch(/yes$/);
  });

  it('is a subclass of node IncomingMessage', () => {
    expect(PagiIncomingMessage.prototype).toBeInstanceOf(IncomingMessage);
  });
});
