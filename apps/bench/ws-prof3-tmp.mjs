import { createServer } from 'node:http';
import { once } from 'node:events';
import { createWebSocketHandler } from './tmp-wsbuild/websocket/index.js';
import { resolveOptions } from './tmp-wsbuild/options.js';
const app = async (scope, receive, send) => {
  await receive();
  await send({ type: 'websocket.accept' });
  for (;;) {
    const event = await receive();
    if (event.type !== 'websocket.receive') return;
    await send(event.text !== undefined ? { type: 'websocket.send', text: event.text } : { type: 'websocket.send', bytes: event.bytes });
  }
};
const noop = () => {};
const ctx = { app, options: resolveOptions({ port: 0 }), logger: { debug: noop, info: noop, warn: noop, error: noop }, state: undefined, stopping: false,
  track: () => noop, accessLog: noop, extensionsFor: () => ({}) };
const h = createWebSocketHandler(ctx);
const server = createServer();
server.on('upgrade', (req, socket, head) => h.handleUpgrade(req, socket, head));
server.listen(0, '127.0.0.1');
await once(server, 'listening');
console.log(server.address().port);
const c0 = process.cpuUsage();
setTimeout(() => { const c = process.cpuUsage(c0); console.log("cpu ms", (c.user + c.system) / 1000); process.exit(0); }, 6000);
