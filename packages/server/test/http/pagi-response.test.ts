import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { kFinishHook, PagiServerResponse } from '../../src/http/pagi-response.js';

// src/http/pagi-response.ts: the exchange hears of 'finish' through node's own 'finish' listener,
// which calls `res.detachSocket(socket)` (node 20 and 22, _http_server.js resOnFinish). If a node
// version stops doing that, these fail (and every keep-alive request of the server would hang).
let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

describe('PagiServerResponse', () => {
  it("tells its hook once per response, after node's 'finish', pipelined responses in order", async () => {
    const seen: string[] = [];
    server = createServer({ ServerResponse: PagiServerResponse }, (req, res) => {
      const response = res as PagiServerResponse;
      response[kFinishHook] = {
        onFinish: () => {
          // Complete by now: every byte handed to the socket, and node let go of the socket.
          seen.push(`${req.url} finished=${res.writableFinished} detached=${res.socket === null}`);
        },
      };
      res.end(`body of ${req.url}`);
    });
    const port = await new Promise<number>((resolve) =>
      server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port)),
    );
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(
          'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        ),
      );
      let out = '';
      socket.on('data', (d) => {
        out += d.toString('latin1');
      });
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
    });
    expect(text).toContain('body of /a');
    expect(text).toContain('body of /b');
    expect(seen).toEqual(['/a finished=true detached=true', '/b finished=true detached=true']);
  });
});
