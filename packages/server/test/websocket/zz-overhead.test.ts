import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { it } from 'vitest';
import { resolveOptions } from '../../src/options.js';
import { WebSocketSession } from '../../src/websocket/session.js';

it('overhead', async () => {
  const noop = () => {};
  let n = 0;
  const N = 300_000;
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  const app = async (_s: any, receive: any, send: any) => {
    await receive();
    await send({ type: 'websocket.accept' });
    for (;;) {
      const e = await receive();
      if (e.type !== 'websocket.receive') return;
      await send({ type: 'websocket.send', text: e.text });
      if (++n === N) done();
    }
  };
  const ctx: any = { app, options: resolveOptions({ port: 0 }), logger: { debug: noop, info: noop, warn: noop, error: noop }, state: undefined, stopping: false, track: () => noop, accessLog: noop, extensionsFor: () => ({ 'websocket.http.response': {} }) };
  const fakeWs: any = new EventEmitter(); fakeWs.send = noop; fakeWs.bufferedAmount = 0;
  const wss: any = { handleUpgrade: (_r: any, _s: any, _h: any, cb: any) => cb(fakeWs) };
  const socket = new Duplex({ read() {}, write(_c, _e, cb) { cb(); } });
  const req: any = { method: 'GET', url: '/', httpVersion: '1.1', rawHeaders: ['Host', 'x'], headers: {}, socket };
  const s = new WebSocketSession(ctx, wss, new Set(), req, socket, Buffer.alloc(0), []);
  s.run();
  await new Promise((r) => setTimeout(r, 10));
  const buf = Buffer.from('x'.repeat(32));
  const t0 = performance.now();
  // Feed one message per macrotask turn, as socket reads would.
  const feed = () => { fakeWs.emit('message', buf, false); if (n < N) setImmediate(feed); };
  // Run several in flight like 50 clients: emit 50 per turn.
  const feed50 = () => { for (let i = 0; i < 50; i++) fakeWs.emit('message', buf, false); if (n < N - 50) setImmediate(feed50); };
  void feed;
  feed50();
  await finished;
  console.log('ns/msg', ((performance.now() - t0) * 1e6) / N);
});
