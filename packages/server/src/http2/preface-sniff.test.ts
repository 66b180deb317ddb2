import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { sniffPreface } from './preface-sniff.js';

// V8's own test of "same hidden class" (%HaveSameMap), for the shape checks below.
setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

/**
 * sniffPreface shadows node's `destroyed` accessor while it reads (see OWN_DESTROYED): these fail
 * if the socket leaves the sniff with another hidden class than an unsniffed one (every stream of
 * the process would then pay for it in node's own code), or if the shadow misreports the state.
 */
describe('sniffPreface', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  /** Two connections to one server: the first sniffed with `bytes` sent, the second never read. */
  async function sniffed(
    bytes: string,
  ): Promise<{ socket: Socket; plain: Socket; isH2: boolean; during: boolean }> {
    const accepted: Socket[] = [];
    const server = createServer((socket) => {
      socket.on('error', () => {});
      accepted.push(socket);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const a = connect(port, '127.0.0.1');
    const b = connect(port, '127.0.0.1');
    for (const c of [a, b]) c.on('error', () => {});
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (accepted.length === 2) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
    const [socket, plain] = accepted as [Socket, Socket];
    let during = true;
    const isH2 = await new Promise<boolean>((resolve) => {
      sniffPreface(socket, 10_000, resolve);
      during = Object.hasOwn(socket, 'destroyed') && socket.destroyed === false;
      a.write(bytes);
    });
    a.destroy();
    b.destroy();
    return { socket, plain, isH2, during };
  }

  it('hands an HTTP/2 connection on with the hidden class it came with', async () => {
    const { socket, plain, isH2, during } = await sniffed(PREFACE);
    expect(isH2).toBe(true);
    expect(during).toBe(true);
    expect(Object.hasOwn(socket, 'destroyed')).toBe(false);
    expect(haveSameMap(socket, plain)).toBe(true);
    expect(socket.readableLength).toBe(PREFACE.length); // the preface is given back unread
  });

  it('hands an HTTP/1.x connection on with the hidden class it came with', async () => {
    const { socket, plain, isH2 } = await sniffed('GET / HTTP/1.1\r\n\r\n');
    expect(isH2).toBe(false);
    expect(Object.hasOwn(socket, 'destroyed')).toBe(false);
    expect(haveSameMap(socket, plain)).toBe(true);
  });

  it("reports node's destroyed state while it sniffs, and restores the shape when the socket closes", async () => {
    const server = createServer();
    servers.push(server);
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    client.on('error', () => {});
    const socket = await accepted;
    let decided = false;
    sniffPreface(socket, 10_000, () => {
      decided = true;
    });
    expect(socket.destroyed).toBe(false);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.destroy();
    expect(socket.destroyed).toBe(true);
    await closed;
    expect(decided).toBe(false);
    expect(Object.hasOwn(socket, 'destroyed')).toBe(false);
    client.destroy();
  });
});
