import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient } from '@pagi/test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpEndpoint, toApp } from '../src/endpoint/http-endpoint.js';
import { SseEndpoint } from '../src/endpoint/sse-endpoint.js';
import { WebSocketEndpoint } from '../src/endpoint/websocket-endpoint.js';
import { HttpError, WebSocketError } from '../src/errors.js';
import type { Request } from '../src/request/request.js';
import { Response } from '../src/response/response.js';
import type { EventStream } from '../src/sse/event-stream.js';
import type { WebSocket } from '../src/websocket/websocket.js';
import { MULTIPART_TYPE, multipart } from './support/multipart.js';

class Items extends HttpEndpoint {
  calls = 0;
  async get(req: Request) {
    this.calls++;
    return Response.json({ id: req.queryParam('id') ?? null, calls: this.calls });
  }
  async post(req: Request) {
    const body = await req.json<{ name?: string }>();
    if (!body.name) throw new HttpError(422, { detail: 'name is required', headers: { 'x-field': 'name' } });
    return Response.json(body, { status: 201 });
  }
  async delete() {
    await this.send({ type: 'http.response.start', status: 202, headers: [] });
    await this.send({ type: 'http.response.body', body: 'sent by hand' });
  }
  async put() {
    return 'not a response' as unknown as Response;
  }
}

describe('HttpEndpoint', () => {
  const client = new TestClient(Items.asApp());

  it('dispatches by method with a fresh instance per request', async () => {
    expect((await client.get('/', { query: { id: 7 } })).json()).toEqual({ id: '7', calls: 1 });
    expect((await client.get('/')).json()).toEqual({ id: null, calls: 1 });
    const created = await client.post('/', { json: { name: 'x' } });
    expect(created.status).toBe(201);
  });

  it('answers unknown methods with 405 and a sorted Allow', async () => {
    const res = await client.patch('/');
    expect(res.status).toBe(405);
    expect(res.header('allow')).toBe('DELETE, GET, HEAD, OPTIONS, POST, PUT');
  });

  it('falls back to GET for HEAD and answers OPTIONS with 204 + Allow', async () => {
    const head = await client.head('/');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const options = await client.options('/');
    expect(options.status).toBe(204);
    expect(options.header('allow')).toContain('GET');
  });

  it('turns HttpError into a response, body parse errors included', async () => {
    const missing = await client.post('/', { json: {} });
    expect(missing.status).toBe(422);
    expect(missing.text).toBe('name is required');
    expect(missing.header('x-field')).toBe('name');
    const bad = await client.post('/', { headers: { 'content-type': 'application/json' }, body: '{' });
    expect(bad.status).toBe(400);
  });

  it('lets a handler send the response itself, and refuses other return values', async () => {
    const res = await client.delete('/');
    expect(res.status).toBe(202);
    expect(res.text).toBe('sent by hand');
    await expect(new TestClient(Items.asApp(), { raiseAppErrors: true }).put('/')).rejects.toMatchObject({
      code: 'PAGI_ERR_STATE',
    });
  });

  it('toApp() is asApp()', async () => {
    expect((await new TestClient(toApp(Items)).get('/')).status).toBe(200);
  });

  describe('uploads', () => {
    let tempDir: string;
    beforeEach(async () => {
      tempDir = await mkdtemp(join(tmpdir(), 'pagi-helpers-endpoint-'));
    });
    afterEach(async () => {
      await rm(tempDir, { recursive: true, force: true });
    });

    it('removes spooled uploads when the handler returns', async () => {
      const dir = () => tempDir;
      class Upload extends HttpEndpoint {
        static override requestOptions = { spoolThreshold: 10, tempDir };
        async post(req: Request) {
          const form = await req.form();
          return Response.json({ onDisk: !form.file('f')!.inMemory, files: (await readdir(dir())).length });
        }
      }
      const res = await new TestClient(Upload.asApp()).post('/', {
        headers: { 'content-type': MULTIPART_TYPE },
        body: multipart([{ name: 'f', value: Buffer.alloc(1000), filename: 'f.bin' }]),
      });
      expect(res.json()).toEqual({ onDisk: true, files: 1 });
      expect(await readdir(tempDir)).toEqual([]);
    });
  });
});

