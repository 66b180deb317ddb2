import type { App, HttpScope, Receive, Send } from '@pagi/spec';

/** What the listener tests mount: one route per behaviour they check. */
export const fixtureApp: App = async (scope, receive, send) => {
  if (scope.type === 'lifespan') {
    const event = await receive();
    if (event.type === 'lifespan.startup') {
      (scope as { state: Record<string, unknown> }).state.greeting = 'from lifespan';
      await send({ type: 'lifespan.startup.complete' });
    }
    const down = await receive();
    if (down.type === 'lifespan.shutdown') await send({ type: 'lifespan.shutdown.complete' });
    return;
  }
  if (scope.type === 'websocket') {
    await receive(); // websocket.connect
    await send({ type: 'websocket.accept' });
    for (;;) {
      const event = await receive();
      if (event.type !== 'websocket.receive') return;
      if (event.text === 'path') await send({ type: 'websocket.send', text: scope.path });
      else if (event.text !== undefined) await send({ type: 'websocket.send', text: `echo:${event.text}` });
      else await send({ type: 'websocket.send', bytes: event.bytes });
    }
  }
  if (scope.type === 'sse') {
    await receive(); // sse.request
    await send({ type: 'sse.start', status: 200, headers: [] });
    await send({ type: 'sse.send', event: 'greeting', data: `hello ${scope.path}` });
    await send({ type: 'sse.send', data: 'second' });
    await send({ type: 'sse.close' });
    return;
  }
  if (scope.type !== 'http') return;
  await http(scope, receive as Receive<'http'>, send as Send<'http'>);
};

async function http(scope: HttpScope, receive: Receive<'http'>, send: Send<'http'>): Promise<void> {
  const text = [['content-type', 'text/plain']] as [string, string][];
  switch (scope.path.replace(/^\/pagi/, '')) {
    case '/echo': {
      const chunks: Uint8Array[] = [];
      for (;;) {
        const event = await receive();
        if (event.type !== 'http.request') return;
        chunks.push(event.body);
        if (!event.more) break;
      }
      await send({ type: 'http.response.start', status: 200, headers: text });
      await send({ type: 'http.response.body', body: Buffer.concat(chunks) });
      return;
    }
    case '/stream':
      await send({ type: 'http.response.start', status: 200, headers: text });
      for (const part of ['one ', 'two ', 'three']) {
        await send({ type: 'http.response.body', body: part, more: true });
      }
      await send({ type: 'http.response.body', body: '' });
      return;
    case '/boom':
      throw new Error('boom (expected by the test)');
    case '/cut':
      // D-12: a started body the app gives up on is aborted, never ended cleanly.
      await send({ type: 'http.response.start', status: 200, headers: text });
      await send({ type: 'http.response.body', body: 'partial', more: true });
      throw new Error('gave up mid-body (expected by the test)');
    case '/bad-order':
      await send({ type: 'http.response.body', body: 'no start' }).catch(async (error: Error) => {
        await send({ type: 'http.response.start', status: 409, headers: text });
        await send({ type: 'http.response.body', body: error.name });
      });
      return;
    default: {
      const state = scope.state as { greeting?: string };
      const body = JSON.stringify({
        path: scope.path,
        root_path: scope.root_path,
        client: scope.client?.[0],
        greeting: state.greeting ?? null,
      });
      await send({
        type: 'http.response.start',
        status: 200,
        headers: [['content-type', 'application/json']],
      });
      await send({ type: 'http.response.body', body });
    }
  }
}
