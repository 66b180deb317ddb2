import busboy from 'busboy';
import { describe, expect, it } from 'vitest';
import { type App, UnsupportedScopeError } from '@pagi/spec';
import { TestClient } from '../src/index.js';
import { createDeferred } from '../src/internal/deferred.js';
import { httpOnly, readBody } from './apps.js';

describe('multipart files', () => {
  it('sends files and data as multipart/form-data that busboy parses', async () => {
    const app = httpOnly(async (scope, receive, send) => {
      const type = scope.headers.find(([n]) => n === 'content-type')?.[1] ?? '';
      const body = await readBody(receive);
      const seen: unknown[] = [];
      await new Promise<void>((resolve, reject) => {
        const bb = busboy({ headers: { 'content-type': type } });
        bb.on('field', (name, value) => seen.push({ name, value }));
        bb.on('file', (name, stream, info) => {
          const parts: Buffer[] = [];
          stream.on('data', (d: Buffer) => parts.push(d));
          stream.on('end', () => seen.push({ name, ...info, content: Buffer.concat(parts).toString('hex') }));
        });
        bb.on('close', resolve);
        bb.on('error', reject);
        bb.end(body);
      });
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: JSON.stringify(seen) });
    });
    const res = await new TestClient(app).post('/upload', {
      data: { title: 'x' },
      files: {
        avatar: { filename: 'a.png', content: Buffer.from([137, 80, 78, 71]), contentType: 'image/png' },
      },
    });
    expect(res.json()).toEqual([
      { name: 'title', value: 'x' },
      { name: 'avatar', filename: 'a.png', encoding: '7bit', mimeType: 'image/png', content: '89504e47' },
    ]);
  });

  it('refuses files together with body, and data without files', async () => {
    const client = new TestClient(httpOnly(async () => {}));
    await expect(client.post('/', { body: 'x', files: {} })).rejects.toThrow(/files: expected no body/);
    await expect(client.post('/', { data: { a: '1' } })).rejects.toThrow(/data: expected it with files/);
  });
});

describe('fetch()', () => {
  it('takes a Request and resolves with a streamed Response', async () => {
    const step = createDeferred<void>();
    const app = httpOnly(async (scope, receive, send) => {
      const body = await readBody(receive);
      await send({
        type: 'http.response.start',
        status: 201,
        headers: [
          ['x-method', scope.method],
          [
            'x-echo',
            `${scope.path}?${scope.query_string} ${body} ${scope.headers.find(([n]) => n === 'x-a')?.[1]}`,
          ],
          ['set-cookie', 'a=1'],
          ['set-cookie', 'b=2'],
        ],
      });
      await send({ type: 'http.response.body', body: 'one', more: true });
      await step.promise;
      await send({ type: 'http.response.body', body: 'two' });
    });
    const client = new TestClient(app);
    const res = await client.fetch(
      new Request('http://testserver/items?q=1', {
        method: 'POST',
        body: 'payload',
        headers: { 'x-a': 'A' },
      }),
    );
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-method')).toBe('POST');
    expect(res.headers.get('x-echo')).toBe('/items?q=1 payload A');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(client.cookies.toJSON()).toEqual({ a: '1', b: '2' });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    // The first chunk is readable while the app still holds the second one back.
    expect(Buffer.from((await reader.read()).value as Uint8Array).toString()).toBe('one');
    step.resolve();
    expect(Buffer.from((await reader.read()).value as Uint8Array).toString()).toBe('two');
    expect((await reader.read()).done).toBe(true);
  });

  it('accepts a path, and cancelling the body disconnects the app', async () => {
    const gone = createDeferred<string>();
    const app = httpOnly(async (_scope, receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'x', more: true });
      let ev = await receive();
      while (ev.type === 'http.request') ev = await receive();
      gone.resolve(ev.type);
    });
    const res = await new TestClient(app).fetch('/feed');
    await res.body?.cancel();
    expect(await gone.promise).toBe('http.disconnect');
  });

  it('gives a null body for HEAD and 204', async () => {
    const app = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 204 });
      await send({ type: 'http.response.body' });
    });
    const res = await new TestClient(app).fetch('/', { method: 'HEAD' });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
  });
});

describe('await using', () => {
  it('runs lifespan shutdown when the client goes out of scope', async () => {
    const log: string[] = [];
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'lifespan') throw new UnsupportedScopeError(scope.type);
      while (true) {
        const ev = await receive();
        log.push(ev.type);
        if (ev.type === 'lifespan.startup') await send({ type: 'lifespan.startup.complete' });
        else {
          await send({ type: 'lifespan.shutdown.complete' });
          return;
        }
      }
    };
    {
      await using client = new TestClient(app);
      await client.startup();
      expect(log).toEqual(['lifespan.startup']);
    }
    expect(log).toEqual(['lifespan.startup', 'lifespan.shutdown']);
    // Without startup, disposal does nothing.
    {
      await using _idle = new TestClient(app);
    }
    expect(log).toHaveLength(2);
  });
});

describe('per-call timeout', () => {
  const hang = httpOnly(async () => {
    await new Promise(() => {});
  });

  it('overrides the client default and names what timed out', async () => {
    const client = new TestClient(hang, { timeout: 10_000 });
    const error = await client.get('/stuck', { timeout: 50 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PAGI_ERR_TEST_TIMEOUT', timeout: 50 });
    expect((error as Error).message).toBe(
      'timed out after 50 ms waiting for http.response.start for GET /stuck',
    );
  });

  it('applies to websocket() and sse(), and is validated', async () => {
    const client = new TestClient(async () => new Promise(() => {}));
    await expect(client.websocket('/ws', { timeout: 50 })).rejects.toThrow(
      /50 ms waiting for websocket.accept/,
    );
    await expect(client.sse('/ev', { timeout: 50 })).rejects.toThrow(/50 ms waiting for sse.start/);
    await expect(client.get('/', { timeout: 0 })).rejects.toThrow(/timeout: expected a positive number/);
  });
});
