import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/index.js';
import { respond } from '../../src/middleware/index.js';
import { denialScope, httpScope, lifespanScope, sseScope, webSocketScope } from '../fixtures/scopes.js';
import { recorder } from './support.js';

describe('respond', () => {
  it('answers http with a start and a body, content-type and content-length set', async () => {
    const rec = recorder();
    await respond(httpScope(), rec.send, 401, { headers: { 'WWW-Authenticate': 'Bearer' }, body: 'nö' });
    expect(rec.events).toEqual([
      {
        type: 'http.response.start',
        status: 401,
        headers: [
          ['www-authenticate', 'Bearer'],
          ['content-type', 'text/plain; charset=utf-8'],
          ['content-length', '3'],
        ],
      },
      { type: 'http.response.body', body: new TextEncoder().encode('nö') },
    ]);
  });

  it('turns an HttpError into its response; 204 has no content-length', async () => {
    const rec = recorder();
    await respond(httpScope(), rec.send, new HttpError(429, { headers: [['retry-after', '10']] }));
    expect(rec.events[0]).toMatchObject({
      status: 429,
      headers: [
        ['retry-after', '10'],
        ['content-type', 'text/plain; charset=utf-8'],
        ['content-length', '17'],
      ],
    });
    const empty = recorder();
    await respond(httpScope(), empty.send, 204);
    expect(empty.events[0]).toEqual({ type: 'http.response.start', status: 204, headers: [] });
  });

  it('declines sse, denies websocket with the extension, else closes before accept', async () => {
    const sse = recorder<'sse'>();
    await respond(sseScope(), sse.send, 403);
    expect(sse.events.map((e) => e.type)).toEqual(['sse.http.response.start', 'sse.http.response.body']);
    const denied = recorder<'websocket'>();
    await respond(denialScope(), denied.send, 401);
    expect(denied.events.map((e) => e.type)).toEqual([
      'websocket.http.response.start',
      'websocket.http.response.body',
    ]);
    const closed = recorder<'websocket'>();
    await respond(webSocketScope(), closed.send, 401);
    expect(closed.events).toEqual([{ type: 'websocket.close' }]);
  });

  it('refuses a lifespan scope and an unsafe header', async () => {
    await expect(respond(lifespanScope() as never, async () => {}, 500)).rejects.toThrow(
      /http, websocket or sse/,
    );
    await expect(respond(httpScope(), async () => {}, 400, { headers: { 'x-a': 'a\r\nb' } })).rejects.toThrow(
      /CR/,
    );
  });
});
