// The README's Usage example, kept runnable.
import { type App, UnsupportedScopeError } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { expect, it, vi } from 'vitest';
import { EventStream, HttpEndpoint, lifespan, type Request, Response, WebSocket } from '../src/index.js';

class Greeting extends HttpEndpoint {
  async get(req: Request) {
    if (req.accepts('json', 'html') === 'html')
      return Response.html(`<h1>Hello ${req.queryParam('name') ?? 'world'}</h1>`);
    const visits = req.state.visits as { count: number };
    return Response.json({ hello: req.queryParam('name') ?? 'world', visits: visits.count++ });
  }
  async post(req: Request) {
    const { name } = await req.json<{ name: string }>();
    return Response.json({ hello: name }, { status: 201 }).setCookie('name', name);
  }
}

const http = Greeting.asApp();

const app: App = async (scope, receive, send) => {
  if (scope.type === 'http') return http(scope, receive, send);
  if (scope.type === 'websocket') {
    const ws = new WebSocket(scope, receive, send);
    await ws.accept();
    for await (const msg of ws) await ws.sendText(`echo: ${String(msg)}`);
    return;
  }
  if (scope.type === 'sse') {
    const sse = new EventStream(scope, receive, send);
    let id = Number(sse.lastEventId ?? 0);
    for (let i = 0; i < 3 && !sse.disconnectReason; i++) await sse.sendJson({ n: ++id }, { id: String(id) });
    await sse.close();
    return;
  }
  throw new UnsupportedScopeError(scope.type);
};

const log = vi.fn();
const main = lifespan({
  startup: (state) => {
    state.visits = { count: 0 };
  },
  shutdown: (state) => log('served', (state.visits as { count: number }).count),
})(app);

it('runs the README example', async () => {
  const client = new TestClient(main);
  await client.startup();
  expect((await client.get('/', { query: { name: 'Ada' } })).json()).toEqual({ hello: 'Ada', visits: 0 });
  const html = await client.get('/', { headers: { accept: 'text/html' } });
  expect(html.text).toBe('<h1>Hello world</h1>');
  const posted = await client.post('/', { json: { name: 'Bo' } });
  expect(posted.status).toBe(201);
  expect(posted.header('set-cookie')).toBe('name=Bo; Path=/; SameSite=Lax');
  expect((await client.post('/', { body: 'x' })).status).toBe(415);
  const ws = await client.websocket('/ws');
  await ws.sendText('hi');
  expect(await ws.receiveText()).toBe('echo: hi');
  await ws.close();
  const events = [];
  for await (const ev of await client.sse('/events', { headers: { 'last-event-id': '41' } })) events.push(ev);
  expect(events).toEqual([
    { data: '{"n":42}', id: '42' },
    { data: '{"n":43}', id: '43' },
    { data: '{"n":44}', id: '44' },
  ]);
  await client.shutdown();
  expect(log).toHaveBeenCalledWith('served', 1);
});
