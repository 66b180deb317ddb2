import { once } from 'node:events';
import { createServer, type PagiServer } from '@pagi/server';
import { PagiValidationError } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as pkg from '../src/index.js';
import { wsEcho } from '../src/index.js';

it('exports exactly the documented runtime names', () => {
  expect(Object.keys(pkg).sort()).toEqual(['wsEcho']);
});

describe('wsEcho options', () => {
  it('refuses unknown options and bad values, naming them', () => {
    expect(() => wsEcho({ maxBytes: 1 } as never)).toThrow(/unknown option 'maxBytes'/);
    expect(() => wsEcho({ maxMessageBytes: -1 })).toThrow(PagiValidationError);
    expect(() => wsEcho({ onConnect: 'x' as never })).toThrow(/onConnect/);
  });
});

describe('wsEcho through the test client', () => {
  it('echoes text as text and bytes as bytes, "0" and "" included', async () => {
    const seen: string[] = [];
    const client = new TestClient(
      wsEcho({
        onConnect: (scope) => void seen.push(`connect ${scope.path}`),
        onDisconnect: (_scope, code) => void seen.push(`disconnect ${code}`),
      }),
    );
    const ws = await client.websocket('/echo');
    expect(ws.accepted).toBe(true);
    for (const text of ['hello', '0', '', 'ünïcødé']) {
      await ws.sendText(text);
      expect(await ws.receiveText()).toBe(text);
    }
    await ws.sendBytes(new Uint8Array([0, 1, 255]));
    expect([...(await ws.receiveBytes())]).toEqual([0, 1, 255]);
    await ws.close(1000);
    expect(seen).toEqual(['connect /echo', 'disconnect 1000']);
  });

  it('closes with 1009 when a message is over maxMessageBytes (UTF-8 bytes)', async () => {
    const client = new TestClient(wsEcho({ maxMessageBytes: 4 }));
    const ws = await client.websocket('/');
    await ws.sendText('abcd');
    expect(await ws.receiveText()).toBe('abcd');
    await ws.sendText('ééé'); // 3 characters, 6 bytes
    expect(await ws.closed).toMatchObject({ code: 1009 });
    const bin = await client.websocket('/');
    await bin.sendBytes(new Uint8Array(5));
    expect(await bin.closed).toMatchObject({ code: 1009 });
  });

  it('answers http with 426 Upgrade: websocket, sse with a 426 decline, and declines lifespan', async () => {
    const client = new TestClient(wsEcho());
    const res = await client.get('/');
    expect(res.status).toBe(426);
    expect(res.header('upgrade')).toBe('websocket');
    const sse = await client.sse('/');
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(426);
    await client.startup();
    await client.shutdown();
  });
});

describe('wsEcho over a real socket', () => {
  let server: PagiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const start = async (app: ReturnType<typeof wsEcho>) => {
    server = createServer(app, { host: '127.0.0.1', port: 0, logLevel: 'warn', shutdownTimeout: 1000 });
    await server.listen();
    return server.url.replace('http', 'ws');
  };

  it('echoes text and binary frames to a ws client', async () => {
    const url = await start(wsEcho());
    const ws = new WebSocket(url);
    await once(ws, 'open');
    ws.send('hi');
    const [text, isBinary] = (await once(ws, 'message')) as [Buffer, boolean];
    expect([text.toString(), isBinary]).toEqual(['hi', false]);
    ws.send(Buffer.from([1, 2, 3]));
    const [bytes, binary] = (await once(ws, 'message')) as [Buffer, boolean];
    expect([[...bytes], binary]).toEqual([[1, 2, 3], true]);
    ws.close();
    await once(ws, 'close');
  });

  it('closes a too-big message with 1009 on the wire', async () => {
    const url = await start(wsEcho({ maxMessageBytes: 8 }));
    const ws = new WebSocket(url);
    await once(ws, 'open');
    ws.send('x'.repeat(9));
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(1009);
  });

  it('answers a plain GET with 426', async () => {
    const url = await start(wsEcho());
    const res = await request(url.replace('ws', 'http'));
    expect(res.statusCode).toBe(426);
    expect(res.headers.upgrade).toBe('websocket');
    await res.body.text();
  });
});
