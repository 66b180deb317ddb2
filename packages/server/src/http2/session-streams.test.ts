import { connect, createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { takeStreams } from './session-streams.js';

/**
 * takeStreams replaces node's session → server forwarder: these fail if node stops emitting new
 * streams on the session through that one listener, or if the server still sees taken streams.
 */
describe('takeStreams', () => {
  const servers: Http2Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  async function oneRequest(
    extraListener: boolean,
  ): Promise<{ taken: boolean; bySession: number; byServer: number }> {
    const server = createServer();
    servers.push(server);
    let taken = false;
    let bySession = 0;
    let byServer = 0;
    const answer = (stream: ServerHttp2Stream): void => {
      stream.respond({ ':status': 200 });
      stream.end();
    };
    server.on('session', (session) => {
      if (extraListener) session.on('stream', () => {});
      taken = takeStreams(session, (stream) => {
        bySession++;
        answer(stream);
      });
    });
    server.on('stream', (stream) => {
      byServer++;
      answer(stream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    client.on('error', () => {});
    const req = client.request({ ':path': '/' });
    req.resume();
    await new Promise((resolve) => req.on('close', resolve));
    client.destroy();
    return { taken, bySession, byServer };
  }

  it("takes the streams from node's forwarder: the server no longer sees them", async () => {
    expect(await oneRequest(false)).toEqual({ taken: true, bySession: 1, byServer: 0 });
  });

  it('leaves a session with other stream listeners to node', async () => {
    expect(await oneRequest(true)).toEqual({ taken: false, bySession: 0, byServer: 1 });
  });
});
