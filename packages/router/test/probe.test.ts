import { TestClient } from '@pagi/test';
import { test, expect } from 'vitest';
import { Router } from '../src/index.js';
test('probe', async () => {
  const r = new Router();
  r.get('/x/:id', async (scope, _r, send) => {
    await send({ type: 'http.response.start', status: 200, headers: [] });
    await send({ type: 'http.response.body', body: JSON.stringify((scope as any)['pagi.router']) });
  });
  const c = new TestClient(r.app);
  const res = await c.get('/x/1');
  console.log(res.status, res.text);
  const res2 = await c.post('/x/1');
  console.log(res2.status, res2.headers, res2.text);
  const ws = await c.websocket('/nope');
  console.log(ws.accepted, ws.denial);
  const sse = await c.sse('/nope');
  console.log(sse.declined, sse.status);
  expect(1).toBe(1);
});