describe('WebSocketEndpoint', () => {
  it('accepts, decodes JSON messages and reports the close code to onDisconnect', async () => {
    const ended: unknown[] = [];
    class Echo extends WebSocketEndpoint {
      static override encoding = 'json' as const;
      override async onReceive(ws: WebSocket, data: unknown) {
        await ws.sendJson({ echo: data });
      }
      override async onDisconnect(_ws: WebSocket, code: number | undefined, reason: string | undefined) {
        ended.push([code, reason]);
      }
    }
    const ws = await new TestClient(Echo.asApp()).websocket('/');
    await ws.sendJson({ a: 1 });
    expect(await ws.receiveJson()).toEqual({ echo: { a: 1 } });
    await ws.sendText('0');
    expect(await ws.receiveJson()).toEqual({ echo: 0 });
    await ws.close(4000, 'later');
    expect(ended).toEqual([[4000, 'later']]);
  });

  it('closes with 1007 on bad JSON and 1003 on the wrong message kind', async () => {
    class Json extends WebSocketEndpoint {
      static override encoding = 'json' as const;
    }
    const a = await new TestClient(Json.asApp()).websocket('/');
    await a.sendText('{nope');
    expect(await a.closed).toMatchObject({ code: 1007 });

    class Text extends WebSocketEndpoint {}
    const b = await new TestClient(Text.asApp()).websocket('/');
    await b.sendBytes(Buffer.from('x'));
    expect(await b.closed).toMatchObject({ code: 1003 });
  });

  it('closes with the code of a WebSocketError thrown by a hook, and 1011 for other errors', async () => {
    class Picky extends WebSocketEndpoint {
      override async onReceive(_ws: WebSocket, data: unknown) {
        if (data === 'bad') throw new WebSocketError(4400, 'bad input');
        throw new Error('boom');
      }
    }
    const a = await new TestClient(Picky.asApp()).websocket('/');
    await a.sendText('bad');
    expect(await a.closed).toMatchObject({ code: 4400, reason: 'bad input' });

    const b = await new TestClient(Picky.asApp(), { raiseAppErrors: false }).websocket('/');
    await b.sendText('other');
    expect(await b.closed).toMatchObject({ code: 1011 });
  });

  it('can refuse in onConnect', async () => {
    class Closed extends WebSocketEndpoint {
      override async onConnect(ws: WebSocket) {
        await ws.close(1008);
      }
    }
    const ws = await new TestClient(Closed.asApp()).websocket('/');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(403);
  });
});

describe('SseEndpoint', () => {
  it('starts, requests keepalive, streams and closes when stream() returns', async () => {
    class Count extends SseEndpoint {
      static override keepaliveInterval = 10;
      async stream(sse: EventStream, req: Request) {
        const n = Number(req.queryParam('n'));
        for (let i = 1; i <= n; i++) await sse.send({ data: String(i), id: String(i) });
      }
    }
    const sse = await new TestClient(Count.asApp()).sse('/', { query: { n: 3 } });
    const got = [];
    for await (const ev of sse) got.push(ev.data);
    expect(got).toEqual(['1', '2', '3']);
    expect(sse.events).toContainEqual({ type: 'sse.keepalive', interval: 10 });
    expect(sse.events.at(-1)).toMatchObject({ type: 'sse.close' });
  });

  it('can decline in onConnect', async () => {
    class Gone extends SseEndpoint {
      override async onConnect(sse: EventStream) {
        await sse.decline(204);
      }
      async stream() {
        throw new Error('must not run');
      }
    }
    const sse = await new TestClient(Gone.asApp(), { raiseAppErrors: true }).sse('/');
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(204);
    await sse.finished();
  });
});
