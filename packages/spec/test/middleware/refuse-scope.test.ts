import { describe, expect, it } from 'vitest';
import { refuseScope } from '../../src/middleware/index.js';
import { httpScope, sseScope, webSocketScope } from '../fixtures/scopes.js';
import { recorder } from './support.js';

describe('refuseScope', () => {
  it('lets the served type through without sending anything', async () => {
    const rec = recorder();
    expect(await refuseScope(webSocketScope(), rec.send, 'websocket')).toBe(false);
    expect(await refuseScope(sseScope(), rec.send, 'sse')).toBe(false);
    expect(rec.events).toEqual([]);
  });

  it('answers http and sse asked of a WebSocket app with 426 Upgrade: websocket', async () => {
    const http = recorder();
    expect(await refuseScope(httpScope(), http.send, 'websocket')).toBe(true);
    expect(http.events[0]).toMatchObject({ type: 'http.response.start', status: 426 });
    expect((http.events[0] as { headers: string[][] }).headers).toContainEqual(['upgrade', 'websocket']);
    const sse = recorder();
    expect(await refuseScope(sseScope(), sse.send, 'websocket')).toBe(true);
    expect(sse.events[0]).toMatchObject({ type: 'sse.http.response.start', status: 426 });
  });

  it('answers http asked of an SSE app with 406 and a WebSocket with a close before accept', async () => {
    const http = recorder();
    expect(await refuseScope(httpScope(), http.send, 'sse')).toBe(true);
    expect(http.events[0]).toMatchObject({ type: 'http.response.start', status: 406 });
    const ws = recorder();
    expect(await refuseScope(webSocketScope(), ws.send, 'sse')).toBe(true);
    expect(ws.events).toEqual([{ type: 'websocket.close' }]);
  });
});
